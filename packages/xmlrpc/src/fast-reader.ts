// The fast reader: reads a whole message in the layout XML-RPC peers write (the known elements
// in grammatical order, no attributes, predefined entities and character references) in one pass
// over its bytes, comparing markup byte by byte and building the values on an explicit stack.
// Anything else (a comment, CDATA, a DOCTYPE, a grammar error, a bad literal, a limit) it hands
// to saxes (decode.ts), so it never accepts what saxes would refuse.
// Why one file of about 600 lines: the byte-class tables, the markup matcher, the member-name
// cache and the FastReader loop were tuned together, each change measured (docs/xmlrpc.md,
// Benchmark), and the loop reads them as module-local bindings, which cost less in a hot loop
// than imported ones. Split into modules, they would become imports.
import { T } from './grammar.js';
import type { Limits } from './limits.js';
import { parseScalar } from './scalars.js';
import { setMember, type XmlRpcValue } from './values.js';

/** Thrown by the fast reader when the input needs the full parser (saxes) to decide. */
const NEEDS_FULL_PARSER = Symbol('needs full parser');

/** What a message holds, however it was read. */
export interface MessageParts {
  method: string | null;
  params: XmlRpcValue[];
  faultValue: XmlRpcValue | undefined;
  sawRoot: boolean;
}

const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>$/;
function refused(): never {
  throw NEEDS_FULL_PARSER;
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 9 ||
    cp === 10 ||
    cp === 13 ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function decodeEntities(t: string): string {
  let out = '';
  let last = 0;
  let amp = t.indexOf('&');
  while (amp !== -1) {
    const semi = t.indexOf(';', amp);
    if (semi === -1 || semi - amp > 12) refused();
    const ref = t.slice(amp + 1, semi);
    let ch: string;
    switch (ref) {
      case 'amp':
        ch = '&';
        break;
      case 'lt':
        ch = '<';
        break;
      case 'gt':
        ch = '>';
        break;
      case 'quot':
        ch = '"';
        break;
      case 'apos':
        ch = "'";
        break;
      default: {
        const hex = ref.startsWith('#x');
        const digits = ref.slice(hex ? 2 : 1);
        if (ref[0] !== '#' || !(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) refused();
        const cp = Number.parseInt(digits, hex ? 16 : 10);
        if (!isXmlChar(cp)) refused();
        ch = String.fromCodePoint(cp);
      }
    }
    out += t.slice(last, amp) + ch;
    last = semi + 1;
    amp = t.indexOf('&', last);
  }
  return out + t.slice(last);
}

// The declarations Python (client, server) and this package write, accepted without a regex.
const DECLARATIONS = [
  `<?xml version='1.0'?>`,
  `<?xml version='1.0' encoding='utf-8'?>`,
  '<?xml version="1.0"?>',
];

export const ENCODINGS = /^(utf-?8|us-ascii|ascii)$/i;

// Bytes that make a text more than a plain ASCII slice: C0 controls (XML refuses them; the decoder
// replaces them before saxes), CR (line ends are normalised), '&' (references), '>' (maybe "]]>")
// and every byte of a multi-byte UTF-8 character. Markup is matched exactly, so text is the only
// place such bytes can be; one pass over a text finds both its end and whether it is plain.
// Each kind is a bit, so a text's bits say which steps it needs; 0xEF leads U+FFFE and U+FFFF.
const CONTROL_BYTE = 1;
const CR_BYTE = 2;
const AMP_BYTE = 4;
const GT_BYTE = 8;
const HIGH_BYTE = 16;
const EF_BYTE = 32;
const UNUSUAL = new Uint8Array(256).map((_, c) => {
  if (c < 0x20) return c === 9 || c === 10 ? 0 : c === 13 ? CR_BYTE : CONTROL_BYTE;
  if (c >= 0x80) return c === 0xef ? HIGH_BYTE | EF_BYTE : HIGH_BYTE;
  return c === 38 ? AMP_BYTE : c === 62 ? GT_BYTE : 0;
});
const NON_CHARACTER = /[\ufffe\uffff]/;

// Member names repeat (the same keys in every record): the same bytes give back the same string,
// already internalised, so no copy is made and property stores find the key at once. A slot holds
// a name, its length and its bytes (in one shared array, compared byte by byte).
const NAME_SLOTS = 1024;
const NAME_CACHED_MAX = 64;
const NAME_STRINGS: string[] = new Array(NAME_SLOTS).fill('');
const NAME_LENGTHS = new Int32Array(NAME_SLOTS).fill(-1);
const NAME_BYTES = new Uint8Array(NAME_SLOTS * NAME_CACHED_MAX);

/** The internalised copy of `s` (what V8 stores as a property key). */
function internalised(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

/**
 * A piece of markup, compared with the bytes four at a time: on a Latin-1 view `startsWith` costs
 * about 2.5 ns a character, which made tag checks most of the reading time.
 */
class Markup {
  readonly length: number;
  /** The little-endian 32-bit words at 0, 4, 8... short of the end (the first also on its own). */
  readonly words: Int32Array;
  readonly first: number;
  /** The last four bytes as a word (overlapping the one before when the length is not a multiple of 4). */
  readonly last: number;
  constructor(text: string) {
    const bytes = Buffer.from(text, 'latin1');
    this.length = bytes.length;
    this.words = new Int32Array(Math.ceil(bytes.length / 4) - 1).map((_, i) => bytes.readInt32LE(4 * i));
    this.first = bytes.readInt32LE(0);
    this.last = bytes.readInt32LE(bytes.length - 4);
  }
}

// The markup the reader looks for, by its text.
const MARKUP = [
  '<value>',
  '</value>',
  '<string>',
  '</string></value>',
  '<int>',
  '</int></value>',
  '<struct>',
  '</struct>',
  '<member>',
  '</member>',
  '</member><member><name>',
  '\n</member>\n<member>\n<name>',
  '<name>',
  '</name>',
  '</name><value>',
  '</name>\n<value>',
  '<array>',
  '</array>',
  '<data>',
  '</data>',
  '<nil/></value>',
  '<double>',
  '</double></value>',
  '<boolean>',
  '</boolean></value>',
  '<params>',
  '</params>',
  '<param>',
  '</param>',
  '<fault>',
  '</fault>',
  '<methodCall>',
  '</methodCall>',
  '<methodName>',
  '</methodName>',
  '<methodResponse>',
  '</methodResponse>',
] as const;
const M = Object.fromEntries(MARKUP.map((text) => [text, new Markup(text)])) as Record<
  (typeof MARKUP)[number],
  Markup
>;

// Exact powers of ten (up to 10^22 every one is a double).
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** An open array (`items`) or struct (`obj`, and the name of the member being read). */
type Frame =
  | { items: XmlRpcValue[]; obj: null; name: string; count: number }
  | { items: null; obj: { [key: string]: XmlRpcValue }; name: string; count: number };

/**
 * A single-pass reader for a whole message in the layouts XML-RPC peers write: known elements
 * without attributes in their grammatical order, whitespace between them, text with the
 * predefined entities and character references, an XML declaration. Values are built directly on
 * an explicit stack. Anything else (comments, CDATA, attributes, a grammar error, a limit, a bad
 * literal) throws NEEDS_FULL_PARSER, and the caller re-reads the message with saxes, which
 * decides and words the error. So it never accepts what saxes would refuse.
 *
 * Markup is compared on the UTF-8 bytes `b`, and text is scanned on them; plain ASCII text is
 * cut from `s`, their Latin-1 view (one character per byte, so indices agree), and other text is
 * decoded from the bytes.
 */
class FastReader {
  private p = 0;
  // The last '<': a text that starts after it has no end, and text scans need no bound check.
  private readonly last: number;
  private readonly view: DataView;
  // Whether the text just scanned holds an UNUSUAL byte.
  private unusual = 0;

  constructor(
    private readonly s: string,
    private readonly b: Buffer,
    private readonly limits: Limits,
  ) {
    this.last = s.lastIndexOf('<');
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  message(kind: 'call' | 'response'): MessageParts {
    const parts: MessageParts = { method: null, params: [], faultValue: undefined, sawRoot: true };
    this.declaration();
    this.ws();
    if (kind === 'call') {
      this.expect(M['<methodCall>']);
      this.ws();
      this.expect(M['<methodName>']);
      parts.method = this.text(this.p, true);
      this.expect(M['</methodName>']);
      if (parts.method === '') refused();
      this.ws();
      if (!this.at(M['</methodCall>'])) {
        this.params(parts.params);
        this.ws();
        this.expect(M['</methodCall>']);
      }
    } else {
      this.expect(M['<methodResponse>']);
      this.ws();
      if (this.at(M['<fault>'])) {
        this.ws();
        this.expect(M['<value>']);
        parts.faultValue = this.value();
        this.ws();
        this.expect(M['</fault>']);
      } else {
        this.params(parts.params);
      }
      this.ws();
      this.expect(M['</methodResponse>']);
    }
    this.ws();
    if (this.p !== this.s.length) refused();
    return parts;
  }

  private declaration(): void {
    if (!this.s.startsWith('<?xml', 0)) return;
    // What Python and this package write.
    for (const known of DECLARATIONS) {
      if (this.s.startsWith(known, 0)) {
        this.p = known.length;
        return;
      }
    }
    const end = this.s.indexOf('?>');
    const m = end === -1 ? null : XML_DECL.exec(this.s.slice(0, end + 2));
    if (m === null) refused();
    const encoding = m[1] ?? m[2];
    if (encoding !== undefined && !ENCODINGS.test(encoding)) refused();
    this.p = end + 2;
  }

  private params(out: XmlRpcValue[]): void {
    this.expect(M['<params>']);
    for (;;) {
      this.ws();
      if (this.at(M['</params>'])) return;
      this.expect(M['<param>']);
      this.ws();
      this.expect(M['<value>']);
      out.push(this.value());
      this.ws();
      this.expect(M['</param>']);
    }
  }

  private ws(): void {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c !== 32 && c !== 10 && c !== 9 && c !== 13) break;
      p++;
    }
    this.p = p;
  }

  /** Whether `m` is at `p`. */
  private is(m: Markup, p: number): boolean {
    if (p + m.length > this.b.length) return false;
    const view = this.view;
    if (view.getInt32(p, true) !== m.first) return false;
    const words = m.words;
    for (let i = 1; i < words.length; i++) if (view.getInt32(p + 4 * i, true) !== words[i]) return false;
    return view.getInt32(p + m.length - 4, true) === m.last;
  }

  private at(m: Markup): boolean {
    if (!this.is(m, this.p)) return false;
    this.p += m.length;
    return true;
  }

  private expect(m: Markup): void {
    if (!this.is(m, this.p)) refused();
    this.p += m.length;
  }

  /** Scans text from `a` to the next '<' (where it leaves `p`), noting whether it is unusual. */
  private scan(a: number): number {
    if (a > this.last) refused();
    const b = this.b;
    const unusualByte = UNUSUAL;
    let unusual = 0;
    let q = a;
    for (let c = b[q]!; c !== 60; c = b[++q]!) unusual |= unusualByte[c]!;
    this.unusual = unusual;
    this.p = q;
    return q;
  }

  /**
   * The character data from `a` up to the next markup. A `kept` string ends up in the result, so
   * it must be a copy: V8 would otherwise make it a slice that keeps the whole message alive.
   */
  private text(a: number, kept: boolean): string {
    const q = this.scan(a);
    if (this.unusual !== 0 || q - a > this.limits.maxStringLength)
      return this.unusualText(a, q, this.unusual);
    return kept && q - a >= 13 ? this.b.toString('latin1', a, q) : this.s.slice(a, q);
  }

  /**
   * Text with the UNUSUAL bits `unusual` (or long): decoded from the bytes, so it is a fresh string,
   * independent of the message. A control character is left to saxes (the decoder replaces those).
   */
  private unusualText(a: number, q: number, unusual: number): string {
    if ((unusual & CONTROL_BYTE) !== 0) refused();
    let t = this.b.toString((unusual & HIGH_BYTE) !== 0 ? 'utf8' : 'latin1', a, q);
    if ((unusual & EF_BYTE) !== 0 && NON_CHARACTER.test(t)) refused();
    if ((unusual & GT_BYTE) !== 0 && t.includes(']]>')) refused();
    // XML end-of-line handling, before references are expanded (so &#13; stays a \r).
    if ((unusual & CR_BYTE) !== 0) t = t.replace(/\r\n?/g, '\n');
    if ((unusual & AMP_BYTE) !== 0) t = decodeEntities(t);
    if (t.length > this.limits.maxStringLength) refused();
    return t;
  }

  /** A member's name, from the cache when the same name came before. */
  private name(a: number): string {
    if (a > this.last) refused();
    const b = this.b;
    const unusualByte = UNUSUAL;
    let unusual = 0;
    let hash = 0;
    let q = a;
    for (let c = b[q]!; c !== 60; c = b[++q]!) {
      unusual |= unusualByte[c]!;
      hash = (hash * 31 + c) | 0;
    }
    this.p = q;
    const n = q - a;
    if (unusual !== 0 || n > NAME_CACHED_MAX || n > this.limits.maxStringLength)
      return this.unusualText(a, q, unusual);
    const slot = (hash ^ n) & (NAME_SLOTS - 1);
    const bytes = NAME_BYTES;
    const at = slot * NAME_CACHED_MAX;
    if (NAME_LENGTHS[slot] === n) {
      let i = 0;
      while (i < n && bytes[at + i] === b[a + i]) i++;
      if (i === n) return NAME_STRINGS[slot]!;
    }
    const name = internalised(this.s.slice(a, q));
    NAME_STRINGS[slot] = name;
    NAME_LENGTHS[slot] = n;
    for (let i = 0; i < n; i++) bytes[at + i] = b[a + i]!;
    return name;
  }

  /** Reads one value, from after its `<value>` through its `</value>`. */
  private value(): XmlRpcValue {
    const b = this.b;
    const limits = this.limits;
    // The open containers: the innermost is `top`, the others are on `outer`.
    const outer: Frame[] = [];
    let top: Frame | null = null;
    let depth = 0;
    for (;;) {
      let v: XmlRpcValue;
      const p = this.p;
      // Dispatch on the bytes after '<value>': most values are strings, ints and structs.
      const c = b[p + 1];
      if (b[p] !== 60) {
        // Bare text is a string.
        v = this.text(p, true);
        this.expect(M['</value>']);
      } else if (c === 115 /* s */ && this.is(M['<string>'], p)) {
        v = this.text(p + 8, true);
        this.expect(M['</string></value>']);
      } else if (c === 105 /* i */ && this.is(M['<int>'], p)) {
        v = this.integer(p + 5, M['</int></value>'], T.int);
      } else if (
        (c === 115 /* s */ && this.is(M['<struct>'], p)) ||
        (c === 97 /* a */ && this.is(M['<array>'], p))
      ) {
        if (depth >= limits.maxDepth) refused();
        const frame: Frame =
          c === 115
            ? { items: null, obj: {}, name: '', count: 0 }
            : { items: [], obj: null, name: '', count: 0 };
        this.p = p + (c === 115 ? 8 : 7);
        // A container with content is opened; an empty one is the value.
        if (frame.items === null ? this.member(frame, true) : this.firstItem()) {
          if (top !== null) outer.push(top);
          top = frame;
          depth++;
          continue;
        }
        v = frame.items ?? frame.obj;
        this.expect(M['</value>']);
      } else if (c === 110 /* n */ && this.is(M['<nil/></value>'], p)) {
        v = null;
        this.p = p + 14;
      } else if (c === 47 /* / */ && this.is(M['</value>'], p)) {
        v = '';
        this.p = p + 8;
      } else if (c === 100 /* d */ && this.is(M['<double>'], p)) {
        v = this.double(p + 8);
      } else if (c === 98 /* b */ && this.is(M['<boolean>'], p)) {
        v = this.boolean(p + 9);
      } else {
        v = this.otherScalar();
        this.expect(M['</value>']);
      }
      // Hand the finished value to its container; a container may finish in turn.
      for (;;) {
        if (top === null) return v;
        if (top.items !== null) {
          top.items.push(v);
          if (this.item()) break;
          v = top.items;
        } else {
          if (++top.count > limits.maxStructMembers) refused();
          setMember(top.obj, top.name, v);
          if (this.member(top, false)) break;
          v = top.obj;
        }
        top = outer.pop() ?? null;
        depth--;
        this.expect(M['</value>']);
      }
    }
  }

  /**
   * At a struct's start (`first`) or after a member's value: true at the next member's value,
   * false past `</struct>`.
   */
  private member(frame: Frame, first: boolean): boolean {
    // The usual runs in one step, ours then Python's (a line break between tags); else tag by tag.
    if (!first && (this.at(M['</member><member><name>']) || this.at(M['\n</member>\n<member>\n<name>']))) {
      // At the name.
    } else {
      this.ws();
      if (!first) {
        this.expect(M['</member>']);
        this.ws();
      }
      if (!this.at(M['<member>'])) {
        this.expect(M['</struct>']);
        return false;
      }
      this.ws();
      this.expect(M['<name>']);
    }
    frame.name = this.name(this.p);
    if (!this.at(M['</name><value>']) && !this.at(M['</name>\n<value>'])) {
      this.expect(M['</name>']);
      this.ws();
      this.expect(M['<value>']);
    }
    return true;
  }

  /** After `<array>`: true at the first item's value, false past `</data></array>`. */
  private firstItem(): boolean {
    this.ws();
    this.expect(M['<data>']);
    return this.item();
  }

  /** In an array's data: true at the next item's value, false past `</data></array>`. */
  private item(): boolean {
    this.ws();
    if (this.at(M['<value>'])) return true;
    this.expect(M['</data>']);
    this.ws();
    this.expect(M['</array>']);
    return false;
  }

  /** `<int>` (and `<i4>`) from `a` through `close`: plain digits are read from the bytes. */
  private integer(a: number, close: Markup, code: number): XmlRpcValue {
    const b = this.b;
    const negative = b[a] === 45; /* - */
    let q = negative ? a + 1 : a;
    const start = q;
    let n = 0;
    for (let c = b[q]!; c >= 48 && c <= 57; c = b[++q]!) n = n * 10 + c - 48;
    if (
      b[q] === 60 &&
      q > start &&
      q - start <= 9 &&
      q - a <= this.limits.maxStringLength &&
      this.is(close, q)
    ) {
      this.p = q + close.length;
      return negative ? -n : n;
    }
    // Anything else (spaces, a sign, many digits): the strict parser.
    const t = this.text(a, false);
    this.expect(close);
    return parseScalar(code, t);
  }

  /**
   * `<double>` from `a` through `</value>`. A plain decimal of up to 15 significant digits is
   * computed exactly (digits / 10^k is correctly rounded, as Number() is); anything else goes
   * through the strict parser.
   */
  private double(a: number): XmlRpcValue {
    const b = this.b;
    const negative = b[a] === 45; /* - */
    let q = negative ? a + 1 : a;
    const start = q;
    let n = 0;
    let point = -1;
    for (let c = b[q]!; ; c = b[++q]!) {
      if (c >= 48 && c <= 57) n = n * 10 + c - 48;
      else if (c === 46 /* . */ && point === -1) point = q;
      else break;
    }
    const digits = q - start - (point === -1 ? 0 : 1);
    const plain = digits >= 1 && digits <= 15 && point !== q - 1 && point !== start;
    if (b[q] === 60 && plain && q - a <= this.limits.maxStringLength) {
      if (this.is(M['</double></value>'], q)) {
        this.p = q + 17;
        const x = point === -1 ? n : n / POWERS_OF_TEN[q - point - 1]!;
        return negative ? -x : x;
      }
    }
    const t = this.text(a, false);
    this.expect(M['</double></value>']);
    return parseScalar(T.double, t);
  }

  /** `<boolean>` from `a` through `</value>`. */
  private boolean(a: number): XmlRpcValue {
    const c = this.b[a];
    if (
      (c === 48 || c === 49) &&
      this.limits.maxStringLength >= 1 &&
      this.is(M['</boolean></value>'], a + 1)
    ) {
      this.p = a + 19;
      return c === 49;
    }
    const t = this.text(a, false);
    this.expect(M['</boolean></value>']);
    return parseScalar(T.boolean, t);
  }

  private otherScalar(): XmlRpcValue {
    for (const [open, close, code] of OTHER_SCALARS) {
      if (!this.at(open)) continue;
      if (code === T.i4) return this.integer(this.p, close, code);
      const t = this.text(this.p, false);
      this.expect(close);
      return parseScalar(code, t);
    }
    return refused();
  }
}

const OTHER_SCALARS = (['i4', 'i8', 'dateTime.iso8601', 'base64'] as const).map(
  (name) => [new Markup(`<${name}>`), new Markup(`</${name}>`), T[name]] as const,
);

/**
 * Reads a whole message from valid UTF-8 bytes without decoding all of them, or throws
 * NEEDS_FULL_PARSER (or a DecodeError) when saxes must decide. Text holding a control character
 * is left to saxes too (the decoder replaces those before it parses).
 */
export function readMessageBytes(bytes: Buffer, kind: 'call' | 'response', limits: Limits): MessageParts {
  return new FastReader(bytes.toString('latin1'), bytes, limits).message(kind);
}

/** Reads a whole message given as text (without lone surrogates), like `readMessageBytes`. */
export function readMessage(s: string, kind: 'call' | 'response', limits: Limits): MessageParts {
  return readMessageBytes(Buffer.from(s, 'utf8'), kind, limits);
}
