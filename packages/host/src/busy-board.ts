// What is running now, in memory shared by the main thread (which writes it when a pair starts and
// ends) and the server worker (which reads it to answer pyblish.liveness). Shared memory instead of
// a message per change: two fewer thread wake-ups per pair, and the worker sees a pair as busy the
// moment it starts, even if the main thread then blocks.
import type { BusyState } from './calls.js';

/** Call ids are ours (`call-N-TIME`); longer ones are cut (they never are). */
const ID_BYTES = 96;
// Int32 slots: a sequence number (odd while a write is under way), busy flag, call id length (-1: none).
const SEQ = 0;
const BUSY = 1;
const ID_LENGTH = 2;
const INTS_BYTES = 16;
const SINCE_BYTES = 8;

export class BusyBoard {
  private readonly ints: Int32Array;
  private readonly since: BigInt64Array;
  private readonly id: Uint8Array;

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(INTS_BYTES + SINCE_BYTES + ID_BYTES),
  ) {
    this.ints = new Int32Array(buffer, 0, 4);
    this.since = new BigInt64Array(buffer, INTS_BYTES, 1);
    this.id = new Uint8Array(buffer, INTS_BYTES + SINCE_BYTES, ID_BYTES);
  }

  write(state: BusyState | null): void {
    Atomics.add(this.ints, SEQ, 1);
    Atomics.store(this.ints, BUSY, state ? 1 : 0);
    Atomics.store(this.since, 0, BigInt(Math.round((state?.since ?? 0) * 1000)));
    const id = state?.callId ?? null;
    const bytes = id === null ? null : Buffer.from(id, 'utf8').subarray(0, ID_BYTES);
    if (bytes) for (let i = 0; i < bytes.length; i++) Atomics.store(this.id, i, bytes[i]!);
    Atomics.store(this.ints, ID_LENGTH, bytes ? bytes.length : -1);
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
      const bytes = new Uint8Array(Math.max(0, length));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Atomics.load(this.id, i);
      if (Atomics.load(this.ints, SEQ) !== seq) continue;
      if (!busy) return null;
      return { callId: length < 0 ? null : Buffer.from(bytes).toString('utf8'), since };
    }
  }
}
