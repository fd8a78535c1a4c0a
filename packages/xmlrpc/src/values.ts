/** The range of `<i8>`. */
export const I8_MIN = -(2n ** 63n);
export const I8_MAX = 2n ** 63n - 1n;

/** A value that travels over XML-RPC. `null` is the `<nil/>` extension (Python's `allow_none`). */
export type XmlRpcValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Date
  | Uint8Array
  | XmlRpcValue[]
  | { [key: string]: XmlRpcValue };

/** An XML-RPC `<struct>`: a plain object of members. */
export type XmlRpcStruct = { [key: string]: XmlRpcValue };

/**
 * Whether `v` is a struct: a plain object. Arrays, dates, bytes and pre-encoded values are
 * objects too, but not structs.
 */
export function isStruct(v: XmlRpcValue | undefined): v is XmlRpcStruct {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

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
export class Fault extends Error {
  readonly faultCode: number;
  readonly faultString: string;
  constructor(faultCode: number, faultString: string) {
    super(`XML-RPC fault ${faultCode}: ${faultString}`);
    this.name = 'Fault';
    this.faultCode = faultCode;
    this.faultString = faultString;
  }
}

/** Sets `obj[key] = value` as own data, so a key such as `__proto__` never touches a prototype. */
export function setMember(obj: { [key: string]: XmlRpcValue }, key: string, value: XmlRpcValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
