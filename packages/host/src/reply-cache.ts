// context() and discover() replies reused while nothing could have changed them. The main thread
// counts changes in shared memory (a generation): every call that may change the session (reset,
// a pair, an action or a repair, emit, update) moves it on as it starts and again as it ends. A
// reply built while no such call is under way is kept, encoded, with the generation it was built
// at, and sent again as it is until the generation moves on: by the server worker without asking
// the main thread at all, or by the main thread when it serves the calls itself.
import type { EncodedValue } from '@pyblish/xmlrpc';

// Int32 slots: the generation, and how many changing calls are under way.
const GENERATION = 0;
const CHANGING = 1;

export class Generation {
  private readonly slots: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8)) {
    this.slots = new Int32Array(buffer, 0, 2);
  }

  get value(): number {
    return Atomics.load(this.slots, GENERATION);
  }

  /** Whether no changing call is under way (a reply built now may be kept). */
  get settled(): boolean {
    return Atomics.load(this.slots, CHANGING) === 0;
  }

  /** A changing call starts: replies kept so far are stale from now on. */
  begin(): void {
    Atomics.add(this.slots, CHANGING, 1);
    Atomics.add(this.slots, GENERATION, 1);
  }

  /** It ended: replies built while it ran are stale too. */
  end(): void {
    Atomics.add(this.slots, GENERATION, 1);
    Atomics.sub(this.slots, CHANGING, 1);
  }

  /** A change made at once (emit, update, or the application's own edit). */
  bump(): void {
    Atomics.add(this.slots, GENERATION, 1);
  }
}

/** An encoded reply where the method's declared reply goes: its bytes are that reply's. */
export function asReply<R>(encoded: EncodedValue): R {
  return encoded as unknown as R;
}

/** The kept replies, by method name, each with the generation it was built at. */
export class ReplyCache {
  private readonly kept = new Map<string, { generation: number; reply: EncodedValue }>();
  /** The generation each reply that may be kept was built at, for the main thread to tell the worker. */
  private readonly generations = new WeakMap<EncodedValue, number>();
  /**
   * Whether this thread keeps the replies it builds. The main thread behind a server worker does
   * not: the worker keeps them (and the main thread moves each to it instead of copying it).
   */
  keeping = true;

  constructor(private readonly generation: Generation) {}

  /** The reply kept for `method`, while it is still current. */
  get(method: string): EncodedValue | null {
    const entry = this.kept.get(method);
    return entry && entry.generation === this.generation.value ? entry.reply : null;
  }

  /** Keeps `reply`, built at `generation` (nothing is kept when it was built during a change). */
  keep(method: string, generation: number, reply: EncodedValue): void {
    this.generations.set(reply, generation);
    if (this.keeping) this.kept.set(method, { generation, reply });
  }

  /** The kept reply for `method` if current, else `build`'s, kept when built while settled. */
  reuse(method: string, build: () => EncodedValue): EncodedValue {
    const kept = this.get(method);
    if (kept) return kept;
    const settled = this.generation.settled;
    const generation = this.generation.value;
    const reply = build();
    if (settled && generation === this.generation.value) this.keep(method, generation, reply);
    return reply;
  }

  /** The generation `reply` was built at when it may be kept, else null (built during a change). */
  generationOf(reply: EncodedValue): number | null {
    return this.generations.get(reply) ?? null;
  }
}
