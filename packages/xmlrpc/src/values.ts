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

/** Sets `obj[key] = value` as own data, so a key such as `__proto__` never touches a prototype. */
export function setMember(obj: { [key: string]: XmlRpcValue }, key: string, value: XmlRpcValue): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
