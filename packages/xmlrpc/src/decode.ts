// Decoding XML-RPC messages. MessageDecoder takes a body chunk by chunk and, once it is complete,
// reads it with the fast reader (fast-reader.ts) or, for anything unusual, with saxes; saxes has
// the last word on what is well-formed. Both feed one MessageBuilder, which checks the grammar and
// the limits on an explicit stack. Every failure is a DecodeError, a fault with the
// interoperability number (errors.ts).
import { isUtf8 } from 'node:buffer';
import { SaxesParser } from 'saxes';
import { DecodeError, Fault, FaultCode } from './errors.js';
import { ENCODINGS, type MessageParts, readMessage, readMessageBytes } from './fast-reader.js';
import * as grammar from './grammar.js';
import { type Limits, resolveLimits } from './limits.js';
import { invalid, limit, ownString, parseScalar, WHITESPACE } from './scalars.js';
import { Utf8Decoder } from './utf8.js';
import { setMember, type XmlRpcValue } from './values.js';

export interface DecodedCall {
  method: string;
  params: XmlRpcValue[];
}

export type DecodedResponse = { fault: Fault } | { fault: null; value: XmlRpcValue };

type Kind = 'call' | 'response';

// Local copies: module bindings read in the hot loop cost more than locals.
const { CHILDREN, SCALAR_MASK, T, TAG_CODES, TAG_NAMES, TEXT_MASK } = grammar;

// Leniency: Python writes raw control characters (ANSI escapes in log records) into <string>, which
// is not well-formed XML. They become U+FFFD so such a message still decodes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters we replace
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters we replace
const ILLEGAL_ALL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
/**
 * Whether text holds no lone surrogate (only possible in string input; saxes refuses it). Node 20
 * has String.prototype.isWellFormed, ES2023's typings do not; it is several times faster than a
 * regex.
 */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

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
class MessageBuilder implements MessageParts {
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
 * Plain messages are read in one pass by a fast reader when the message is complete; anything
 * unusual is read by saxes, which has the last word on what is well-formed. Throws DecodeError.
 */
export class MessageDecoder {
  private readonly limits: Limits;
  private readonly kind: Kind;
  private readonly utf8 = new Utf8Decoder();
  // While the fast reader may still take the message: what arrived so far, as bytes or as text.
  private fast = true;
  private pendingBytes: Buffer[] = [];
  private pendingText: string[] = [];
  private builder: MessageBuilder | null = null;
  private parser: SaxesParser | null = null;
  private failed: DecodeError | null = null;
  private parts: MessageParts | null = null;
  private readonly streamAboveBytes: number;
  private pendingSize = 0;

  /**
   * `fastPath: false` sends everything through saxes (for diagnosis and differential tests).
   * `streamAboveBytes`: a message longer than this is read by saxes as its chunks arrive, so a
   * large one costs many short steps instead of one long one at its end (default: never).
   */
  constructor(
    kind: Kind,
    limits?: Partial<Limits>,
    options: { fastPath?: boolean; streamAboveBytes?: number } = {},
  ) {
    this.kind = kind;
    this.limits = resolveLimits(limits);
    this.streamAboveBytes = options.streamAboveBytes ?? Number.POSITIVE_INFINITY;
    if (options.fastPath === false) this.useSaxes();
  }

  write(chunk: string | Uint8Array): void {
    if (this.failed !== null) throw this.failed;
    if (this.fast) {
      this.pendingSize += chunk.length;
      const large = this.pendingSize > this.streamAboveBytes;
      if (!large && typeof chunk !== 'string' && this.pendingText.length === 0) {
        this.pendingBytes.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        return;
      }
      if (!large && typeof chunk === 'string' && this.pendingBytes.length === 0 && isWellFormed(chunk)) {
        this.pendingText.push(chunk);
        return;
      }
      // Large, bytes and text mixed, or a lone surrogate (which saxes refuses): saxes reads it all.
      this.useSaxes();
    }
    const text = this.textOf(chunk);
    this.guard(() => this.parser!.write(text));
  }

  /** A chunk as text for saxes: UTF-8 checked and decoded, control characters replaced. */
  private textOf(chunk: string | Uint8Array): string {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      const decoded = this.utf8.write(chunk);
      if (decoded === null)
        this.fail(new DecodeError(FaultCode.InvalidCharacter, 'the body is not valid UTF-8'));
      text = decoded;
    }
    return ILLEGAL.test(text) ? text.replace(ILLEGAL_ALL, '\ufffd') : text;
  }

  /** Finishes a call message. */
  endCall(): DecodedCall {
    const m = this.finish();
    if (m.method === null) throw invalid('the call has no <methodName>');
    return { method: m.method, params: m.params };
  }

  /** Finishes a response message. */
  endResponse(): DecodedResponse {
    const m = this.finish();
    if (m.faultValue !== undefined) return { fault: toFault(m.faultValue) };
    if (m.params.length !== 1) throw invalid('a response must hold exactly one <param>');
    return { fault: null, value: m.params[0]! };
  }

  /** Starts over with saxes on everything read so far. */
  private useSaxes(): void {
    const builder = new MessageBuilder(this.kind, this.limits);
    const parser = saxesFor(builder);
    this.builder = builder;
    this.parser = parser;
    this.fast = false;
    const pending: (string | Uint8Array)[] =
      this.pendingText.length > 0 ? this.pendingText : this.pendingBytes;
    this.pendingBytes = [];
    this.pendingText = [];
    for (const chunk of pending) {
      const text = this.textOf(chunk);
      this.guard(() => parser.write(text));
    }
  }

  private finish(): MessageParts {
    if (this.failed !== null) throw this.failed;
    if (this.parts !== null) return this.parts;
    if (this.fast) {
      const bytes = this.pendingBytes.length === 1 ? this.pendingBytes[0]! : Buffer.concat(this.pendingBytes);
      this.pendingBytes = this.pendingText.length > 0 ? [] : [bytes];
      try {
        this.parts =
          this.pendingText.length > 0
            ? // Unreplaced: the fast reader leaves control characters to saxes, like in bytes.
              readMessage(this.pendingText.join(''), this.kind, this.limits)
            : isUtf8(bytes)
              ? readMessageBytes(bytes, this.kind, this.limits)
              : null;
        if (this.parts !== null) return this.parts;
      } catch {
        // Anything the fast reader does not take (unusual or wrong): saxes decides and explains.
      }
      this.useSaxes();
    }
    if (!this.utf8.end())
      this.fail(new DecodeError(FaultCode.InvalidCharacter, 'the body is not valid UTF-8'));
    this.guard(() => this.parser!.close());
    if (!this.builder!.sawRoot)
      this.fail(new DecodeError(FaultCode.ParseError, 'the body holds no XML element'));
    const parts: MessageParts = this.builder!;
    this.parts = parts;
    return parts;
  }

  /** Runs a saxes step; errors become DecodeErrors and stick. */
  private guard(step: () => void): void {
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
