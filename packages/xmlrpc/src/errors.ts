// Every error the XML-RPC layer raises, on the one base of @pyblish/errors (a code typed as a union,
// instanceof across copies). Two families: a Fault is an answer (the peer, or our own server, said
// no; it travels as a <fault> with the interoperability number); the rest never leave the process
// (the transport failed, a value cannot be encoded, a port cannot be bound, a method name is bad).
import { codedError } from '@pyblish/errors';

/**
 * Fault codes from the "Specification for Fault Code Interoperability" (the numbers Python's
 * `xmlrpc.client` also defines). -32099 is ours, from the implementation-defined range.
 */
export const FaultCode = {
  ParseError: -32700,
  UnsupportedEncoding: -32701,
  InvalidCharacter: -32702,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ApplicationError: -32500,
  LimitExceeded: -32099,
} as const;

/** An XML-RPC fault: the peer answered, and the answer is an error. */
export class Fault extends codedError('pyblish.xmlrpc.Fault', [
  'FAULT', // A number with no name here, such as the 1 of a Python exception.
  // The names of the interoperability numbers (FaultCode).
  'PARSE_ERROR',
  'UNSUPPORTED_ENCODING',
  'INVALID_CHARACTER',
  'INVALID_REQUEST',
  'METHOD_NOT_FOUND',
  'INVALID_PARAMS',
  'INTERNAL_ERROR',
  'APPLICATION_ERROR',
  'LIMIT_EXCEEDED',
]) {
  readonly faultCode: number;
  readonly faultString: string;
  constructor(faultCode: number, faultString: string) {
    super(FAULT_NAMES.get(faultCode) ?? 'FAULT', `XML-RPC fault ${faultCode}: ${faultString}`);
    this.faultCode = faultCode;
    this.faultString = faultString;
  }
}

const FAULT_NAMES: ReadonlyMap<number, FaultErrorCode> = new Map([
  [FaultCode.ParseError, 'PARSE_ERROR'],
  [FaultCode.UnsupportedEncoding, 'UNSUPPORTED_ENCODING'],
  [FaultCode.InvalidCharacter, 'INVALID_CHARACTER'],
  [FaultCode.InvalidRequest, 'INVALID_REQUEST'],
  [FaultCode.MethodNotFound, 'METHOD_NOT_FOUND'],
  [FaultCode.InvalidParams, 'INVALID_PARAMS'],
  [FaultCode.InternalError, 'INTERNAL_ERROR'],
  [FaultCode.ApplicationError, 'APPLICATION_ERROR'],
  [FaultCode.LimitExceeded, 'LIMIT_EXCEEDED'],
]);

/** The fault numbers a DecodeError carries. */
export type DecodeFaultCode = (typeof FaultCode)[
  | 'ParseError'
  | 'UnsupportedEncoding'
  | 'InvalidCharacter'
  | 'InvalidRequest'
  | 'LimitExceeded'];
/** The codes of a DecodeError: the faults a message we refuse raises. */
const DECODE_CODES = [
  'PARSE_ERROR',
  'UNSUPPORTED_ENCODING',
  'INVALID_CHARACTER',
  'INVALID_REQUEST',
  'LIMIT_EXCEEDED',
] as const satisfies readonly FaultErrorCode[];
export type DecodeErrorCode = (typeof DECODE_CODES)[number];

/**
 * The message itself is wrong (malformed XML, not XML-RPC, a limit exceeded). A server sends it
 * back as a fault; a client reports it as a bad response rather than as the peer's fault.
 */
export class DecodeError extends Fault {
  static override readonly brand = 'pyblish.xmlrpc.DecodeError';
  static override readonly codes = DECODE_CODES;
  declare readonly code: DecodeErrorCode;
  /** Only the decoder's fault numbers, so `code` is a DecodeErrorCode. */
  constructor(faultCode: DecodeFaultCode, faultString: string) {
    super(faultCode, faultString);
  }
}

/** Why a call failed without a fault from the peer: nothing usable came back. */
export class TransportError extends codedError('pyblish.xmlrpc.TransportError', [
  'ECONNREFUSED',
  'ECONNRESET',
  'NETWORK',
  'TIMEOUT',
  'ABORTED',
  'HTTP_STATUS', // An HTTP status other than 200, in `status`.
  'TRUNCATED', // The connection closed in the middle of the reply.
  'BAD_RESPONSE',
  'TOO_LARGE',
  'CLOSED', // The client was closed.
]) {
  /** HTTP status, for `HTTP_STATUS`. */
  readonly status?: number;
  constructor(code: TransportErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** A value that XML-RPC cannot carry, refused before anything is sent. */
export class EncodeError extends codedError('pyblish.xmlrpc.EncodeError', [
  'UNENCODABLE', // A function, a symbol, a class instance, an invalid Date, a bigint beyond 64 bits...
  'TOO_DEEP', // Nested deeper than the depth limit (a cycle, usually).
]) {}

/**
 * The server could not start listening: the system's error for the common cases, else
 * LISTEN_FAILED; the cause holds the system's error.
 */
export class ListenError extends codedError('pyblish.xmlrpc.ListenError', [
  'EADDRINUSE',
  'EACCES',
  'EADDRNOTAVAIL',
  'LISTEN_FAILED',
]) {
  readonly port: number;
  constructor(code: ListenErrorCode, port: number, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.port = port;
  }
}

/** A method registered under a name that cannot be called, or twice. */
export class RegistrationError extends codedError('pyblish.xmlrpc.RegistrationError', [
  'BAD_METHOD_NAME',
  'DUPLICATE_METHOD',
]) {}

// The codes of each class, as types.
/** A Fault's `code`: the name of its interoperability number, or FAULT for any other number. */
export type FaultErrorCode = Fault['code'];
export type TransportErrorCode = TransportError['code'];
export type EncodeErrorCode = EncodeError['code'];
export type ListenErrorCode = ListenError['code'];
export type RegistrationErrorCode = RegistrationError['code'];
