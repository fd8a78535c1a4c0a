// pyblish.pollRun served from the server worker. The poll goes to the main thread, where the run
// is, but a plug-in that blocks that thread would hold the reply as long as it blocks. So the
// worker also times the poll (as it times pyblish.begin's wait): when the main thread has not
// answered shortly after the poll's own wait, the worker answers "no news yet" itself, with the
// pair running now read from the busy board, so the GUI can show which plug-in runs and that the
// host is busy. The main thread's late reply is dropped; its results stay there for the next poll.
import type { BusyBoard } from './busy-board.js';
import type { HostHandlers } from './served-methods.js';
import type { RunPollJSON } from './wire.js';

/** How long past the poll's own wait the worker waits for the main thread's reply. */
const GRACE_MS = 100;

export function pollRunFromWorker(
  forwarded: HostHandlers['pollRun'],
  board: BusyBoard,
): HostHandlers['pollRun'] {
  return (params, call) => {
    const [runId, afterSeq, afterRecord, waitMs] = params;
    const reply = Promise.resolve(forwarded(params, call));
    let timer: NodeJS.Timeout | undefined;
    const blocked = new Promise<RunPollJSON>((resolve) => {
      timer = setTimeout(
        () => resolve(blockedReply(board, runId, afterSeq, afterRecord)),
        (waitMs ?? 0) + GRACE_MS,
      );
    });
    // A reply (or fault) arriving after the worker answered is nobody's to hear.
    reply.catch(() => undefined);
    return Promise.race([reply, blocked]).finally(() => clearTimeout(timer));
  };
}

/** "No news": nothing finished since `afterSeq` as far as the worker knows, and what runs now. */
function blockedReply(board: BusyBoard, runId: string, afterSeq: number, afterRecord: number): RunPollJSON {
  const pair = board.read()?.pair;
  const running = pair && pair.run === runId ? pair : null;
  return {
    runId,
    seq: afterSeq,
    results: [],
    current: running && {
      index: running.index,
      plugin: running.plugin,
      instance: running.instance,
      seq: running.index === afterSeq ? Math.max(afterRecord, 0) : 0,
      records: [],
    },
    progress: null,
    finished: false,
    stopped: null,
    cancelled: false,
    error: null,
  };
}
