/** The literals of XML-RPC's scalar types, read strictly, and shorthands for the error a bad message raises. */

import { DecodeError, FaultCode } from './errors.js';
import * as grammar from './grammar.js';
import { I8_MAX, I8_MIN, type XmlRpcValue } from './values.js';

// Local copies: module bindings read in hot code cost more than locals.
const { T, TAG_NAMES } = grammar;

export const invalid = (message: string) => new DecodeError(FaultCode.InvalidRequest, message);
export const limit = (message: string) => new DecodeError(FaultCode.LimitExceeded, message);

export const WHITESPACE = /^[ \t\r\n]*$/;
const INTEGER = /^[ \t\r\n]*([+-]?[0-9]+)[ \t\r\n]*$/;
const DOUBLE = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_DOUBLE = /^([+-]?)(nan|inf|infinity)$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATETIME = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

function parseInteger(tag: string, text: string): number | bigint {
  const m = INTEGER.exec(text);
  if (m === null) throw invalid(`<${tag}> holds "${text.trim().slice(0, 40)}", not an integer`);
  const digits = m[1]!;
  if (tag !== 'i8') {
    const n = Number(digits);
    if (n < -2147483648 || n > 2147483647) throw invalid(`<${tag}> ${digits} is outside the 32-bit range`);
    return n;
  }
  const big = BigInt(digits);
  if (big < I8_MIN || big > I8_MAX) throw invalid(`<i8> ${digits} is outside the 64-bit range`);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

function parseDouble(text: string): number {
  const s = text.trim();
  const special = SPECIAL_DOUBLE.exec(s);
  if (special !== null) {
    if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
    return special[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (!DOUBLE.test(s)) throw invalid(`<double> holds "${s.slice(0, 40)}", not a number`);
  const n = Number(s);
  if (!Number.isFinite(n))
    throw invalid(`<double> ${s.slice(0, 40)} is out of range (write inf for infinity)`);
  return n;
}

function parseDateTime(text: string): Date {
  const s = text.trim();
  const m = DATETIME.exec(s);
  const bad = () => invalid(`<dateTime.iso8601> holds "${s.slice(0, 40)}", not YYYYMMDDTHH:MM:SS`);
  if (m === null) throw bad();
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const frac = m[7];
  const zone = m[8];
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are.
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, sec, frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000));
  if (
    date.getUTCMonth() !== mo - 1 ||
    date.getUTCDate() !== d ||
    date.getUTCHours() !== h ||
    mi > 59 ||
    sec > 59
  ) {
    throw bad();
  }
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    date.setTime(
      date.getTime() - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000,
    );
  }
  return date;
}

function parseBase64(text: string): Uint8Array {
  const s = text.replace(/[ \t\r\n]+/g, '');
  if (s.length % 4 !== 0 || !BASE64.test(s)) throw invalid('<base64> holds invalid base64');
  const buf = Buffer.from(s, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * An independent copy of `s`. V8 makes a substring of 13 or more characters a slice that points
 * into (and keeps alive) the whole message it was cut from; a GUI that keeps a log line from each
 * reply would keep every reply. Shorter substrings are already copies.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

export function parseScalar(code: number, text: string): XmlRpcValue {
  switch (code) {
    case T.string:
      return ownString(text);
    case T.int:
    case T.i4:
    case T.i8:
      return parseInteger(TAG_NAMES[code]!, text);
    case T.boolean: {
      const s = text.trim();
      if (s === '1') return true;
      if (s === '0') return false;
      throw invalid(`<boolean> holds "${s.slice(0, 40)}"; only 0 and 1 are allowed`);
    }
    case T.double:
      return parseDouble(text);
    case T['dateTime.iso8601']:
      return parseDateTime(text);
    case T.base64:
      return parseBase64(text);
    default: // nil
      if (!WHITESPACE.test(text)) throw invalid('<nil/> must be empty');
      return null;
  }
}
