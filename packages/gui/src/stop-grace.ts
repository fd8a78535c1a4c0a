// Stop, when the host does not let go. Stop asks the host to cancel its pair and lets no new
// pair start; a host that never answers (a plug-in that ignores cancellation and blocks, a
// pyblish-qml host without cancel in a plain process call, a hung process) would keep the run
// "stopping" forever. After a grace period the GUI gives the run's calls up: the run ends with a
// HOST_UNRESPONSIVE fault (the terminal and the report say so), the host is marked unresponsive
// until it answers again, and the GUI takes commands again (another host can be shown).
import type { HostEntry } from './host-registry.js';
import type { Run, RunFault } from './run.js';

/** How long a run may take to end after Stop before the GUI gives up waiting for its host. */
export const DEFAULT_STOP_GRACE_MS = 5000;

export interface StopGraceOptions {
  graceMs: number;
  /** Marks the host unresponsive (the registry watches for it to answer again). */
  markUnresponsive(host: HostEntry): void;
  log?(line: string): void;
}

export class StopGrace {
  constructor(private readonly options: StopGraceOptions) {}

  /** Stop was pressed during `run`: gives it up unless it has ended within the grace period. */
  watch(run: Run): void {
    const timer = setTimeout(() => this.giveUp(run), this.options.graceMs);
    timer.unref();
    void run.done.then(() => clearTimeout(timer));
  }

  private giveUp(run: Run): void {
    const seconds = Math.round(this.options.graceMs / 100) / 10;
    run.abandoned = unresponsiveFault(run.host.port, seconds);
    this.options.log?.(run.abandoned.message);
    this.options.markUnresponsive(run.host);
    // Every call of the run (and any other to this host) settles now, as given up.
    run.host.client.abandon();
    run.abort.abort();
  }
}

function unresponsiveFault(port: number, seconds: number): RunFault {
  return {
    code: 'HOST_UNRESPONSIVE',
    message:
      `The host at port ${port} did not end its call within ${seconds} s of Stop; the GUI stopped waiting for it. ` +
      'It shows as unresponsive until it answers again; Reset then, or show another host.',
  };
}

/** Why the GUI refuses to run anything on `host` while it is unresponsive. */
export function unresponsiveMessage(host: Pick<HostEntry, 'port'>): string {
  return `The host at port ${host.port} has not answered since the GUI gave up its call after Stop. Wait until it shows as connected again, then Reset.`;
}
