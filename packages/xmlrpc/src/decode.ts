import { SaxesParser } from 'saxes';
import { type Limits, resolveLimits } from './limits.js';
import { Fault, FaultCode, setMember, type XmlRpcValue } from './values.js';

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
const I8_MIN = -(2n ** 63n);
const I8_MAX = 2n ** 63n - 1n;

const SCALARS = new Set([
  'i4',
  'int',
  'i8',
  'boolean',
  'string',
  'double',
  'dateTime.iso8601',
  'base64',
  'nil',
]);

// Which children each element may hold; scalars and names hold only text.
const CHILDREN: Record<string, readonly string[]> = {
  methodCall: ['methodName', 'params'],
  methodResponse: ['params', 'fault'],
  params: ['param'],
  param: ['value'],
  fault: ['value'],
  value: [...SCALARS, 'array', 'struct'],
  array: ['data'],
  data: ['value'],
  struct: ['member'],
  member: ['name', 'value'],
};

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

function parseScalar(tag: string, text: string): XmlRpcValue {
  switch (tag) {
    case 'string':
      return text;
    case 'int':
    case 'i4':
    case 'i8':
      return parseInteger(tag, text);
    case 'boolean': {
      const s = text.trim();
      if (s === '1') return true;
      if (s === '0') return false;
      throw invalid(`<boolean> holds "${s.slice(0, 40)}"; only 0 and 1 are allowed`);
    }
    case 'double':
      return parseDouble(text);
    case 'dateTime.iso8601':
      return parseDateTime(text);
    case 'base64':
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
 * An incremental decoder for one message: feed it chunks as they arrive, then `end()`.
 * Iterative (an explicit stack), so nesting depth is bounded by `limits.maxDepth`, never by the
 * JavaScript stack. Throws DecodeError.
 */
export class MessageDecoder {
  private readonly parser: SaxesParser;
  private readonly limits: Limits;
  private readonly kind: Kind;
  private readonly bytes = new TextDecoder('utf-8', { fatal: true });
  private tags: string[] = [];
  private childCounts: number[] = [];
  private containers: (ArrayFrame | StructFrame)[] = [];
  private text = '';
  private slot: XmlRpcValue = null;
  private method: string | null = null;
  private params: XmlRpcValue[] = [];
  private faultValue: XmlRpcValue | undefined;
  private sawRoot = false;
  private failed: DecodeError | null = null;

  constructor(kind: Kind, limits?: Partial<Limits>) {
    this.kind = kind;
    this.limits = resolveLimits(limits);
    const parser = new SaxesParser({ position: false });
    parser.on('xmldecl', (decl) => {
      if (decl.encoding !== undefined && !ENCODINGS.test(decl.encoding)) {
        throw new DecodeError(
          FaultCode.UnsupportedEncoding,
          `unsupported encoding "${decl.encoding}"; send UTF-8`,
        );
      }
    });
    parser.on('doctype', () => {
      throw invalid('DOCTYPE declarations are not allowed');
    });
    parser.on('processinginstruction', () => {
      throw invalid('processing instructions are not allowed');
    });
    parser.on('opentag', (tag) => this.open(tag));
    parser.on('closetag', (tag) => this.close(tag));
    parser.on('text', (t) => this.addText(t));
    parser.on('cdata', (t) => this.addText(t));
    this.parser = parser;
  }

  write(chunk: string | Uint8Array): void {
    if (this.failed !== null) throw this.failed;
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      try {
        text = this.bytes.decode(chunk, { stream: true });
      } catch {
        this.fail(new DecodeError(FaultCode.InvalidCharacter, 'the body is not valid UTF-8'));
      }
    }
    if (ILLEGAL.test(text)) text = text.replace(ILLEGAL_ALL, '\ufffd');
    this.feed(() => this.parser.write(text));
  }

  /** Finishes the message; returns the call (kind 'call') or the response. */
  endCall(): DecodedCall {
    this.finish();
    if (this.method === null) throw invalid('the call has no <methodName>');
    return { method: this.method, params: this.params };
  }

  endResponse(): DecodedResponse {
    this.finish();
    if (this.faultValue !== undefined) return { fault: toFault(this.faultValue) };
    if (this.params.length !== 1) throw invalid('a response must hold exactly one <param>');
    return { fault: null, value: this.params[0]! };
  }

  private finish(): void {
    if (this.failed !== null) throw this.failed;
    try {
      this.bytes.decode();
    } catch {
      this.fail(new DecodeError(FaultCode.InvalidCharacter, 'the body is not valid UTF-8'));
    }
    this.feed(() => this.parser.close());
    if (!this.sawRoot) this.fail(new DecodeError(FaultCode.ParseError, 'the body holds no XML element'));
  }

  private feed(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof DecodeError) this.fail(err);
      // saxes reports malformed XML with a plain Error; its message names no path or secret.
      const detail = err instanceof Error ? err.message.replace(/^undefined:/, '').trim() : String(err);
      this.fail(new DecodeError(FaultCode.ParseError, `malformed XML: ${detail.slice(0, 120)}`));
    }
  }

  private fail(err: DecodeError): never {
    this.failed = err;
    throw err;
  }

  private open(tag: { name: string }): void {
    const name = tag.name;
    const depth = this.tags.length;
    if (depth === 0) {
      const root = this.kind === 'call' ? 'methodCall' : 'methodResponse';
      if (name !== root) throw invalid(`expected <${root}>, found <${name}>`);
      this.sawRoot = true;
    } else {
      const parent = this.tags[depth - 1]!;
      const allowed = CHILDREN[parent];
      if (allowed === undefined || !allowed.includes(name))
        throw invalid(`<${name}> is not allowed inside <${parent}>`);
      const seen = this.childCounts[depth - 1]!;
      this.childCounts[depth - 1] = seen + 1;
      this.checkOrder(parent, name, seen);
      if (parent === 'value') {
        if (!WHITESPACE.test(this.text)) throw invalid('a <value> mixes text with a typed value');
      }
      if (name === 'array' || name === 'struct') {
        if (this.containers.length >= this.limits.maxDepth) {
          throw limit(`values nest deeper than ${this.limits.maxDepth} levels`);
        }
        this.containers.push(
          name === 'array' ? { items: [] } : { obj: {}, count: 0, name: null, value: null, hasValue: false },
        );
      }
    }
    this.tags.push(name);
    this.childCounts.push(0);
    this.text = '';
  }

  private checkOrder(parent: string, name: string, seen: number): void {
    switch (parent) {
      case 'methodCall':
        if ((seen === 0 && name !== 'methodName') || (seen === 1 && name !== 'params') || seen > 1) {
          throw invalid('<methodCall> must hold <methodName> then <params>');
        }
        return;
      case 'member':
        if ((seen === 0 && name !== 'name') || (seen === 1 && name !== 'value') || seen > 1) {
          throw invalid('<member> must hold <name> then <value>');
        }
        return;
      case 'params':
      case 'data':
      case 'struct':
        return;
      default:
        if (seen > 0) throw invalid(`<${parent}> holds more than one element`);
    }
  }

  private addText(t: string): void {
    const top = this.tags[this.tags.length - 1];
    if (top === undefined) return;
    if (top === 'value' || top === 'name' || top === 'methodName' || SCALARS.has(top)) {
      this.text += t;
      if (this.text.length > this.limits.maxStringLength) {
        throw limit(`a string is longer than ${this.limits.maxStringLength} characters`);
      }
    } else if (!WHITESPACE.test(t)) {
      throw invalid(`<${top}> holds text`);
    }
  }

  private close(tag: { name: string }): void {
    const name = tag.name;
    this.tags.pop();
    const children = this.childCounts.pop()!;
    switch (name) {
      case 'value': {
        const value = children === 0 ? this.text : this.slot;
        if (children !== 0 && !WHITESPACE.test(this.text))
          throw invalid('a <value> mixes text with a typed value');
        this.deliver(value);
        break;
      }
      case 'array':
        this.slot = (this.containers.pop() as ArrayFrame).items;
        break;
      case 'struct':
        this.slot = (this.containers.pop() as StructFrame).obj;
        break;
      case 'member': {
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
      case 'name':
        (this.containers[this.containers.length - 1] as StructFrame).name = this.text;
        break;
      case 'methodName':
        if (this.text.length === 0) throw invalid('<methodName> is empty');
        this.method = this.text;
        break;
      case 'param':
      case 'fault':
        if (children === 0) throw invalid(`<${name}> holds no <value>`);
        break;
      case 'methodCall':
      case 'methodResponse':
        if (children === 0) throw invalid(`<${name}> is empty`);
        break;
      default:
        if (SCALARS.has(name)) this.slot = parseScalar(name, this.text);
    }
    this.text = '';
  }

  private deliver(value: XmlRpcValue): void {
    const parent = this.tags[this.tags.length - 1];
    if (parent === 'param') {
      this.params.push(value);
    } else if (parent === 'fault') {
      this.faultValue = value;
    } else if (parent === 'data') {
      (this.containers[this.containers.length - 1] as ArrayFrame).items.push(value);
    } else {
      const frame = this.containers[this.containers.length - 1] as StructFrame;
      frame.value = value;
      frame.hasValue = true;
    }
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
