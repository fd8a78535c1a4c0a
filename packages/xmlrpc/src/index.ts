export { type CallOptions, type ClientOptions, XmlRpcClient } from './client.js';
export {
  type DecodedCall,
  type DecodedResponse,
  DecodeError,
  decodeMethodCall,
  decodeMethodResponse,
  MessageDecoder,
} from './decode.js';
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
  preencode,
} from './encode.js';
export { EncodeError, ListenError, TransportError, type TransportErrorCode } from './errors.js';
export {
  checkContentType,
  checkHost,
  checkOrigin,
  loopbackHosts,
  type Refusal,
  tokenAuthenticator,
} from './guards.js';
export { defaultLimits, type Limits, resolveLimits } from './limits.js';
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
  RegistrationError,
} from './registry.js';
export { createServer, type ServerOptions, type XmlRpcServer } from './server.js';
export { Fault, FaultCode, isStruct, setMember, type XmlRpcStruct, type XmlRpcValue } from './values.js';
