import { EncodeError } from './errors.js';
import { defaultLimits } from './limits.js';
import { type Fault, I8_MAX, I8_MIN, type XmlRpcValue } from './values.js';

// Characters XML 1.0 cannot carry (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF)
// become U+FFFD, so a plug-in's ANSI-coloured log line never makes a whole reply unparseable.
// `\r` is legal but XML parsers turn it into `\n`; a character reference keeps it.
// A quick test without the `u` flag (faster); it also matches valid surrogate pairs, which the
// replacement below (with `u`) then leaves alone.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters we escape
const NEEDS_ESCAPE = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters we escape
const ESCAPE_ALL = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

function escapeChar(c: string): string {
  switch (c) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '\r':
      return '&#13;';
    default:
      return '\ufffd';
  }
}

/** Escapes text for an XML element body; replaces characters XML 1.0 cannot carry with U+FFFD. */
export function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, escapeChar) : s;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Python's `YYYYMMDDTHH:MM:SS`, in UTC; milliseconds are dropped. */
export function formatDateTime(d: Date): string {
  const iso = Number.isFinite(d.getTime()) ? d.toISOString() : '';
  if (iso.length !== 24)
    throw new EncodeError('UNENCODABLE', 'cannot encode an invalid Date or a year outside 0-9999');
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 19)}`;
}

function encodeNumber(n: number): string {
  if (Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX) return `<int>${n === 0 ? 0 : n}</int>`;
  if (Number.isNaN(n)) return '<double>nan</double>';
  if (n === Number.POSITIVE_INFINITY) return '<double>inf</double>';
  if (n === Number.NEGATIVE_INFINITY) return '<double>-inf</double>';
  return `<double>${n}</double>`;
}

function describe(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** The XML of a scalar other than a string or an int32 (the loop below writes those itself). */
function scalarXml(v: unknown): string | null {
  switch (typeof v) {
    case 'string':
      return `<value><string>${escapeText(v)}</string></value>`;
    case 'number':
      return `<value>${encodeNumber(v)}</value>`;
    case 'boolean':
      return v ? '<value><boolean>1</boolean></value>' : '<value><boolean>0</boolean></value>';
    case 'undefined':
      return '<value><nil/></value>';
    case 'bigint':
      if (v < I8_MIN || v > I8_MAX)
        throw new EncodeError('UNENCODABLE', `bigint ${v} does not fit in 64 bits`);
      return `<value><i8>${v}</i8></value>`;
    case 'object':
      break;
    default:
      throw new EncodeError('UNENCODABLE', `cannot encode a ${typeof v}`);
  }
  if (v === null) return '<value><nil/></value>';
  if (Array.isArray(v)) return null;
  if (v instanceof Uint8Array) {
    return `<value><base64>${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}</base64></value>`;
  }
  if (v instanceof Date) return `<value><dateTime.iso8601>${formatDateTime(v)}</dateTime.iso8601></value>`;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) {
    throw new EncodeError(
      'UNENCODABLE',
      `cannot encode a ${describe(v)}; convert it to a plain object first`,
    );
  }
  return null;
}

/** An open array (`keys` null) or struct, and how far it has been written. */
interface Frame {
  items: readonly unknown[];
  keys: string[] | null;
  obj: Record<string, unknown> | null;
  i: number;
}

/**
 * The XML of `root`. Iterative (an explicit stack), so no value, however deep, can overflow the
 * JavaScript stack.
 */
function encodeValue(root: unknown, maxDepth: number): string {
  const stack: Frame[] = [];
  let out = '';
  let v = root;
  for (;;) {
    // Write v, or open it.
    if (typeof v === 'string') {
      out += `<value><string>${NEEDS_ESCAPE.test(v) ? escapeText(v) : v}</string></value>`;
    } else if (typeof v === 'number' && (v | 0) === v) {
      out += `<value><int>${INTS[v] ?? v}</int></value>`;
    } else {
      const scalar = scalarXml(v);
      if (scalar !== null) {
        out += scalar;
      } else {
        if (stack.length >= maxDepth) {
          throw new EncodeError('TOO_DEEP', `value nests deeper than ${maxDepth} levels (is there a cycle?)`);
        }
        if (Array.isArray(v)) {
          stack.push({ items: v, keys: null, obj: null, i: 0 });
          out += '<value><array><data>';
        } else {
          const obj = v as Record<string, unknown>;
          stack.push({ items: EMPTY, keys: Object.keys(obj), obj, i: 0 });
          out += '<value><struct>';
        }
      }
    }
    // The next value to write, closing the containers that are done.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return out;
      if (top.keys === null) {
        if (top.i < top.items.length) {
          v = top.items[top.i++];
          break;
        }
        out += '</data></array></value>';
      } else {
        if (top.i > 0) out += '</member>';
        if (top.i < top.keys.length) {
          const key = top.keys[top.i++]!;
          out += `<member><name>${NEEDS_ESCAPE.test(key) ? escapeText(key) : key}</name>`;
          v = top.obj![key];
          break;
        }
        out += '</struct></value>';
      }
      stack.pop();
    }
  }
}

const EMPTY: readonly unknown[] = [];
// Small non-negative ints are common (frames, counts, flags); their text is made once.
const INTS = Array.from({ length: 1024 }, (_, n) => String(n));

/** Encodes one value as `<value>...</value>`. Throws EncodeError for what XML-RPC cannot carry. */
export function encodeValueXml(value: XmlRpcValue | undefined, maxDepth = defaultLimits.maxDepth): string {
  return encodeValue(value, maxDepth);
}

const PROLOG = '<?xml version="1.0"?>\n';

export function encodeMethodCall(
  method: string,
  params: readonly (XmlRpcValue | undefined)[] = [],
  maxDepth = defaultLimits.maxDepth,
): string {
  let out = `${PROLOG}<methodCall><methodName>${escapeText(method)}</methodName><params>`;
  for (const p of params) out += `<param>${encodeValue(p, maxDepth)}</param>`;
  return `${out}</params></methodCall>\n`;
}

export function encodeMethodResponse(
  value: XmlRpcValue | undefined,
  maxDepth = defaultLimits.maxDepth,
): string {
  return `${PROLOG}<methodResponse><params><param>${encodeValue(value, maxDepth)}</param></params></methodResponse>\n`;
}

export function encodeFault(fault: Pick<Fault, 'faultCode' | 'faultString'>): string {
  return (
    `${PROLOG}<methodResponse><fault><value><struct>` +
    `<member><name>faultCode</name><value><int>${fault.faultCode | 0}</int></value></member>` +
    `<member><name>faultString</name><value><string>${escapeText(String(fault.faultString))}</string></value></member>` +
    '</struct></value></fault></methodResponse>\n'
  );
}
