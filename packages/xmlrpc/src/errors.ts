// Every error the XML-RPC layer raises, on the one base of @pyblish/errors (a code typed as a union,
// instanceof across copies). Two families: a Fault is an answer (the peer, or our own server, said
// no; it travels as a <fault> with the interoperability number); the rest never leave the process
// (the transport failed, a value cannot be encoded, a port cannot be bound, a method name is bad).
import { CodedError } from '@pyblish/errors';

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

/** A Fault's `code`: the name of its interoperability number, or FAULT for any other number. */
export const FAULT_CODES = [
  'FAULT',
  'PARSE_ERROR',
  'UNSUPPORTED_ENCODING',
  'INVALID_CHARACTER',
  'INVALID_REQUEST',
  'METHOD_NOT_FOUND',
  'INVALID_PARAMS',
  'INTERNAL_ERROR',
  'APPLICATION_ERROR',
  'LIMIT_EXCEEDED',
] as const;
export type FaultErrorCode = (typeof FAULT_CODES)[number];

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

/** An XML-RPC fault: the peer answered, and the answer is an error. */
export class Fault extends CodedError<FaultErrorCode> {
  static override readonly brand: string = 'pyblish.xmlrpc.Fault';
  static override readonly codes: readonly FaultErrorCode[] = FAULT_CODES;
  readonly faultCode: number;
  readonly faultString: string;
  constructor(faultCode: number, faultString: string) {
    super(FAULT_NAMES.get(faultCode) ?? 'FAULT', `XML-RPC fault ${faultCode}: ${faultString}`);
    this.faultCode = faultCode;
    this.faultString = faultString;
  }
}

export const DECODE_ERROR_CODES = [
  'PARSE_ERROR',
  'UNSUPPORTED_ENCODING',
  'INVALID_CHARACTER',
  'INVALID_REQUEST',
  'LIMIT_EXCEEDED',
] as const satisfies readonly FaultErrorCode[];
export type DecodeErrorCode = (typeof DECODE_ERROR_CODES)[number];

/** The fault numbers a DecodeError carries. */
export type DecodeFaultCode = (typeof FaultCode)[
  | 'ParseError'
  | 'UnsupportedEncoding'
  | 'InvalidCharacter'
  | 'InvalidRequest'
  | 'LimitExceeded'];

/**
 * The message itself is wrong (malformed XML, not XML-RPC, a limit exceeded). A server sends it
 * back as a fault; a client reports it as a bad response rather than as the peer's fault.
 */
export class DecodeError extends Fault {
  static override readonly brand = 'pyblish.xmlrpc.DecodeError';
  static override readonly codes = DECODE_ERROR_CODES;
  declare readonly code: DecodeErrorCode;
  /** Only the decoder's fault numbers, so `code` is one of DECODE_ERROR_CODES. */
  constructor(faultCode: DecodeFaultCode, faultString: string) {
    super(faultCode, faultString);
  }
}

/** Why a call failed without a fault from the peer: nothing usable came back. */
export const TRANSPORT_ERROR_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'NETWORK',
  'TIMEOUT',
  'ABORTED',
  'HTTP_STATUS',
  'TRUNCATED',
  'BAD_RESPONSE',
  'TOO_LARGE',
  'CLOSED',
] as const;
export type TransportErrorCode = (typeof TRANSPORT_ERROR_CODES)[number];

export class TransportError extends CodedError<TransportErrorCode> {
  static override readonly brand = 'pyblish.xmlrpc.TransportError';
  static override readonly codes = TRANSPORT_ERROR_CODES;
  /** HTTP status, for `HTTP_STATUS`. */
  readonly status?: number;
  constructor(code: TransportErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.status !== undefined) this.status = options.status;
  }
}

export const ENCODE_ERROR_CODES = [
  /** A function, a symbol, a class instance, an invalid Date, a bigint beyond 64 bits... */
  'UNENCODABLE',
  /** Nested deeper than the depth limit (a cycle, usually). */
  'TOO_DEEP',
] as const;
export type EncodeErrorCode = (typeof ENCODE_ERROR_CODES)[number];

/** A value that XML-RPC cannot carry, refused before anything is sent. */
export class EncodeError extends CodedError<EncodeErrorCode> {
  static override readonly brand = 'pyblish.xmlrpc.EncodeError';
  static override readonly codes = ENCODE_ERROR_CODES;
}

/** Why a server could not listen: the system's error for the common cases, else LISTEN_FAILED. */
export const LISTEN_ERROR_CODES = ['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'LISTEN_FAILED'] as const;
export type ListenErrorCode = (typeof LISTEN_ERROR_CODES)[number];

/** The server could not start listening; the cause holds the system's error. */
export class ListenError extends CodedError<ListenErrorCode> {
  static override readonly brand = 'pyblish.xmlrpc.ListenError';
  static override readonly codes = LISTEN_ERROR_CODES;
  readonly port: number;
  constructor(code: ListenErrorCode, port: number, message: string, cause?: unknown) {
    super(code, message, { cause });
    this.port = port;
  }
}

export const REGISTRATION_ERROR_CODES = ['BAD_METHOD_NAME', 'DUPLICATE_METHOD'] as const;
export type RegistrationErrorCode = (typeof REGISTRATION_ERROR_CODES)[number];

/** A method registered under a name that cannot be called, or twice. */
export class RegistrationError extends CodedError<RegistrationErrorCode> {
  static override readonly brand = 'pyblish.xmlrpc.RegistrationError';
  static override readonly codes = REGISTRATION_ERROR_CODES;
}
