// What is running now, in memory shared by the main thread (which writes it when a pair starts and
// ends) and the server worker (which reads it to answer pyblish.liveness, and pyblish.pollRun when
// a plug-in blocks the main thread). Shared memory instead of a message per change: two fewer
// thread wake-ups per pair, and the worker sees a pair as busy the moment it starts, even if the
// main thread then blocks.
import type { BusyState, RunPairState } from './calls.js';

/** Bytes for each text: the call id and a run pair's run, plug-in and instance ids (rarely this long). */
const FIELD_BYTES = 256;
const FIELDS = 4;
const CALL_ID = 0;
const RUN = 1;
const PLUGIN = 2;
const INSTANCE = 3;
// Int32 slots: a sequence number (odd while a write is under way), the busy flag, whether a run
// pair is there, its index, then each text's length in bytes (-1: none).
const SEQ = 0;
const BUSY = 1;
const HAS_PAIR = 2;
const INDEX = 3;
const LENGTHS = 4;
const INTS_BYTES = (LENGTHS + FIELDS) * 4;
const SINCE_BYTES = 8;

export class BusyBoard {
  private readonly ints: Int32Array;
  /** Seconds since the epoch; read between two equal sequence numbers, so never torn. */
  private readonly since: Float64Array;
  private readonly text: Buffer;
  /** What this side last wrote in each text: a run's pairs mostly change the instance alone. */
  private readonly written: Array<string | null | undefined> = new Array(FIELDS).fill(undefined);
  /** And the length it wrote for it (-1 none, -2 did not fit), kept here to spare a shared read. */
  private readonly lengths: number[] = new Array(FIELDS).fill(-1);

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(
      INTS_BYTES + SINCE_BYTES + FIELDS * FIELD_BYTES,
    ),
  ) {
    this.ints = new Int32Array(buffer, 0, LENGTHS + FIELDS);
    this.since = new Float64Array(buffer, INTS_BYTES, 1);
    this.text = Buffer.from(buffer, INTS_BYTES + SINCE_BYTES, FIELDS * FIELD_BYTES);
  }

  /**
   * Written as each pair starts and ends: a few stores, and the texts that changed. Only the
   * sequence number is written atomically (each atomic is a full barrier, and this runs for
   * every pair): a reader that sees it even and unchanged around its reads read a whole state.
   */
  write(state: BusyState | null): void {
    Atomics.add(this.ints, SEQ, 1);
    this.ints[BUSY] = state ? 1 : 0;
    this.since[0] = state?.since ?? 0;
    this.put(CALL_ID, state?.callId ?? null);
    const pair = state?.pair;
    let complete = false;
    if (pair) {
      this.ints[INDEX] = pair.index;
      complete =
        this.put(RUN, pair.run) && this.put(PLUGIN, pair.plugin) && this.put(INSTANCE, pair.instance);
    }
    this.ints[HAS_PAIR] = complete ? 1 : 0;
    Atomics.add(this.ints, SEQ, 1);
  }

  /** Writes one text unless it is there already; false when it does not fit (the pair is then left out). */
  private put(field: number, value: string | null): boolean {
    if (this.written[field] === value) return (this.lengths[field] as number) >= -1;
    this.written[field] = value;
    const length = value === null ? -1 : this.encode(value, field * FIELD_BYTES);
    this.lengths[field] = length;
    this.ints[LENGTHS + field] = length;
    return length >= -1;
  }

  /** Writes `value` as UTF-8 at `start`: its length in bytes, or -2 when it does not fit. */
  private encode(value: string, start: number): number {
    // Ids are ASCII as a rule (ours are UUIDs): copied unit by unit, several times quicker than
    // Buffer.write for a text this short; anything else goes the long way.
    const n = value.length;
    let i = 0;
    if (n <= FIELD_BYTES) {
      while (i < n) {
        const unit = value.charCodeAt(i);
        if (unit > 0x7f) break;
        this.text[start + i++] = unit;
      }
      if (i === n) return n;
    }
    // Three bytes a UTF-16 unit at most: only a long text needs counting.
    const fits = n * 3 <= FIELD_BYTES || Buffer.byteLength(value) <= FIELD_BYTES;
    return fits ? this.text.write(value, start, FIELD_BYTES, 'utf8') : -2;
  }

  private textAt(field: number): string | null {
    const length = Atomics.load(this.ints, LENGTHS + field);
    if (length < 0) return null;
    const start = field * FIELD_BYTES;
    return this.text.toString('utf8', start, start + Math.min(length, FIELD_BYTES));
  }

  /** A consistent snapshot: reads again while a write is under way (a write takes microseconds). */
  read(): BusyState | null {
    for (;;) {
      const seq = Atomics.load(this.ints, SEQ);
      if (seq % 2 === 1) continue;
      const busy = Atomics.load(this.ints, BUSY) === 1;
      const since = this.since[0] as number;
      const callId = this.textAt(CALL_ID);
      const hasPair = Atomics.load(this.ints, HAS_PAIR) === 1;
      const pair: RunPairState | undefined = hasPair
        ? {
            run: this.textAt(RUN) ?? '',
            index: Atomics.load(this.ints, INDEX),
            plugin: this.textAt(PLUGIN) ?? '',
            instance: this.textAt(INSTANCE),
          }
        : undefined;
      if (Atomics.load(this.ints, SEQ) !== seq) continue;
      if (!busy) return null;
      return pair ? { callId, since, pair } : { callId, since };
    }
  }
}
