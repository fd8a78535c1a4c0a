// What is running now, in memory shared by the main thread (which writes it when a pair starts and
// ends) and the server worker (which reads it to answer pyblish.liveness, and pyblish.pollRun when
// a plug-in blocks the main thread). Shared memory instead of a message per change: two fewer
// thread wake-ups per pair, and the worker sees a pair as busy the moment it starts, even if the
// main thread then blocks.
import type { BusyState, RunPairState } from './calls.js';

/**
 * The call id (ours: `call-N-TIME`) and, for a pair of a host-side run, the run, the place and
 * the ids, as one text; when that is longer, the pair is left out (ids are rarely this long).
 */
const ID_BYTES = 1024;
const SEP = '\u0000';
// Int32 slots: a sequence number (odd while a write is under way), busy flag, call id length (-1: none).
const SEQ = 0;
const BUSY = 1;
const ID_LENGTH = 2;
const INTS_BYTES = 16;
const SINCE_BYTES = 8;

export class BusyBoard {
  private readonly ints: Int32Array;
  private readonly since: BigInt64Array;
  /** The text, copied in and out whole: the sequence number tells a reader it read a torn one. */
  private readonly text: Buffer;

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(INTS_BYTES + SINCE_BYTES + ID_BYTES),
  ) {
    this.ints = new Int32Array(buffer, 0, 4);
    this.since = new BigInt64Array(buffer, INTS_BYTES, 1);
    this.text = Buffer.from(buffer, INTS_BYTES + SINCE_BYTES, ID_BYTES);
  }

  /** Written as each pair starts and ends: a few stores and one copy. */
  write(state: BusyState | null): void {
    Atomics.add(this.ints, SEQ, 1);
    Atomics.store(this.ints, BUSY, state ? 1 : 0);
    Atomics.store(this.since, 0, BigInt(Math.round((state?.since ?? 0) * 1000)));
    let text = state ? textOf(state) : null;
    // Three bytes a UTF-16 unit at most: only a long text needs counting.
    if (text !== null && text.length * 3 > ID_BYTES && Buffer.byteLength(text) > ID_BYTES)
      text = state?.callId ?? null;
    const length = text === null ? -1 : this.text.write(text, 0, ID_BYTES, 'utf8');
    Atomics.store(this.ints, ID_LENGTH, length);
    Atomics.add(this.ints, SEQ, 1);
  }

  /** A consistent snapshot: reads again while a write is under way (a write takes microseconds). */
  read(): BusyState | null {
    for (;;) {
      const seq = Atomics.load(this.ints, SEQ);
      if (seq % 2 === 1) continue;
      const busy = Atomics.load(this.ints, BUSY) === 1;
      const since = Number(Atomics.load(this.since, 0)) / 1000;
      const length = Atomics.load(this.ints, ID_LENGTH);
      const text = length < 0 ? null : this.text.toString('utf8', 0, Math.min(length, ID_BYTES));
      if (Atomics.load(this.ints, SEQ) !== seq) continue;
      if (!busy) return null;
      return stateOf(text, since);
    }
  }
}

/** The board's text for a state: the call id, then the run pair's fields; null without either. */
function textOf(state: BusyState): string | null {
  const { callId, pair } = state;
  if (!pair) return callId;
  return `${callId ?? ''}${SEP}${pair.run}${SEP}${pair.index}${SEP}${pair.plugin}${SEP}${pair.instance ?? ''}`;
}

function stateOf(text: string | null, since: number): BusyState {
  if (text === null || !text.includes(SEP)) return { callId: text, since };
  const fields = text.split(SEP);
  const [callId = '', run = '', index = '', plugin = '', instance = ''] = fields;
  const complete = fields.length === 5 && Number.isInteger(Number(index));
  const pair: RunPairState | undefined = complete
    ? { run, index: Number(index), plugin, instance: instance || null }
    : undefined;
  return { callId: callId || null, since, ...(pair && { pair }) };
}
