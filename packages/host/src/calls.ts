// Running pairs that a GUI follows with `pyblish.begin` / `pyblish.poll` / `pyblish.cancel`, or
// with `pyblish.pollRun` as pairs of a host-side run (host-run.ts): each call buffers its log
// records as they are logged, so a long plug-in can be watched live. The buffer caps them
// (record-buffer.ts) and replies page through them; the result that ends the call does not
// repeat those already sent.
import { RecordBuffer } from './record-buffer.js';
import type { LivenessJSON, PollJSON, RecordJSON, ResultJSON } from './wire.js';

/** What is running now, for `pyblish.liveness`. */
export interface BusyState {
  callId: string | null;
  /** Seconds since the epoch. */
  since: number;
  /** The pair's place in a host-side run, for a poll the server worker answers while it blocks. */
  pair?: RunPairState;
}

/** A pair of a host-side run (host-run.ts): which run, its place in it, and what it processes. */
export interface RunPairState {
  run: string;
  index: number;
  plugin: string;
  instance: string | null;
}

export function livenessOf(busy: BusyState | null): LivenessJSON {
  return { busy: busy !== null, callId: busy?.callId ?? null, since: busy?.since ?? null, pid: process.pid };
}

/** The longest a single poll may wait, whatever the caller asks. */
export const MAX_POLL_WAIT_MS = 30_000;

/** The records of a pair that logged nothing (most of them). */
const NO_RECORDS: readonly RecordJSON[] = Object.freeze([]);

export class RunningCall {
  result: ResultJSON | null = null;
  /** Made at the first record: most pairs of a large run log nothing. */
  private kept: RecordBuffer | null = null;
  private waiters: Set<() => void> | null = null;
  private controller: AbortController | null = null;
  /** Ended without a result of its own (a pair of a host-side run: its result goes with the run). */
  private ended = false;

  constructor(readonly id: string) {}

  /** The pair's records, capped (record-buffer.ts). */
  get buffer(): RecordBuffer {
    this.kept ??= new RecordBuffer();
    return this.kept;
  }

  /** The records kept so far (the closing one too, once ended). */
  get records(): readonly RecordJSON[] {
    return this.kept?.records ?? NO_RECORDS;
  }

  /** What the kept records count for against a reply's size. */
  get recordChars(): number {
    return this.kept?.chars ?? 0;
  }

  /** Aborts the pair (made when first asked for: a host-side run's pairs share their run's). */
  get abort(): AbortController {
    this.controller ??= new AbortController();
    return this.controller;
  }

  get done(): boolean {
    return this.result !== null || this.ended;
  }

  addRecord(record: RecordJSON): void {
    if (this.buffer.add(record)) this.wake();
  }

  /** The pair ended: its records went (or go) out in polls, so the result carries none of them. */
  finish(result: ResultJSON): void {
    this.buffer.close();
    this.result = { ...result, records: [], recordsStreamed: this.buffer.length };
    this.wake();
  }

  /** A pair of a host-side run ended: its records are closed; its result goes with the run. */
  end(): void {
    this.kept?.close();
    this.ended = true;
    this.wake();
  }

  /** A poll's reply: the records after `afterSeq` that fit one reply; done once all went out. */
  reply(afterSeq: number): PollJSON {
    const page = this.buffer.page(afterSeq);
    const done = this.done && page.seq === this.buffer.length;
    return { done, seq: page.seq, records: page.records, result: done ? this.result : null };
  }

  private wake(): void {
    const waiters = this.waiters;
    if (!waiters) return;
    this.waiters = null;
    for (const w of waiters) w();
  }

  /** Resolves when a record after `afterSeq` exists, the call is done, `ms` passed, or `signal` aborts. */
  waitFor(afterSeq: number, ms: number, signal?: AbortSignal): Promise<void> {
    if (this.done || this.records.length > afterSeq || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        this.waiters?.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, Math.min(ms, MAX_POLL_WAIT_MS));
      signal?.addEventListener('abort', finish, { once: true });
      this.waiters ??= new Set();
      this.waiters.add(finish);
    });
  }
}
