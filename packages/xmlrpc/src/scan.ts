import { isAscii } from 'node:buffer';
import { T } from './grammar.js';
import type { Limits } from './limits.js';
import { ownString, parseScalar } from './scalars.js';
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

// What the message holds somewhere, so text is searched only for what may be in it.
const CDATA_END = 1;
const CR = 2;
const AMP = 4;

/** Character data as the parser reports it: line ends normalised, references expanded. */
function content(raw: string, marks: number): string {
  let t = raw;
  if ((marks & CDATA_END) !== 0 && t.includes(']]>')) refused();
  // XML end-of-line handling, before references are expanded (so &#13; stays a \r).
  if ((marks & CR) !== 0 && t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
  if ((marks & AMP) !== 0 && t.includes('&')) t = decodeEntities(t);
  return t;
}

const NON_ASCII = /[\u0080-\u00ff]/;
export const ENCODINGS = /^(utf-?8|us-ascii|ascii)$/i;

interface ArrayFrame {
  items: XmlRpcValue[];
  obj: null;
}
interface StructFrame {
  items: null;
  obj: { [key: string]: XmlRpcValue };
  name: string;
  count: number;
}

/**
 * A single-pass reader for a whole message in the layout XML-RPC peers write: known elements
 * without attributes in their grammatical order, whitespace between them, text with the
 * predefined entities and character references, an XML declaration. Values are built directly on
 * an explicit stack. Anything else (comments, CDATA, attributes, a grammar error, a limit, a bad
 * literal) throws NEEDS_FULL_PARSER, and the caller re-reads the message with saxes, which
 * decides and words the error. So it never accepts what saxes would refuse.
 */
class FastReader {
  private p = 0;
  private readonly marks: number;

  /**
   * `s` is the message; when `bytes` is given, `s` is their Latin-1 view (one character per byte,
   * so indices agree and markup reads the same) and text is decoded from `bytes` as UTF-8.
   */
  constructor(
    private readonly s: string,
    private readonly bytes: Buffer | null,
    private readonly ascii: boolean,
    private readonly limits: Limits,
  ) {
    this.marks =
      (s.includes(']]>') ? CDATA_END : 0) | (s.includes('\r') ? CR : 0) | (s.includes('&') ? AMP : 0);
  }

  message(kind: 'call' | 'response'): MessageParts {
    const parts: MessageParts = { method: null, params: [], faultValue: undefined, sawRoot: true };
    this.declaration();
    this.ws();
    if (kind === 'call') {
      this.expect('<methodCall>');
      this.ws();
      this.expect('<methodName>');
      parts.method = this.text('</methodName>', true);
      if (parts.method === '') refused();
      this.ws();
      if (!this.at('</methodCall>')) {
        this.params(parts.params);
        this.ws();
        this.expect('</methodCall>');
      }
    } else {
      this.expect('<methodResponse>');
      this.ws();
      if (this.at('<fault>')) {
        this.ws();
        this.expect('<value>');
        parts.faultValue = this.value();
        this.ws();
        this.expect('</fault>');
      } else {
        this.params(parts.params);
      }
      this.ws();
      this.expect('</methodResponse>');
    }
    this.ws();
    if (this.p !== this.s.length) refused();
    return parts;
  }

  private declaration(): void {
    if (!this.s.startsWith('<?xml', 0)) return;
    // What Python and this package write.
    if (DECLARATIONS.some((d) => this.at(d))) return;
    const end = this.s.indexOf('?>');
    const m = end === -1 ? null : XML_DECL.exec(this.s.slice(0, end + 2));
    if (m === null) refused();
    const encoding = m[1] ?? m[2];
    if (encoding !== undefined && !ENCODINGS.test(encoding)) refused();
    this.p = end + 2;
  }

  private params(out: XmlRpcValue[]): void {
    this.expect('<params>');
    for (;;) {
      this.ws();
      if (this.at('</params>')) return;
      this.expect('<param>');
      this.ws();
      this.expect('<value>');
      out.push(this.value());
      this.ws();
      this.expect('</param>');
    }
  }

  private ws(): void {
    const s = this.s;
    let p = this.p;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c !== 32 && c !== 10 && c !== 9 && c !== 13) break;
      p++;
    }
    this.p = p;
  }

  private at(tag: string): boolean {
    if (!this.s.startsWith(tag, this.p)) return false;
    this.p += tag.length;
    return true;
  }

  private expect(tag: string): void {
    if (!this.s.startsWith(tag, this.p)) refused();
    this.p += tag.length;
  }

  /** The text up to the next markup, which must be `close` (consumed); `kept`: see `cut`. */
  private text(close: string, kept = false): string {
    const s = this.s;
    const lt = s.indexOf('<', this.p);
    if (lt === -1 || !s.startsWith(close, lt)) refused();
    const t = this.cut(this.p, lt, kept);
    this.p = lt + close.length;
    return t;
  }

  /**
   * The character data at [a, b). A `kept` string ends up in the result, so it must be a copy:
   * V8 would otherwise make it a slice that keeps the whole message alive.
   */
  private cut(a: number, b: number, kept: boolean): string {
    const bytes = this.bytes;
    let t = this.s.slice(a, b);
    if (bytes !== null) {
      if (!this.ascii && NON_ASCII.test(t)) t = bytes.toString('utf8', a, b);
      else if (kept && b - a >= 13) t = bytes.toString('latin1', a, b);
    }
    if (this.marks !== 0) t = content(t, this.marks);
    if (t.length > this.limits.maxStringLength) refused();
    return kept && bytes === null ? ownString(t) : t;
  }

  /** Reads one value, from after its `<value>` through its `</value>`. */
  private value(): XmlRpcValue {
    const s = this.s;
    const stack: (ArrayFrame | StructFrame)[] = [];
    for (;;) {
      let v: XmlRpcValue;
      const p = this.p;
      if (s.charCodeAt(p) !== 60 /* < */ || s.startsWith('</value>', p)) {
        // Bare text (or nothing) is a string.
        const lt = s.indexOf('<', p);
        if (lt === -1) refused();
        v = this.cut(p, lt, true);
        this.p = lt;
      } else {
        // Dispatch on the letter after '<': most values are strings, ints and structs.
        const c = s.charCodeAt(p + 1);
        if (c === 115 /* s */ && this.at('<string>')) {
          v = this.text('</string>', true);
        } else if (c === 105 /* i */ && this.at('<int>')) {
          v = integer(this.text('</int>'), T.int);
        } else if (c === 115 /* s */ && this.at('<struct>')) {
          if (stack.length >= this.limits.maxDepth) refused();
          const frame: StructFrame = { items: null, obj: {}, name: '', count: 0 };
          stack.push(frame);
          if (this.member(frame)) continue;
          stack.pop();
          v = frame.obj;
        } else if (c === 97 /* a */ && this.at('<array>')) {
          if (stack.length >= this.limits.maxDepth) refused();
          this.ws();
          this.expect('<data>');
          const frame: ArrayFrame = { items: [], obj: null };
          stack.push(frame);
          if (this.item()) continue;
          stack.pop();
          v = frame.items;
        } else if (c === 110 /* n */ && this.at('<nil/>')) {
          v = null;
        } else {
          v = this.otherScalar();
        }
      }
      this.expect('</value>');
      // Hand the finished value to its container; a container may finish in turn.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return v;
        if (top.items !== null) {
          top.items.push(v);
          if (this.item()) break;
          v = top.items;
        } else {
          this.ws();
          this.expect('</member>');
          if (++top.count > this.limits.maxStructMembers) refused();
          setMember(top.obj, top.name, v);
          if (this.member(top)) break;
          v = top.obj;
        }
        stack.pop();
        this.expect('</value>');
      }
    }
  }

  /** After a struct's start or a member: true at the next member's value, false past `</struct>`. */
  private member(frame: StructFrame): boolean {
    this.ws();
    // The compact layout (ours) in one step each; Python puts line breaks between the tags.
    if (!this.at('<member><name>')) {
      if (!this.at('<member>')) {
        this.expect('</struct>');
        return false;
      }
      this.ws();
      this.expect('<name>');
    }
    frame.name = this.text('</name>');
    if (!this.at('<value>')) {
      this.ws();
      this.expect('<value>');
    }
    return true;
  }

  /** In an array's data: true at the next item's value, false past `</data></array>`. */
  private item(): boolean {
    this.ws();
    if (this.at('<value>')) return true;
    this.expect('</data>');
    this.ws();
    this.expect('</array>');
    return false;
  }

  private otherScalar(): XmlRpcValue {
    for (const [open, close, code] of OTHER_SCALARS) {
      if (this.at(open))
        return code === T.i4 ? integer(this.text(close), code) : parseScalar(code, this.text(close));
    }
    return refused();
  }
}

const OTHER_SCALARS = (['double', 'boolean', 'i4', 'i8', 'dateTime.iso8601', 'base64'] as const).map(
  (name) => [`<${name}>`, `</${name}>`, T[name]] as const,
);

/** `<int>` and `<i4>`: plain digits are read here; anything else goes through the strict parser. */
function integer(t: string, code: number): XmlRpcValue {
  const n = t.length;
  let i = t.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (n - i < 1 || n - i > 9) return parseScalar(code, t);
  let value = 0;
  for (; i < n; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return parseScalar(code, t);
    value = value * 10 + d;
  }
  return t.charCodeAt(0) === 45 ? -value : value;
}

/** Reads a whole message, or throws NEEDS_FULL_PARSER (or a DecodeError) when saxes must decide. */
export function readMessage(s: string, kind: 'call' | 'response', limits: Limits): MessageParts {
  return new FastReader(s, null, false, limits).message(kind);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the C0 controls XML refuses
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Whether a Latin-1 view of UTF-8 holds U+FFFE or U+FFFF (EF BF BE, EF BF BF). */
function holdsNonCharacter(view: string): boolean {
  for (let i = view.indexOf('\u00ef\u00bf'); i !== -1; i = view.indexOf('\u00ef\u00bf', i + 1)) {
    const c = view.charCodeAt(i + 2);
    if (c === 0xbe || c === 0xbf) return true;
  }
  return false;
}

/**
 * Reads a whole message from valid UTF-8 bytes without decoding all of them: markup is read on a
 * Latin-1 view, and only text is decoded. Throws like `readMessage`, and when the body holds a
 * character that must first be replaced (the decoder's leniency for control characters).
 */
export function readMessageBytes(bytes: Buffer, kind: 'call' | 'response', limits: Limits): MessageParts {
  const view = bytes.toString('latin1');
  const ascii = isAscii(bytes);
  if (CONTROL.test(view) || (!ascii && holdsNonCharacter(view))) refused();
  return new FastReader(view, bytes, ascii, limits).message(kind);
}
