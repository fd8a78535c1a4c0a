/** Why a call failed without a fault from the peer: nothing usable came back. */
export type TransportErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'HTTP_STATUS'
  | 'TRUNCATED'
  | 'BAD_RESPONSE'
  | 'TOO_LARGE'
  | 'CLOSED';

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  /** HTTP status, for `HTTP_STATUS`. */
  readonly status?: number;
  constructor(code: TransportErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** A value that XML-RPC cannot carry (a function, a cycle, a bigint beyond 64 bits...). */
export class EncodeError extends TypeError {
  readonly code: 'UNENCODABLE' | 'TOO_DEEP';
  constructor(code: 'UNENCODABLE' | 'TOO_DEEP', message: string) {
    super(message);
    this.name = 'EncodeError';
    this.code = code;
  }
}

/** The server could not start listening. */
export class ListenError extends Error {
  readonly code: string;
  readonly port: number;
  constructor(code: string, port: number, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'ListenError';
    this.code = code;
    this.port = port;
  }
}
