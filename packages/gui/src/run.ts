// One run on a host: Reset, Validate, Publish, an action or a repair. The controller holds at
// most one at a time; the run carries what ending it early needs (Stop, a lost host, the GUI
// closing) and a promise that settles when it has ended.
import { CommandError, HostCallError } from './errors.js';
import type { HostEntry } from './host-registry.js';
import { unresponsiveMessage } from './stop-grace.js';
import type { Phase } from './view-model.js';

export type RunKind = 'reset' | 'validate' | 'publish' | 'farm' | 'action' | 'repair';

/** The phases of a run under way. */
export const RUNNING_PHASES: readonly Phase[] = [
  'initialising',
  'collecting',
  'validating',
  'extracting',
  'integrating',
  'stopping',
  'acting',
];

/** An error a run ends with that is not a plug-in's (host lost, timeout, GUI closed). */
export interface RunFault {
  code: string;
  message: string;
}

/** The fault of a run (or a command) whose host stopped answering. */
export function lostFault(port: number): RunFault {
  return {
    code: 'HOST_LOST',
    message: `The host at port ${port} stopped answering. Restart it and it will show again.`,
  };
}

/** Refuses a command that would run on `host` while it cannot take one (lost, or unresponsive after Stop). */
export function refuseUnusable(host: HostEntry): void {
  if (host.status === 'lost') throw new CommandError('HOST_LOST', lostFault(host.port).message);
  if (host.status === 'unresponsive') throw new CommandError('HOST_UNRESPONSIVE', unresponsiveMessage(host));
}

/** How long a run may take to end once the GUI is closing. */
const CLOSE_WAIT_MS = 2000;

export class Run {
  /** Stop was pressed: no further pair starts. */
  stop = false;
  /** Aborts the outstanding call when the host is lost or the GUI closes. */
  readonly abort = new AbortController();
  /** The begun pair, or the host-side run, that Stop cancels on the host. */
  callId: string | null = null;
  /** What else Stop ends: a farm publish's jobs (set while the GUI follows them). */
  onStop: (() => void) | null = null;
  /** The host client's request count when the run's own requests began. */
  requestsAtStart: number;
  lost = false;
  /** Set when the GUI closes during the run: the fault the run ends with. */
  closing: RunFault | null = null;
  /** Set when the GUI gave the run up after Stop (stop-grace.ts): the fault the run ends with. */
  abandoned: RunFault | null = null;
  /** Settles once the run has ended (finish). */
  readonly done: Promise<void>;
  readonly finish: () => void;

  constructor(
    readonly kind: RunKind,
    readonly host: HostEntry,
  ) {
    let finish!: () => void;
    this.done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.finish = finish;
    this.requestsAtStart = host.client.requests;
  }

  /** Cancels the begun pair (or the host-side run) on the host, when there is one and the host can. */
  async cancelOnHost(): Promise<void> {
    if (this.callId && this.host.methods.has('pyblish.cancel')) {
      await this.host.client.cancel(this.callId).catch(() => undefined);
    }
  }

  /**
   * Ends the run at once (the GUI is closing): cancels it on the host and aborts its call.
   * Resolves to whether it ended within a moment (else the caller ends it with `reason`).
   */
  async close(reason: RunFault): Promise<boolean> {
    this.stop = true;
    this.closing = reason;
    await this.cancelOnHost();
    this.abort.abort();
    return Promise.race([
      this.done.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_WAIT_MS)),
    ]);
  }

  /** The fault the run ends with after `err`, an error outside any plug-in; `lost`: the host is gone. */
  faultOf(err: unknown): { fault: RunFault; lost: boolean } {
    // The GUI closing, or giving the run up after Stop, says why it ended whatever the error.
    const ended = this.closing ?? this.abandoned;
    if (ended) return { fault: ended, lost: false };
    if (this.lost || (err instanceof HostCallError && err.code === 'HOST_GONE'))
      return { fault: lostFault(this.host.port), lost: true };
    if (err instanceof HostCallError) return { fault: { code: err.code, message: err.message }, lost: false };
    const message = err instanceof Error ? err.message : String(err);
    return { fault: { code: 'INTERNAL', message: `Unknown error: ${message}` }, lost: false };
  }
}
