// One run on a host: Reset, Validate, Publish, an action or a repair. The controller holds at
// most one at a time; the run carries what ending it early needs (Stop, a lost host, the GUI
// closing) and a promise that settles when it has ended.
import type { HostEntry } from './host-registry.js';

export type RunKind = 'reset' | 'validate' | 'publish' | 'farm' | 'action' | 'repair';

/** An error a run ends with that is not a plug-in's (host lost, timeout, GUI closed). */
export interface RunFault {
  code: string;
  message: string;
}

export class Run {
  /** Stop was pressed: no further pair starts. */
  stop = false;
  /** Aborts the outstanding call when the host is lost or the GUI closes. */
  readonly abort = new AbortController();
  /** The begun pair Stop cancels on the host. */
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
}
