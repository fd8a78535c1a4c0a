import { SaxesParser } from 'saxes';
import * as grammar from './grammar.js';
import { type Limits, resolveLimits } from './limits.js';
import { FastScanner, NEEDS_FULL_PARSER, type XmlSink } from './scan.js';
import { Utf8Decoder } from './utf8.js';
import { Fault, FaultCode, I8_MAX, I8_MIN, setMember, type XmlRpcValue } from './values.js';

/**
 * The message itself is wrong (malformed XML, not XML-RPC, a limit exceeded). A server sends it
 * back as a fault; a client reports it as a bad response rather than as the peer's fault.
 */
export class DecodeError extends Fault {
  constructor(faultCode: number, faultString: string) {
    super(faultCode, faultString);
    this.name = 'DecodeError';
  }
}

export interface DecodedCall {
  method: string;
  params: XmlRpcValue[];
}

export type DecodedResponse = { fault: Fault } | { fault: null; value: XmlRpcValue };

type Kind = 'call' | 'response';

// Local copies: module bindings read in the hot loop cost more than locals.
const { CHILDREN, SCALAR_MASK, T, TAG_CODES, TAG_NAMES, TEXT_MASK } = grammar;

const invalid = (message: string) => new DecodeError(FaultCode.InvalidRequest, message);
const limit = (message: string) => new DecodeError(FaultCode.LimitExceeded, message);

// Leniency: Python writes raw control characters (ANSI escapes in log records) into <string>, which
// is not well-formed XML. They become U+FFFD so such a message still decodes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters we replace
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters we replace
const ILLEGAL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const WHITESPACE = /^[ \t\r\n]*$/;
const INTEGER = /^[ \t\r\n]*([+-]?[0-9]+)[ \t\r\n]*$/;
const DOUBLE = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_DOUBLE = /^([+-]?)(nan|inf|infinity)$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATETIME = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;
const ENCODINGS = /^(utf-?8|us-ascii|ascii)$/i;

// A lone surrogate (only possible in string input): left to saxes to refuse.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

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

function parseScalar(code: number, text: string): XmlRpcValue {
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

interface ArrayFrame {
  items: XmlRpcValue[];
}
interface StructFrame {
  obj: { [key: string]: XmlRpcValue };
  count: number;
  name: string | null;
  value: XmlRpcValue;
  hasValue: boolean;
}

/**
 * Builds a call or response from element events, checking the XML-RPC grammar and the limits.
 * Iterative (an explicit stack), so nesting depth is bounded by `limits.maxDepth`, never by the
 * JavaScript stack.
 */
class MessageBuilder implements XmlSink {
  private readonly limits: Limits;
  private readonly root: number;
  // Open elements (by code) and how many children each has had so far.
  private codes: number[] = [];
  private counts: number[] = [];
  private containers: (ArrayFrame | StructFrame)[] = [];
  private buffer = '';
  private slot: XmlRpcValue = null;
  method: string | null = null;
  params: XmlRpcValue[] = [];
  faultValue: XmlRpcValue | undefined;
  sawRoot = false;

  constructor(kind: Kind, limits: Limits) {
    this.root = kind === 'call' ? T.methodCall : T.methodResponse;
    this.limits = limits;
  }

  xmlDecl(encoding: string | undefined): void {
    if (encoding !== undefined && !ENCODINGS.test(encoding)) {
      throw new DecodeError(FaultCode.UnsupportedEncoding, `unsupported encoding "${encoding}"; send UTF-8`);
    }
  }

  top(): number {
    const depth = this.codes.length;
    return depth === 0 ? -1 : this.codes[depth - 1]!;
  }

  /** Opens an element by name (saxes reports names, and any name at all). */
  openName(name: string): void {
    this.open(TAG_CODES.get(name) ?? -1, name);
  }

  open(code: number, name: string = TAG_NAMES[code]!): void {
    const depth = this.codes.length;
    if (depth === 0) {
      if (code !== this.root) throw invalid(`expected <${TAG_NAMES[this.root]}>, found <${name}>`);
      this.sawRoot = true;
    } else {
      const parent = this.codes[depth - 1]!;
      if (code === -1 || (CHILDREN[parent]! & (1 << code)) === 0) {
        throw invalid(`<${name}> is not allowed inside <${TAG_NAMES[parent]}>`);
      }
      const seen = this.counts[depth - 1]!;
      this.counts[depth - 1] = seen + 1;
      this.checkOrder(parent, code, seen);
      if (parent === T.value && this.buffer !== '' && !WHITESPACE.test(this.buffer)) {
        throw invalid('a <value> mixes text with a typed value');
      }
      if (code === T.array || code === T.struct) {
        if (this.containers.length >= this.limits.maxDepth) {
          throw limit(`values nest deeper than ${this.limits.maxDepth} levels`);
        }
        this.containers.push(
          code === T.array ? { items: [] } : { obj: {}, count: 0, name: null, value: null, hasValue: false },
        );
      }
    }
    this.codes.push(code);
    this.counts.push(0);
    this.buffer = '';
  }

  private checkOrder(parent: number, code: number, seen: number): void {
    switch (parent) {
      case T.methodCall:
        if ((seen === 0 && code !== T.methodName) || (seen === 1 && code !== T.params) || seen > 1) {
          throw invalid('<methodCall> must hold <methodName> then <params>');
        }
        return;
      case T.member:
        if ((seen === 0 && code !== T.name) || (seen === 1 && code !== T.value) || seen > 1) {
          throw invalid('<member> must hold <name> then <value>');
        }
        return;
      case T.params:
      case T.data:
      case T.struct:
        return;
      default:
        if (seen > 0) throw invalid(`<${TAG_NAMES[parent]}> holds more than one element`);
    }
  }

  text(t: string): void {
    const depth = this.codes.length;
    if (depth === 0) return;
    const top = this.codes[depth - 1]!;
    if ((TEXT_MASK & (1 << top)) !== 0) {
      this.buffer += t;
      if (this.buffer.length > this.limits.maxStringLength) {
        throw limit(`a string is longer than ${this.limits.maxStringLength} characters`);
      }
    } else if (!WHITESPACE.test(t)) {
      throw invalid(`<${TAG_NAMES[top]}> holds text`);
    }
  }

  /** Closes the innermost element (the tokenizer has checked that the names match). */
  close(): void {
    const code = this.codes.pop()!;
    const children = this.counts.pop()!;
    switch (code) {
      case T.value: {
        if (children !== 0 && this.buffer !== '' && !WHITESPACE.test(this.buffer)) {
          throw invalid('a <value> mixes text with a typed value');
        }
        this.deliver(children === 0 ? ownString(this.buffer) : this.slot);
        break;
      }
      case T.array:
        this.slot = (this.containers.pop() as ArrayFrame).items;
        break;
      case T.struct:
        this.slot = (this.containers.pop() as StructFrame).obj;
        break;
      case T.member: {
        const frame = this.containers[this.containers.length - 1] as StructFrame;
        if (frame.name === null || !frame.hasValue) throw invalid('<member> must hold <name> then <value>');
        if (++frame.count > this.limits.maxStructMembers) {
          throw limit(`a struct has more than ${this.limits.maxStructMembers} members`);
        }
        setMember(frame.obj, frame.name, frame.value);
        frame.name = null;
        frame.hasValue = false;
        break;
      }
      case T.name:
        (this.containers[this.containers.length - 1] as StructFrame).name = this.buffer;
        break;
      case T.methodName:
        if (this.buffer.length === 0) throw invalid('<methodName> is empty');
        this.method = ownString(this.buffer);
        break;
      case T.param:
      case T.fault:
        if (children === 0) throw invalid(`<${TAG_NAMES[code]}> holds no <value>`);
        break;
      case T.methodCall:
      case T.methodResponse:
        if (children === 0) throw invalid(`<${TAG_NAMES[code]}> is empty`);
        break;
      default:
        if ((SCALAR_MASK & (1 << code)) !== 0) this.slot = parseScalar(code, this.buffer);
    }
    this.buffer = '';
  }

  private deliver(value: XmlRpcValue): void {
    const parent = this.codes[this.codes.length - 1];
    if (parent === T.param) {
      this.params.push(value);
    } else if (parent === T.fault) {
      this.faultValue = value;
    } else if (parent === T.data) {
      (this.containers[this.containers.length - 1] as ArrayFrame).items.push(value);
    } else {
      const frame = this.containers[this.containers.length - 1] as StructFrame;
      frame.value = value;
      frame.hasValue = true;
    }
  }
}

function saxesFor(builder: MessageBuilder): SaxesParser {
  const parser = new SaxesParser({ position: false });
  parser.on('xmldecl', (decl) => builder.xmlDecl(decl.encoding));
  parser.on('doctype', () => {
    throw invalid('DOCTYPE declarations are not allowed');
  });
  parser.on('processinginstruction', () => {
    throw invalid('processing instructions are not allowed');
  });
  parser.on('opentag', (tag) => builder.openName(tag.name));
  parser.on('closetag', () => builder.close());
  parser.on('text', (t) => builder.text(t));
  parser.on('cdata', (t) => builder.text(t));
  return parser;
}

/**
 * An incremental decoder for one message: feed it chunks as they arrive, then end it.
 * Plain messages go through a fast scanner; anything unusual is re-read from the start by saxes,
 * which has the last word on what is well-formed. Throws DecodeError.
 */
export class MessageDecoder {
  private readonly limits: Limits;
  private readonly kind: Kind;
  private readonly utf8 = new Utf8Decoder();
  private builder: MessageBuilder;
  private scanner: FastScanner | null;
  private parser: SaxesParser | null = null;
  // What the fast scanner has read, kept in case saxes must re-read it.
  private seen: string[] = [];
  private failed: DecodeError | null = null;

  /** `fastPath: false` sends everything through saxes (for diagnosis and differential tests). */
  constructor(kind: Kind, limits?: Partial<Limits>, options: { fastPath?: boolean } = {}) {
    this.kind = kind;
    this.limits = resolveLimits(limits);
    this.builder = new MessageBuilder(kind, this.limits);
    this.scanner = null;
    if (options.fastPath === false) this.useSaxes();
    else this.scanner = new FastScanner(this.builder);
  }

  write(chunk: string | Uint8Array): void {
    if (this.failed !== null) throw this.failed;
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      const decoded = this.utf8.write(chunk);
      if (decoded === null)
        this.fail(new DecodeError(FaultCode.InvalidCharacter, 'the body is not valid UTF-8'));
      text = decoded;
    }
    if (ILLEGAL.test(text)) text = text.replace(ILLEGAL_ALL, '\ufffd');
    this.step(text, typeof chunk === 'string' && this.scanner !== null && LONE_SURROGATE.test(text));
  }

  /** Finishes a call message. */
  endCall(): DecodedCall {
    this.finish();
    if (this.builder.method === null) throw invalid('the call has no <methodName>');
    return { method: this.builder.method, params: this.builder.params };
  }

  /** Finishes a response message. */
  endResponse(): DecodedResponse {
    this.finish();
    const b = this.builder;
    if (b.faultValue !== undefined) return { fault: toFault(b.faultValue) };
    if (b.params.length !== 1) throw invalid('a response must hold exactly one <param>');
    return { fault: null, value: b.params[0]! };
  }

  private step(text: string | null, needsSaxes = false): void {
    try {
      if (this.scanner !== null) {
        try {
          if (needsSaxes) throw NEEDS_FULL_PARSER;
          if (text === null) {
            this.scanner.end();
          } else {
            this.seen.push(text);
            this.scanner.write(text);
          }
          return;
        } catch (err) {
          if (err !== NEEDS_FULL_PARSER) throw err;
          if (needsSaxes && text !== null) this.seen.push(text);
          this.useSaxes();
        }
        if (text === null) this.parser!.close();
      } else if (text === null) {
        this.parser!.close();
      } else {
        this.parser!.write(text);
      }
    } catch (err) {
      if (err instanceof DecodeError) this.fail(err);
      // saxes reports malformed XML with a plain Error; its message names no path or secret.
      const detail = err instanceof Error ? err.message.replace(/^undefined:/, '').trim() : String(err);
      this.fail(new DecodeError(FaultCode.ParseError, `malformed XML: ${detail.slice(0, 120)}`));
    }
  }

  /** Starts over with saxes on everything read so far. */
  private useSaxes(): void {
    this.scanner = null;
    this.builder = new MessageBuilder(this.kind, this.limits);
    const parser = saxesFor(this.builder);
    this.parser = parser;
    const seen = this.seen;
    this.seen = [];
    for (const t of seen) parser.write(t);
  }

  private finish(): void {
    if (this.failed !== null) throw this.failed;
    if (!this.utf8.end())
      this.fail(new DecodeError(FaultCode.InvalidCharacter, 'the body is not valid UTF-8'));
    this.step(null);
    if (!this.builder.sawRoot)
      this.fail(new DecodeError(FaultCode.ParseError, 'the body holds no XML element'));
  }

  private fail(err: DecodeError): never {
    this.failed = err;
    throw err;
  }
}

function toFault(v: XmlRpcValue): Fault {
  if (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    !(v instanceof Uint8Array) &&
    !(v instanceof Date)
  ) {
    const code = v.faultCode;
    const message = v.faultString;
    if (typeof code === 'number' && typeof message === 'string') return new Fault(code, message);
  }
  throw invalid('a <fault> must hold a struct with an int faultCode and a string faultString');
}

export function decodeMethodCall(xml: string | Uint8Array, limits?: Partial<Limits>): DecodedCall {
  const d = new MessageDecoder('call', limits);
  d.write(xml);
  return d.endCall();
}

/** Returns the response's value; throws the peer's Fault, or a DecodeError for a bad message. */
export function decodeMethodResponse(xml: string | Uint8Array, limits?: Partial<Limits>): XmlRpcValue {
  const d = new MessageDecoder('response', limits);
  d.write(xml);
  const r = d.endResponse();
  if (r.fault !== null) throw r.fault;
  return r.value;
}
