// @pyblish/xmlrpc: the XML-RPC codec and its loopback HTTP transport. Nothing here knows of
// Pyblish. The public surface, grouped by layer; anything not listed is internal.

// Values: what travels, and how a struct member is set safely
export { isStruct, setMember, type XmlRpcStruct, type XmlRpcValue } from './values.js';

// Encoding: values and messages to XML (text or bytes), and values encoded once to send many times
export {
  type EncodedValue,
  type EncodedValueData,
  encodedValueData,
  encodedValueFromData,
  encodeFault,
  encodeMethodCall,
  encodeMethodCallBytes,
  encodeMethodResponse,
  encodeMethodResponseBytes,
  encodeValueXml,
  escapeText,
  formatDateTime,
  isEncodedValue,
  preencode,
} from './encode.js';

// Decoding: messages from XML, strictly and within limits
export {
  type DecodedCall,
  type DecodedResponse,
  decodeMethodCall,
  decodeMethodResponse,
  MessageDecoder,
} from './decode.js';
export { defaultLimits, type Limits, resolveLimits } from './limits.js';

// Server: the loopback HTTP server, its request guards and the methods it dispatches
export { createServer, type ServerOptions, type XmlRpcServer } from './server.js';
export {
  checkContentType,
  checkHost,
  checkOrigin,
  loopbackHosts,
  type Refusal,
  tokenAuthenticator,
  tokenMatcher,
} from './guards.js';
export {
  type AnyMethodType,
  type HandlersOf,
  type MethodType,
  method,
  type ParamList,
  type ParamsOf,
  type ResultOf,
  type SignatureOf,
  SystemMethod,
  type TypedHandler,
  untypedHandler,
} from './method-type.js';
export {
  type CallInfo,
  type DispatchOptions,
  type Handler,
  type MethodOptions,
  MethodRegistry,
  type ParamSpec,
  type ParamType,
} from './methods.js';

// Client
export { type CallOptions, type ClientOptions, XmlRpcClient } from './client.js';

// Errors: faults (answers that travel) and the errors that stay in the process
export {
  DecodeError,
  type DecodeErrorCode,
  type DecodeFaultCode,
  EncodeError,
  type EncodeErrorCode,
  Fault,
  FaultCode,
  type FaultErrorCode,
  ListenError,
  type ListenErrorCode,
  RegistrationError,
  type RegistrationErrorCode,
  TransportError,
  type TransportErrorCode,
} from './errors.js';
