// Host replies made safe where they enter the GUI, once: every value a host sends goes on to the
// page (JSON over the event stream), the report file and the terminal, and XML-RPC carries
// values JSON cannot (an <i8> beyond 2^53 is a bigint, which JSON.stringify refuses) or the page
// should not hold as they are (megabytes of text). What cannot go on as it is becomes a string
// (or a number), and the struct that held it says so under CONVERTED (a hidden property, which
// copies of the struct do not carry): member name -> kind. A struct whose members hold converted
// values deeper down names those members too, so a row can flag the data field the artist sees.
import { cutText, RECORD_LIMITS } from '@pyblish/host';
import { setMember, type XmlRpcValue } from '@pyblish/xmlrpc';
import { Slices } from './slices.js';

/** What a converted value was. */
export type Conversion =
  /** An integer beyond ±2^53: sent on as its decimal text. */
  | 'i8'
  /** A dateTime.iso8601: its ISO 8601 text (UTC). */
  | 'dateTime'
  /** base64 bytes: their base64 text. */
  | 'base64'
  /** NaN or an infinity: "NaN", "Infinity" or "-Infinity". */
  | 'double'
  /** Text longer than MAX_HOST_TEXT: cut, with a note of how long it was. */
  | 'truncated'
  /** A struct or list holding converted values. */
  | 'nested';

/** Longest text kept from a host (record messages, data values, docs): what our hosts cut records to. */
export const MAX_HOST_TEXT = RECORD_LIMITS.recordChars;

/** Under this key, a struct that held converted values maps their member names to what they were. */
export const CONVERTED: unique symbol = Symbol('pyblish.gui.converted');

/** A plain JSON value: what the GUI keeps of a host's reply. */
export type SafeValue = null | boolean | number | string | SafeValue[] | { [key: string]: SafeValue };

function scalar(v: XmlRpcValue): { value: SafeValue; conversion: Conversion | null } {
  switch (typeof v) {
    case 'string':
      return v.length > MAX_HOST_TEXT
        ? { value: cutText(v, MAX_HOST_TEXT), conversion: 'truncated' }
        : { value: v, conversion: null };
    case 'number':
      return Number.isFinite(v) ? { value: v, conversion: null } : { value: String(v), conversion: 'double' };
    case 'bigint':
      // The decoder already made numbers of <i8> values within ±2^53.
      return { value: v.toString(), conversion: 'i8' };
    default:
      if (v instanceof Date) return { value: v.toISOString(), conversion: 'dateTime' };
      if (v instanceof Uint8Array) {
        const text = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
        return { value: cutText(text, MAX_HOST_TEXT), conversion: 'base64' };
      }
      return { value: v as boolean | null, conversion: null };
  }
}

type Struct = { [key: string]: XmlRpcValue };

function isContainer(v: XmlRpcValue | undefined): v is XmlRpcValue[] | Struct {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && !(v instanceof Uint8Array);
}

/** A struct or list being converted, and where its copy goes once done. */
interface Frame {
  src: XmlRpcValue[] | Struct;
  /** A struct's member names; null for a list. */
  keys: string[] | null;
  next: number;
  out: SafeValue[] | { [key: string]: SafeValue };
  notes: Record<string, Conversion> | null;
  /** A list holds converted values. */
  nested: boolean;
  parent: Frame | null;
  key: string;
}

function frameOf(src: XmlRpcValue[] | Struct, parent: Frame | null, key: string): Frame {
  const list = Array.isArray(src);
  return {
    src,
    keys: list ? null : Object.keys(src),
    next: 0,
    out: list ? [] : {},
    notes: null,
    nested: false,
    parent,
    key,
  };
}

function put(frame: Frame, key: string, value: SafeValue, conversion: Conversion | null): void {
  if (Array.isArray(frame.out)) {
    frame.out.push(value);
    if (conversion) frame.nested = true;
    return;
  }
  setMember(frame.out as Struct, key, value as XmlRpcValue);
  if (conversion) {
    frame.notes ??= Object.create(null) as Record<string, Conversion>;
    frame.notes[key] = conversion;
  }
}

/** Whether a scalar goes on as it is (what `scalar` would give back unconverted). */
function plain(v: XmlRpcValue): boolean {
  switch (typeof v) {
    case 'string':
      return v.length <= MAX_HOST_TEXT;
    case 'number':
      return Number.isFinite(v);
    case 'boolean':
      return true;
    default:
      return v === null;
  }
}

/** Whether anything in `root` needs converting: most replies hold nothing that does. */
async function needsConverting(root: XmlRpcValue[] | Struct, slices: Slices): Promise<boolean> {
  const pending: Array<XmlRpcValue[] | Struct> = [root];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const values = Array.isArray(next) ? next : Object.values(next);
    for (const v of values) {
      if (isContainer(v)) pending.push(v);
      else if (!plain(v)) return true;
    }
    const pause = slices.pause();
    if (pause) await pause;
  }
  return false;
}

/**
 * A host's value as plain JSON; see the top of this file. A loop rather than recursion, in
 * slices: a reply of 64 MiB does not hold up the event loop while it is converted. A reply with
 * nothing to convert is already plain JSON (the decoder's own lists and plain structs): it is
 * used as it is, not copied.
 */
export async function fromHost(root: XmlRpcValue): Promise<SafeValue> {
  if (!isContainer(root)) return scalar(root).value;
  const slices = new Slices();
  if (!(await needsConverting(root, slices))) return root as SafeValue;
  const top = frameOf(root, null, '');
  let frame: Frame | null = top;
  while (frame) {
    const keys: string[] | null = frame.keys;
    const length = keys ? keys.length : (frame.src as XmlRpcValue[]).length;
    if (frame.next < length) {
      const key = keys ? (keys[frame.next] as string) : String(frame.next);
      const member = keys ? (frame.src as Struct)[key] : (frame.src as XmlRpcValue[])[frame.next];
      frame.next++;
      if (isContainer(member)) frame = frameOf(member, frame, key);
      else {
        const c = scalar(member as XmlRpcValue);
        put(frame, key, c.value, c.conversion);
      }
    } else {
      const done: Frame = frame;
      if (done.notes) Object.defineProperty(done.out, CONVERTED, { value: done.notes });
      frame = done.parent;
      if (frame) put(frame, done.key, done.out, done.notes || done.nested ? 'nested' : null);
    }
    const pause = slices.pause();
    if (pause) await pause;
  }
  return top.out;
}

/** The members of `struct` the GUI converted, and what each was (undefined: none). */
export function conversionsIn(struct: object): Record<string, Conversion> | undefined {
  const notes = (struct as { [CONVERTED]?: Record<string, Conversion> })[CONVERTED];
  return notes ? { ...notes } : undefined;
}

/**
 * A field the protocol types as a number (a line number, an order, a time), as a finite number:
 * an <i8> that came on as its digits becomes the nearest number; anything else, `fallback`.
 * Free-form data keeps its exact text; fields the GUI computes with, and the report types as
 * numbers, take this.
 */
export function numberFrom<F extends number | null>(v: unknown, fallback: F): number | F {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : fallback;
}

/** A field the protocol types as text: text as it is, a number or boolean as text, anything else `fallback`. */
export function textFrom<F extends string | null>(v: unknown, fallback: F): string | F {
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
}
