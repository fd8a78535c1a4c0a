import { SCALAR_MASK, T, TAG_NAMES } from './grammar.js';

/** What a tokenizer reports, elements by their code (grammar.ts); the message builder implements it. */
export interface XmlSink {
  xmlDecl(encoding: string | undefined): void;
  open(code: number): void;
  text(t: string): void;
  /** Closes the innermost open element (whose name the tokenizer has matched). */
  close(): void;
  /** The innermost open element's code; -1 when none is open. */
  top(): number;
}

/** Thrown by the fast scanner when the input needs the full parser (saxes) to decide. */
export const NEEDS_FULL_PARSER = Symbol('needs full parser');

// Local copies: module bindings read in the hot loop cost more than locals.
const NAMES: readonly string[] = TAG_NAMES;
// Element codes by first character (all ASCII), so a tag is recognised without slicing it out.
const BY_FIRST: (readonly number[] | undefined)[] = [];
for (const [code, name] of NAMES.entries()) {
  const c = name.charCodeAt(0);
  BY_FIRST[c] = [...(BY_FIRST[c] ?? []), code];
}

/** The code of the element name spelled at s[from, end), or -1. */
function knownCode(s: string, from: number, end: number): number {
  const candidates = BY_FIRST[s.charCodeAt(from)];
  if (candidates === undefined) return -1;
  for (const code of candidates) {
    const name = NAMES[code]!;
    if (name.length === end - from && s.startsWith(name, from)) return code;
  }
  return -1;
}

const XML_DECL =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"([A-Za-z][A-Za-z0-9._-]*)"|'([A-Za-z][A-Za-z0-9._-]*)'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>$/;
const ALL_SPACE = /^[ \t\r\n]*$/;
// Longest markup token the scanner buffers across chunks; longer ones go to saxes.
const MAX_TAG = 512;

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13;

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

/** Character data as the parser reports it: line ends normalised, references expanded. */
function content(raw: string): string {
  let t = raw;
  if (t.includes(']]>')) refused();
  // XML end-of-line handling, before references are expanded (so &#13; stays a \r).
  if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
  if (t.includes('&')) t = decodeEntities(t);
  return t;
}

// Elements that hold only text, by code: how each closes.
const LEAF_CLOSE: (string | undefined)[] = NAMES.map((name, code) =>
  (SCALAR_MASK & (1 << code)) !== 0 || code === T.name || code === T.methodName ? `</${name}>` : undefined,
);

/**
 * A fast tokenizer for the plain XML that XML-RPC peers write: known element names without
 * attributes, text, the predefined entities, character references and an XML declaration.
 * Whenever input is anything else (comments, CDATA, DOCTYPE, attributes, a malformed construct)
 * it throws NEEDS_FULL_PARSER and the caller re-reads the message with saxes, which decides.
 * So this never accepts what saxes would refuse; it only makes the common case fast.
 */
export class FastScanner {
  private readonly sink: XmlSink;
  private textParts: string[] = [];
  private partialTag = '';
  private depth = 0;
  private started = false;
  private sawRoot = false;
  private rootDone = false;

  constructor(sink: XmlSink) {
    this.sink = sink;
  }

  write(chunk: string): void {
    let start = 0;
    if (this.partialTag !== '') {
      const gt = chunk.indexOf('>');
      if (gt === -1) {
        this.partialTag += chunk;
        if (this.partialTag.length > MAX_TAG) refused();
        return;
      }
      const tag = this.partialTag + chunk.slice(0, gt + 1);
      this.partialTag = '';
      this.markup(tag, 0, tag.length - 1);
      start = gt + 1;
    }
    for (;;) {
      const lt = chunk.indexOf('<', start);
      if (lt === -1) {
        if (start < chunk.length) this.textParts.push(chunk.slice(start));
        return;
      }
      if (this.textParts.length > 0) {
        if (lt > start) this.textParts.push(chunk.slice(start, lt));
        this.flushText(this.textParts.length === 1 ? this.textParts[0]! : this.textParts.join(''));
        this.textParts = [];
      } else if (lt > start) {
        this.flushText(chunk.slice(start, lt));
      }
      // The common case, `<name>` or `</name>` right up to the '>', is read without a search.
      const end = this.plainTag(chunk, lt);
      if (end !== -1) {
        start = end;
        continue;
      }
      const gt = chunk.indexOf('>', lt + 1);
      if (gt === -1) {
        this.partialTag = chunk.slice(lt);
        if (this.partialTag.length > MAX_TAG) refused();
        return;
      }
      this.markup(chunk, lt, gt);
      start = gt + 1;
    }
  }

  end(): void {
    if (this.textParts.length > 0) this.flushText(this.textParts.join(''));
    if (this.partialTag !== '' || !this.rootDone) refused();
  }

  private flushText(t: string): void {
    this.started = true;
    if (this.depth === 0) {
      if (!ALL_SPACE.test(t)) refused();
      return;
    }
    this.sink.text(content(t));
  }

  /** Handles a plain open or close tag at `lt` and returns the index after it; -1 for anything else. */
  private plainTag(s: string, lt: number): number {
    const c = s.charCodeAt(lt + 1);
    if (c === 47 /* / */) {
      const top = this.sink.top();
      if (top === -1 || this.depth === 0) return -1;
      const name = NAMES[top]!;
      const gt = lt + 2 + name.length;
      if (s.charCodeAt(gt) !== 62 || !s.startsWith(name, lt + 2)) return -1;
      this.depth--;
      this.sink.close();
      if (this.depth === 0) this.rootDone = true;
      this.started = true;
      return gt + 1;
    }
    const candidates = BY_FIRST[c];
    if (candidates === undefined || this.rootDone) return -1;
    for (const code of candidates) {
      const name = NAMES[code]!;
      const gt = lt + 1 + name.length;
      if (s.charCodeAt(gt) === 62 && s.startsWith(name, lt + 1)) {
        this.sawRoot = true;
        this.started = true;
        this.sink.open(code);
        const leafEnd = this.leaf(s, code, gt + 1);
        if (leafEnd !== -1) return leafEnd;
        this.depth++;
        return gt + 1;
      }
    }
    return -1;
  }

  /**
   * Reads `text</name>` after an opened leaf element in one step; -1 when the text is not all
   * in this chunk or something else follows (the general path then takes over).
   */
  private leaf(s: string, code: number, from: number): number {
    const close = LEAF_CLOSE[code];
    if (close === undefined) return -1;
    const lt = s.indexOf('<', from);
    if (lt === -1 || !s.startsWith(close, lt)) return -1;
    if (lt > from) this.sink.text(content(s.slice(from, lt)));
    this.sink.close();
    return lt + close.length;
  }

  private markup(s: string, lt: number, gt: number): void {
    const c = s.charCodeAt(lt + 1);
    if (c === 47 /* / */) {
      let end = gt;
      while (end > lt + 2 && isSpace(s.charCodeAt(end - 1))) end--;
      const top = this.sink.top();
      const name = NAMES[top];
      if (
        this.depth === 0 ||
        name === undefined ||
        name.length !== end - lt - 2 ||
        !s.startsWith(name, lt + 2)
      ) {
        refused();
      }
      this.depth--;
      this.sink.close();
      if (this.depth === 0) this.rootDone = true;
    } else if (c === 63 /* ? */) {
      if (this.started) refused();
      const m = XML_DECL.exec(s.slice(lt, gt + 1));
      if (m === null) refused();
      this.sink.xmlDecl(m[1] ?? m[2]);
    } else {
      let end = gt;
      const selfClosing = s.charCodeAt(end - 1) === 47;
      if (selfClosing) end--;
      while (end > lt + 1 && isSpace(s.charCodeAt(end - 1))) end--;
      const code = knownCode(s, lt + 1, end);
      if (code === -1 || this.rootDone) refused();
      this.sawRoot = true;
      this.sink.open(code);
      if (selfClosing) {
        this.sink.close();
        if (this.depth === 0) this.rootDone = true;
      } else {
        this.depth++;
      }
    }
    this.started = true;
  }
}
