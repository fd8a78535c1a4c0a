// The log records of one pair as a host keeps and sends them: each record cut to a size, the
// pair's records capped (what is dropped beyond the cap is said in one closing record), and
// replies paged, so a plug-in that logs megabytes never makes a reply a GUI refuses (64 MiB).
// Every path that sends records goes through here: pyblish.begin/poll (RunningCall's buffer)
// and a plain process() result (cappedRecords, still a list of records for Python GUIs).
import type { RecordJSON } from './wire.js';

export interface RecordLimits {
  /** Longest text of one record field (its message, a traceback); longer is cut. */
  recordChars: number;
  /** Records kept of one pair; later ones are dropped and counted. */
  pairRecords: number;
  /** Characters (all text fields) kept of one pair's records. */
  pairChars: number;
  /** Records in one reply; the rest wait for the next poll. */
  pageRecords: number;
  /** Characters of records in one reply (a record longer than this still goes, alone). */
  pageChars: number;
}

/**
 * Sized so a whole pair fits one plain process() reply: 8 Mi characters are at most 40 MiB of
 * XML (`&amp;` is five bytes a character), 5,000 records' fields another few MiB.
 */
export const RECORD_LIMITS: Readonly<RecordLimits> = Object.freeze({
  recordChars: 64 * 1024,
  pairRecords: 5000,
  pairChars: 8 * 1024 * 1024,
  pageRecords: 1000,
  pageChars: 2 * 1024 * 1024,
});

/** What a record's non-text fields count for, in characters. */
const RECORD_OVERHEAD = 256;

/**
 * `text` cut to at most `max` characters, its end saying how long it was (never inside a
 * surrogate pair); cut again to the same `max`, it stays as it is.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `… [cut: ${text.length.toLocaleString('en')} characters in all]`;
  let end = Math.max(0, max - note.length);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}${note}`;
}

/** The record with every text field cut to `max` characters (the same record when none is longer). */
export function cutRecord(record: RecordJSON, max: number): RecordJSON {
  let out: RecordJSON | null = null;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value !== 'string' || value.length <= max) continue;
    out ??= { ...record };
    (out as unknown as Record<string, unknown>)[key] = cutText(value, max);
  }
  return out ?? record;
}

/** How many characters a record counts for against the caps. */
export function recordSize(record: RecordJSON): number {
  let size = RECORD_OVERHEAD;
  for (const value of Object.values(record)) if (typeof value === 'string') size += value.length;
  return size;
}

/** The records of one pair, capped as they arrive, and paged out. */
export class RecordBuffer {
  /** Kept records, in order (the closing record last, once closed). */
  readonly records: RecordJSON[] = [];
  private readonly sizes: number[] = [];
  private keptChars = 0;
  private dropped = 0;
  private droppedChars = 0;
  private closed = false;

  constructor(private readonly limits: Readonly<RecordLimits> = RECORD_LIMITS) {}

  get length(): number {
    return this.records.length;
  }

  /** What the kept records count for against the caps. */
  get chars(): number {
    return this.keptChars;
  }

  /** Keeps the record (cut to size) unless the pair's cap is reached; false when dropped. */
  add(record: RecordJSON): boolean {
    if (this.closed) return false;
    const cut = cutRecord(record, this.limits.recordChars);
    const size = recordSize(cut);
    if (this.records.length >= this.limits.pairRecords || this.keptChars + size > this.limits.pairChars) {
      this.dropped++;
      this.droppedChars += recordSize(record);
      return false;
    }
    this.records.push(cut);
    this.sizes.push(size);
    this.keptChars += size;
    return true;
  }

  /** The pair ended: when records were dropped, one last record says how many. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.dropped === 0) return;
    const { pairRecords, pairChars } = this.limits;
    const note = droppedRecord(
      `${this.dropped.toLocaleString('en')} more log records of this pair ` +
        `(${this.droppedChars.toLocaleString('en')} characters) were dropped: a host keeps at most ` +
        `${pairRecords.toLocaleString('en')} records and ${pairChars.toLocaleString('en')} characters of records per pair.`,
      this.records.at(-1),
    );
    this.records.push(note);
    this.sizes.push(recordSize(note));
  }

  /** The records after `after` that fit one reply (at least one, when there are any), and the new seq. */
  page(after: number): { records: RecordJSON[]; seq: number } {
    const from = Math.max(0, Math.min(after, this.records.length));
    let end = from;
    let chars = 0;
    while (end < this.records.length && end - from < this.limits.pageRecords) {
      const size = this.sizes[end] as number;
      if (end > from && chars + size > this.limits.pageChars) break;
      chars += size;
      end++;
    }
    return { records: this.records.slice(from, end), seq: end };
  }
}

/** The records of a pair as one plain process() reply carries them: capped, with the closing record. */
export function cappedRecords(records: readonly RecordJSON[]): RecordJSON[] {
  const buffer = new RecordBuffer();
  for (const r of records) buffer.add(r);
  buffer.close();
  return buffer.records;
}

/** A WARNING record of the host itself, shaped like the pair's own (Python GUIs read every field). */
function droppedRecord(message: string, last: RecordJSON | undefined): RecordJSON {
  const now = Date.now();
  return {
    message,
    levelname: 'WARNING',
    levelno: 30,
    name: 'pyblish.host',
    threadName: last?.threadName ?? 'MainThread',
    thread: last?.thread ?? 0,
    process: process.pid,
    processName: last?.processName ?? 'MainProcess',
    module: 'record-buffer',
    filename: 'record-buffer.ts',
    pathname: '',
    lineno: 0,
    funcName: 'close',
    created: now / 1000,
    relativeCreated: last?.relativeCreated ?? 0,
    msecs: now % 1000,
    args: null,
    exc_info: null,
    exc_text: null,
  };
}
