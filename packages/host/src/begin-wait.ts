// pyblish.begin with a wait: start a pair, then follow it until it is done or the wait is over, so
// a quick pair costs the GUI one request instead of begin + poll. The same steps serve the host's
// main thread and its server worker (which waits on its own clock while a plug-in blocks the main
// thread, and then replies "not done" so the GUI polls and watches liveness).
import { RECORD_LIMITS, recordSize } from './record-buffer.js';
import type { BeginJSON, PollJSON } from './wire.js';

/** The longest pyblish.begin waits for its pair, whatever the caller asks: longer is a poll's job. */
export const MAX_BEGIN_WAIT_MS = 1000;

export interface BeginSteps {
  /** Starts the pair; resolves to its call id at once (the pair starts after that). */
  begin(): Promise<string>;
  /** pyblish.poll: records after afterSeq, waiting up to waitMs for one; the result once done. */
  poll(callId: string, afterSeq: number, waitMs: number): Promise<PollJSON>;
}

export async function beginAndWait(steps: BeginSteps, waitMs: number): Promise<BeginJSON> {
  const callId = await steps.begin();
  const wait = Math.max(0, Math.min(waitMs, MAX_BEGIN_WAIT_MS));
  const deadline = performance.now() + wait;
  const seen: BeginJSON = { callId, done: false, seq: 0, records: [], result: null };
  let chars = 0;
  const follow = (async () => {
    for (;;) {
      const left = Math.max(0, Math.ceil(deadline - performance.now()));
      const reply = await steps.poll(callId, seen.seq, left);
      seen.records.push(...reply.records);
      for (const r of reply.records) chars += recordSize(r);
      seen.seq = reply.seq;
      seen.done = reply.done;
      seen.result = reply.result;
      // A full reply's worth of records goes out now; the GUI polls for the rest.
      const full = chars >= RECORD_LIMITS.pageChars || seen.records.length >= RECORD_LIMITS.pageRecords;
      if (reply.done || left === 0 || full) return;
    }
  })();
  // A poll still pending when time is up settles later, unheard.
  follow.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, wait);
  });
  try {
    await Promise.race([follow, timeUp]);
  } finally {
    clearTimeout(timer);
  }
  // A copy: the pending poll may still add to `seen`, and seq must match the records sent.
  return { ...seen, records: seen.records.slice(0, seen.records.length) };
}
