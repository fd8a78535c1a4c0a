// The XML-RPC encoder: values and messages to UTF-8 bytes (or text), in five layers: text
// escaping; a reusable byte writer with its markup prepared once (Constant, Writer, Gap); values
// encoded once to send many times or to hand across threads (preencode); the value walk on an
// explicit stack, bounded by the depth limit; and the message envelopes.
// Why one file of about 750 lines: the layers were tuned together, each change measured
// (docs/xmlrpc.md, Benchmark), and the hot loops read the writer's tables, constants and spare
// buffer as module-local bindings, which cost less in a hot loop than imported ones. Split into
// modules, they would become imports.
import { isAscii } from 'node:buffer';
import { EncodeError, type Fault } from './errors.js';
import { defaultLimits } from './limits.js';
import { I8_MAX, I8_MIN, type XmlRpcValue } from './values.js';

// The encoder writes UTF-8 bytes straight into one growing buffer: building a string first and
// converting it costs more than the building (a deep rope of small pieces is slow to flatten).
// Markup is written from constants prepared once, eight bytes per store; text goes through one
// loop that escapes and encodes in the same pass.

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

const UTF8 = new TextEncoder();

/**
 * Markup known in advance, as 8-byte words: a DataView store of a float64 writes eight bytes in
 * one step, and keeps every bit of any number but a NaN. UTF-8 never makes a NaN word: that
 * needs 0x7F or 0xFF in its high byte after a byte >= 0xF0, and after a 4-byte lead byte UTF-8
 * has a continuation byte (0x80-0xBF).
 */
class Constant {
  readonly length: number;
  readonly words: Float64Array;
  constructor(text: string) {
    const bytes = UTF8.encode(text);
    // Padded to pairs of words: the loop in Writer#put writes two per step (measured faster).
    const padded = new Uint8Array(Math.ceil(bytes.length / 16) * 16);
    padded.set(bytes);
    this.length = bytes.length;
    this.words = new Float64Array(padded.buffer);
  }
}

// What each byte below 0x80 becomes in text: COPY, or an index into ESCAPES.
const COPY = 255;
const ESCAPES = ['&amp;', '&lt;', '&gt;', '&#13;', '\ufffd'].map((s) => UTF8.encode(s));
const ASCII_CLASS = new Uint8Array(128).fill(COPY);
ASCII_CLASS.fill(4, 0, 0x20);
ASCII_CLASS[0x09] = COPY;
ASCII_CLASS[0x0a] = COPY;
ASCII_CLASS[0x26] = 0;
ASCII_CLASS[0x3c] = 1;
ASCII_CLASS[0x3e] = 2;
ASCII_CLASS[0x0d] = 3;

// Longer text is escaped with the regular expressions and written by Buffer#write (native code
// pays off past about this many characters).
const LONG_TEXT = 48;
// Room kept past the end of what is written: a constant's last words may reach 15 bytes beyond it.
const SLACK = 16;

/** One growing buffer of UTF-8, reused from message to message (encoding is synchronous). */
class Writer {
  buf: Buffer;
  view: DataView;
  pos = 0;
  handedOver = false;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n + SLACK > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n + SLACK));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  put(k: Constant): void {
    const words = k.words;
    this.room(k.length);
    const view = this.view;
    const end = this.pos + k.length;
    for (let i = 0, p = this.pos; p < end; i += 2, p += 16) {
      view.setFloat64(p, words[i]!, true);
      view.setFloat64(p + 8, words[i + 1]!, true);
    }
    this.pos = end;
  }

  /** Text known to need no escaping and to be ASCII (numbers, dates, base64). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    if (n > LONG_TEXT) {
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** `k / 1000` in decimal, for an int32 `k` that is not a multiple of 1000: `-12.5` for -12500. */
  thousandths(k: number): void {
    this.room(16);
    const buf = this.buf;
    let p = this.pos;
    if (k < 0) buf[p++] = 0x2d;
    const abs = Math.abs(k);
    const whole = Math.floor(abs / 1000);
    const frac = abs - whole * 1000;
    let digits = 1;
    for (let t = whole; t >= 10; t = Math.floor(t / 10)) digits++;
    for (let t = whole, i = p + digits - 1; i >= p; i--, t = Math.floor(t / 10)) buf[i] = 0x30 + (t % 10);
    p += digits;
    buf[p++] = 0x2e;
    buf[p++] = 0x30 + Math.floor(frac / 100);
    if (frac % 100 !== 0) {
      buf[p++] = 0x30 + (Math.floor(frac / 10) % 10);
      if (frac % 10 !== 0) buf[p++] = 0x30 + (frac % 10);
    }
    this.pos = p;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Element text: escaped, characters XML cannot carry replaced, as UTF-8. */
  text(s: string): void {
    const n = s.length;
    if (n > LONG_TEXT) {
      const t = escapeText(s);
      this.room(t.length * 3);
      this.pos += this.buf.write(t, this.pos, 'utf8');
      return;
    }
    // At most 5 bytes per UTF-16 unit (`&amp;`; a surrogate pair is 4 bytes for 2 units).
    this.room(n * 5);
    const buf = this.buf;
    let p = this.pos;
    let i = 0;
    for (;;) {
      // Characters copied as they are (most text) in a tight loop; then one of the others.
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80 || ASCII_CLASS[c] !== COPY) break;
        buf[p++] = c;
      }
      if (i === n) break;
      let c = s.charCodeAt(i++);
      if (c < 0x80) {
        const e = ESCAPES[ASCII_CLASS[c]!]!;
        for (let j = 0; j < e.length; j++) buf[p++] = e[j]!;
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = c <= 0xdbff && i < n ? s.charCodeAt(i) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 0x3f);
          buf[p++] = 0x80 | ((c >> 6) & 0x3f);
          buf[p++] = 0x80 | (c & 0x3f);
        } else {
          p = replacement(buf, p);
        }
      } else if (c >= 0xfffe) {
        p = replacement(buf, p);
      } else {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
  }

  /** The bytes written, in a buffer the caller owns. */
  take(): Buffer {
    if (this.pos > HAND_OVER_BYTES) {
      const out = this.buf.subarray(0, this.pos);
      this.handedOver = true;
      return out;
    }
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  toString(): string {
    // Plain ASCII (most messages) is copied as Latin-1, several times faster than UTF-8 decoding.
    return isAscii(this.buf.subarray(0, this.pos))
      ? this.buf.toString('latin1', 0, this.pos)
      : this.buf.toString('utf8', 0, this.pos);
  }
}

/** Writes U+FFFD at `p`; returns the position after it. */
function replacement(buf: Buffer, p: number): number {
  buf[p] = 0xef;
  buf[p + 1] = 0xbf;
  buf[p + 2] = 0xbd;
  return p + 3;
}

// A message up to HAND_OVER_BYTES is written into a buffer reused from message to message and
// copied out. A larger one is handed over in the buffer it was written in (copying it out cost
// more than a new buffer for the next one: measured), and the next buffer is sized after it.
const INITIAL_BYTES = 64 * 1024;
const HAND_OVER_BYTES = 256 * 1024;
// The reused buffer is kept up to this size, so an idle process does not hold a large one.
const KEEP_BYTES = 4 * 1024 * 1024;
let spare: Buffer | null = null;
let nextSize = INITIAL_BYTES;

/** A writer on the reused buffer, or a new one (after a hand-over, or during another encoding). */
function openWriter(): Writer {
  const buf = spare ?? Buffer.allocUnsafeSlow(nextSize);
  spare = null;
  return new Writer(buf);
}

function closeWriter(w: Writer): void {
  if (w.handedOver) {
    // The next large message is likely about as large as this one.
    nextSize = Math.min(w.pos + (w.pos >> 3) + INITIAL_BYTES, defaultLimits.maxBodyBytes);
  } else if (w.buf.length <= KEEP_BYTES) {
    spare = w.buf;
  } else {
    // Sized for a large message, it held a small one: the messages after it start small again
    // (else every small reply after a large one would take a buffer of megabytes).
    nextSize = INITIAL_BYTES;
  }
}

const c = (text: string) => new Constant(text);
const NIL = c('<nil/>');
const TRUE = c('<boolean>1</boolean>');
const FALSE = c('<boolean>0</boolean>');
const NAN = c('<double>nan</double>');
const INF = c('<double>inf</double>');
const NEG_INF = c('<double>-inf</double>');
const INT_OPEN = c('<int>');
const INT_CLOSE = c('</int>');
const DOUBLE_OPEN = c('<double>');
const DOUBLE_CLOSE = c('</double>');
const I8_OPEN = c('<i8>');
const I8_CLOSE = c('</i8>');
const DATE_OPEN = c('<dateTime.iso8601>');
const DATE_CLOSE = c('</dateTime.iso8601>');
const BASE64_OPEN = c('<base64>');
const BASE64_CLOSE = c('</base64>');
const EMPTY_ARRAY = c('<array><data></data></array>');
const EMPTY_STRUCT = c('<struct></struct>');
// Small non-negative ints are common (frames, counts, flags); their markup is made once, when
// first written.
const SMALL_INTS: (Constant | undefined)[] = new Array(1024).fill(undefined);

function smallIntMarkup(n: number): Constant {
  let k = SMALL_INTS[n];
  if (k === undefined) {
    k = c(`<int>${n}</int>`);
    SMALL_INTS[n] = k;
  }
  return k;
}

/**
 * The markup between two values, such as `</value></member><member><name>KEY</name><value>`,
 * written in one piece together with the `</string>` of a string before it and the `<string>`
 * of a string after it: four variants, each made when first needed.
 */
class Gap {
  readonly #text: string;
  readonly #variants: (Constant | undefined)[] = [undefined, undefined, undefined, undefined];

  constructor(text: string) {
    this.#text = text;
  }

  /** The variant after a string or not (`afterString` 2 or 0), before a string or not (1 or 0). */
  get(variant: number): Constant {
    return this.#variants[variant] ?? this.#make(variant);
  }

  write(w: Writer, variant: number): void {
    w.put(this.get(variant));
  }

  #make(variant: number): Constant {
    const k = c(`${variant & 2 ? '</string>' : ''}${this.#text}${variant & 1 ? '<string>' : ''}`);
    this.#variants[variant] = k;
    return k;
  }
}

const g = (text: string) => new Gap(text);
const NOTHING = g('');
const ARRAY_FIRST = g('<array><data><value>');
const ARRAY_NEXT = g('</value><value>');
const ARRAY_END = g('</value></data></array>');
const STRUCT_END = g('</value></member></struct>');
const FIRST_NAME = g('<struct><member><name>');
const LATER_NAME = g('</value></member><member><name>');
const NAME_END = g('</name><value>');

/** The gap before a member whose name has no markup made for it: written in three pieces. */
class NameGap extends Gap {
  readonly #before: Gap;
  readonly #name: string;

  constructor(before: Gap, name: string) {
    super('');
    this.#before = before;
    this.#name = name;
  }

  override write(w: Writer, variant: number): void {
    w.put(this.#before.get(variant & 2));
    w.text(this.#name);
    w.put(NAME_END.get(variant & 1));
  }
}

/** Where a struct member starts, as its struct's first member and as a later one. */
interface MemberGaps {
  first: Gap;
  later: Gap;
}

// Markup for member names is made for names up to MAX_CACHED_KEY characters in structs of up to
// MAX_CACHED_MEMBERS members (larger structs are usually keyed by data, such as paths), for up
// to MAX_CACHED names; after that, new names are written piece by piece. Struct key lists are
// remembered likewise, looked up by their first key and then compared key by key.
const MAX_CACHED_KEY = 64;
const MAX_CACHED_MEMBERS = 64;
const MAX_CACHED = 4096;
const memberCache = new Map<string, MemberGaps>();
const shapeCache = new Map<string, { keys: string[]; gaps: Gap[] }>();

function memberGap(key: string, first: boolean, cacheable: boolean): Gap {
  let m = memberCache.get(key);
  if (m === undefined) {
    if (!cacheable || key.length > MAX_CACHED_KEY || memberCache.size >= MAX_CACHED) {
      return new NameGap(first ? FIRST_NAME : LATER_NAME, key);
    }
    const member = `<member><name>${escapeText(key)}</name><value>`;
    m = { first: g(`<struct>${member}`), later: g(`</value></member>${member}`) };
    memberCache.set(key, m);
  }
  return first ? m.first : m.later;
}

/** The gap before each member of a struct with these keys (in this order). */
function gapsOf(keys: string[]): Gap[] {
  const first = keys[0]!;
  const shape = shapeCache.get(first);
  if (shape !== undefined && shape.keys.length === keys.length) {
    let i = 0;
    while (i < keys.length && shape.keys[i] === keys[i]) i++;
    if (i === keys.length) return shape.gaps;
  }
  const cacheable = keys.length <= MAX_CACHED_MEMBERS;
  const gaps = keys.map((key, i) => memberGap(key, i === 0, cacheable));
  if (cacheable && shape === undefined && shapeCache.size < MAX_CACHED) shapeCache.set(first, { keys, gaps });
  return gaps;
}

declare const encodedBrand: unique symbol;

/**
 * A value encoded in advance by `preencode`, to place anywhere inside a value to encode: its
 * XML is copied verbatim, so a large part that repeats across replies is encoded once.
 * Opaque; only `preencode` makes one, so its XML is always well formed.
 */
export type EncodedValue = { readonly [encodedBrand]: true };

class Fragment {
  /** The UTF-8 between `<value>` and `</value>`. */
  readonly #inner: Uint8Array;
  /** How deep arrays and structs nest inside it (0 for a scalar). */
  readonly #depth: number;

  constructor(inner: Uint8Array, depth: number) {
    this.#inner = inner;
    this.#depth = depth;
    Object.freeze(this);
  }

  /** The fragment's bytes and depth, or null when `v` is not a fragment `preencode` made. */
  static open(v: object): { inner: Uint8Array; depth: number } | null {
    return #inner in v ? { inner: (v as Fragment).#inner, depth: (v as Fragment).#depth } : null;
  }
}

/** Encodes `value` once, for use (any number of times) inside values encoded later. */
export function preencode(value: XmlRpcValue | undefined, maxDepth = defaultLimits.maxDepth): EncodedValue {
  const w = openWriter();
  try {
    // Without the `<value>` and `</value>` around it: the place it goes in writes those.
    const depth = writeValue(w, value, maxDepth, NOTHING, NOTHING);
    // A copy in memory of its own (a small Buffer may share a pool's; a fragment may be kept long).
    return new Fragment(new Uint8Array(w.take()), depth) as unknown as EncodedValue;
  } finally {
    closeWriter(w);
  }
}

/** Whether `v` is a value `preencode` made (its bytes can be sent on as they are). */
export function isEncodedValue(v: unknown): v is EncodedValue {
  return typeof v === 'object' && v !== null && Fragment.open(v) !== null;
}

/** An EncodedValue as plain data, for another thread of this process (`postMessage` copies or transfers it). */
export interface EncodedValueData {
  readonly xml: Uint8Array;
  readonly depth: number;
}

/** The data of a value `preencode` made, to hand to another thread. */
export function encodedValueData(v: EncodedValue): EncodedValueData {
  const open = Fragment.open(v);
  if (open === null) throw new EncodeError('UNENCODABLE', 'only a value preencode made has encoded data');
  return { xml: open.inner, depth: open.depth };
}

/**
 * The EncodedValue again, from `encodedValueData` output that another thread of this process
 * sent. Its bytes are used as they are, unchecked: never pass data from outside the process.
 */
export function encodedValueFromData(data: EncodedValueData): EncodedValue {
  return new Fragment(data.xml, data.depth) as unknown as EncodedValue;
}

function describe(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** Writes the body of a number (between `<value>` and `</value>`). */
function writeNumber(w: Writer, n: number): void {
  if (Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX) {
    if (n >= 0 && n < SMALL_INTS.length) {
      w.put(smallIntMarkup(n));
    } else {
      w.put(INT_OPEN);
      w.ascii(String(n));
      w.put(INT_CLOSE);
    }
  } else if (Number.isNaN(n)) {
    w.put(NAN);
  } else if (n === Number.POSITIVE_INFINITY) {
    w.put(INF);
  } else if (n === Number.NEGATIVE_INFINITY) {
    w.put(NEG_INF);
  } else {
    w.put(DOUBLE_OPEN);
    const k = n * 1000;
    // A double with up to three decimals (orders, frame rates) is written from its digits: when n
    // is the double nearest to k/1000, what String(n) gives (the shortest text that reads back as
    // n) is k/1000, since two decimals of 15 or fewer significant digits never share a double.
    if (Number.isInteger(k) && k % 1000 !== 0 && Math.abs(k) <= INT32_MAX && k / 1000 === n) {
      w.thousandths(k);
    } else {
      w.ascii(String(n));
    }
    w.put(DOUBLE_CLOSE);
  }
}

/**
 * Writes the body of a value other than a string, an array or a struct; returns false for an
 * array or a struct (the caller opens those), else how deep containers nest in what it wrote
 * (0, or the depth of a pre-encoded value).
 */
function writeScalar(w: Writer, v: unknown): number | false {
  switch (typeof v) {
    case 'number':
      writeNumber(w, v);
      return 0;
    case 'boolean':
      w.put(v ? TRUE : FALSE);
      return 0;
    case 'undefined':
      w.put(NIL);
      return 0;
    case 'bigint':
      if (v < I8_MIN || v > I8_MAX)
        throw new EncodeError('UNENCODABLE', `bigint ${v} does not fit in 64 bits`);
      w.put(I8_OPEN);
      w.ascii(String(v));
      w.put(I8_CLOSE);
      return 0;
    case 'object':
      break;
    default:
      throw new EncodeError('UNENCODABLE', `cannot encode a ${typeof v}`);
  }
  if (v === null) {
    w.put(NIL);
    return 0;
  }
  if (Array.isArray(v)) return false;
  // Structs first: they are far more common than bytes and dates.
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return false;
  if (v instanceof Uint8Array) {
    w.put(BASE64_OPEN);
    w.ascii(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'));
    w.put(BASE64_CLOSE);
    return 0;
  }
  if (v instanceof Date) {
    w.put(DATE_OPEN);
    w.ascii(formatDateTime(v));
    w.put(DATE_CLOSE);
    return 0;
  }
  const fragment = Fragment.open(v);
  if (fragment === null) {
    throw new EncodeError(
      'UNENCODABLE',
      `cannot encode a ${describe(v)}; convert it to a plain object first`,
    );
  }
  w.bytes(fragment.inner);
  return fragment.depth;
}

/** A container left open while one inside it is written: its items and where to go on. */
interface Frame {
  items: readonly unknown[];
  gaps: Gap[] | null;
  i: number;
}

const NO_ITEMS: readonly unknown[] = [];

/**
 * Writes `open`, the XML of `root` (without `<value>` around it: `open` and `close` hold those)
 * and `close`; returns how deep arrays and structs nest in it. Iterative (an explicit stack), so
 * no value, however deep, can overflow the JavaScript stack.
 */
function writeValue(w: Writer, root: unknown, maxDepth: number, open: Gap, close: Gap): number {
  // The containers around the current one; frames are reused for the next container at a depth.
  const frames: Frame[] = [];
  let depth = 0;
  let deepest = 0;
  // The current container (an array when `gaps` is null, else a struct's values) and the index
  // of its next item; at depth 0 there is none.
  let items = NO_ITEMS;
  let gaps: Gap[] | null = null;
  let i = 0;
  let v = root;
  let gap = open;
  // Whether the last thing written is a string's text, its `</string>` left to the next gap.
  let afterString = 0;
  for (;;) {
    // Write v, or open it.
    if (typeof v === 'string') {
      gap.write(w, afterString | 1);
      w.text(v);
      afterString = 2;
    } else {
      gap.write(w, afterString);
      afterString = 0;
      const inner = typeof v === 'number' && (v | 0) === v && v >= 0 ? smallInt(w, v) : writeScalar(w, v);
      if (inner !== false) {
        if (depth + inner > maxDepth) tooDeep(maxDepth);
        if (depth + inner > deepest) deepest = depth + inner;
      } else {
        if (depth >= maxDepth) tooDeep(maxDepth);
        if (depth + 1 > deepest) deepest = depth + 1;
        const isArray = Array.isArray(v);
        let openItems: readonly unknown[];
        let openGaps: Gap[] | null = null;
        if (isArray) {
          openItems = v as readonly unknown[];
        } else {
          const keys = Object.keys(v as object);
          openItems = Object.values(v as object);
          // A proxy could list different keys to the two calls.
          if (openItems.length !== keys.length)
            throw new EncodeError(
              'UNENCODABLE',
              'a struct listed different keys on two reads (a Proxy?); pass a plain object',
            );
          if (keys.length > 0) openGaps = gapsOf(keys);
        }
        if (openItems.length === 0) {
          w.put(isArray ? EMPTY_ARRAY : EMPTY_STRUCT);
        } else {
          const frame = frames[depth];
          if (frame === undefined) {
            frames.push({ items, gaps, i });
          } else {
            frame.items = items;
            frame.gaps = gaps;
            frame.i = i;
          }
          depth++;
          items = openItems;
          gaps = openGaps;
          i = 0;
        }
      }
    }
    // The next value to write, closing the containers that are done.
    for (;;) {
      if (depth === 0) {
        w.put(close.get(afterString));
        return deepest;
      }
      if (i < items.length) {
        gap = gaps === null ? (i === 0 ? ARRAY_FIRST : ARRAY_NEXT) : gaps[i]!;
        v = items[i++];
        break;
      }
      w.put((gaps === null ? ARRAY_END : STRUCT_END).get(afterString));
      afterString = 0;
      depth--;
      const outer = frames[depth]!;
      items = outer.items;
      gaps = outer.gaps;
      i = outer.i;
    }
  }
}

function smallInt(w: Writer, n: number): 0 {
  if (n < SMALL_INTS.length) {
    w.put(smallIntMarkup(n));
  } else {
    writeNumber(w, n);
  }
  return 0;
}

function tooDeep(maxDepth: number): never {
  throw new EncodeError('TOO_DEEP', `value nests deeper than ${maxDepth} levels (is there a cycle?)`);
}

/** Runs `write` on a writer and returns what it wrote, as bytes or as a string. */
function encodeWith(write: (w: Writer) => void, as: 'bytes'): Buffer;
function encodeWith(write: (w: Writer) => void, as: 'string'): string;
function encodeWith(write: (w: Writer) => void, as: 'bytes' | 'string'): Buffer | string {
  const w = openWriter();
  try {
    write(w);
    return as === 'bytes' ? w.take() : w.toString();
  } finally {
    closeWriter(w);
  }
}

const VALUE_OPEN = g('<value>');
const VALUE_CLOSE = g('</value>');

/** Encodes one value as `<value>...</value>`. Throws EncodeError for what XML-RPC cannot carry. */
export function encodeValueXml(value: XmlRpcValue | undefined, maxDepth = defaultLimits.maxDepth): string {
  return encodeWith((w) => writeValue(w, value, maxDepth, VALUE_OPEN, VALUE_CLOSE), 'string');
}

const PROLOG = '<?xml version="1.0"?>\n';
const CALL_OPEN = c(`${PROLOG}<methodCall><methodName>`);
const CALL_PARAMS = c('</methodName><params>');
const PARAM_OPEN = g('<param><value>');
const PARAM_CLOSE = g('</value></param>');
const CALL_CLOSE = c('</params></methodCall>\n');
const RESPONSE_OPEN = g(`${PROLOG}<methodResponse><params><param><value>`);
const RESPONSE_CLOSE = g('</value></param></params></methodResponse>\n');

function writeCall(
  w: Writer,
  method: string,
  params: readonly (XmlRpcValue | undefined)[],
  maxDepth: number,
) {
  w.put(CALL_OPEN);
  w.text(method);
  w.put(CALL_PARAMS);
  for (const p of params) writeValue(w, p, maxDepth, PARAM_OPEN, PARAM_CLOSE);
  w.put(CALL_CLOSE);
}

/** A `<methodCall>` as UTF-8, ready to send. */
export function encodeMethodCallBytes(
  method: string,
  params: readonly (XmlRpcValue | undefined)[] = [],
  maxDepth = defaultLimits.maxDepth,
): Buffer {
  return encodeWith((w) => writeCall(w, method, params, maxDepth), 'bytes');
}

export function encodeMethodCall(
  method: string,
  params: readonly (XmlRpcValue | undefined)[] = [],
  maxDepth = defaultLimits.maxDepth,
): string {
  return encodeWith((w) => writeCall(w, method, params, maxDepth), 'string');
}

/** Responses that are a large fragment and nothing else, kept while the fragment lives. */
const fragmentResponses = new WeakMap<object, Buffer>();
/** From this size a response of one fragment is kept, to be sent again without a copy. */
const KEEP_RESPONSE_BYTES = 64 * 1024;

/**
 * A `<methodResponse>` as UTF-8, ready to send. The response of a large preencoded value is
 * built once: a server that sends the same kept value again sends the same bytes (read them only).
 */
export function encodeMethodResponseBytes(
  value: XmlRpcValue | undefined,
  maxDepth = defaultLimits.maxDepth,
): Buffer {
  const fragment = typeof value === 'object' && value !== null ? Fragment.open(value) : null;
  const kept = fragment && fragmentResponses.get(value as object);
  if (kept) return kept;
  const bytes = encodeWith((w) => writeValue(w, value, maxDepth, RESPONSE_OPEN, RESPONSE_CLOSE), 'bytes');
  if (fragment && fragment.inner.byteLength >= KEEP_RESPONSE_BYTES)
    fragmentResponses.set(value as object, bytes);
  return bytes;
}

export function encodeMethodResponse(
  value: XmlRpcValue | undefined,
  maxDepth = defaultLimits.maxDepth,
): string {
  return encodeWith((w) => writeValue(w, value, maxDepth, RESPONSE_OPEN, RESPONSE_CLOSE), 'string');
}

export function encodeFault(fault: Pick<Fault, 'faultCode' | 'faultString'>): string {
  return (
    `${PROLOG}<methodResponse><fault><value><struct>` +
    `<member><name>faultCode</name><value><int>${fault.faultCode | 0}</int></value></member>` +
    `<member><name>faultString</name><value><string>${escapeText(String(fault.faultString))}</string></value></member>` +
    '</struct></value></fault></methodResponse>\n'
  );
}
