// One pair on the host as the user sees it: the view marks its rows and the terminal, liveness
// knows a call is out (a long pair reads as busy, not dead), and the host client carries it
// (begin and polls streaming its records, or one plain call). Runs driven pair by pair, actions
// and repairs all go through here.
import type { ResultJSON } from '@pyblish/host';
import type { PairOptions } from './host-client.js';
import type { HostMirror, InstanceProxy, PluginProxy } from './host-mirror.js';
import type { HostRegistry } from './host-registry.js';
import type { Run } from './run.js';
import type { RunView } from './run-view.js';

export interface PairTransportOptions {
  /** Long-poll wait for hosts with pyblish.poll. */
  pollWaitMs?: number;
  /** How long a host's pyblish.begin may wait for a quick pair (default 250; 0: begin, then poll). */
  beginWaitMs?: number;
  /** Plain process calls, as pyblish-qml made them. */
  naive?: boolean;
}

export class PairRunner {
  constructor(
    private readonly deps: { view: RunView; registry: HostRegistry; mirror: HostMirror },
    private readonly options: PairTransportOptions,
  ) {}

  /** Processes one pair (or runs an action, or repairs) on the run's host; the view follows it. */
  async process(
    run: Run,
    plugin: PluginProxy,
    instance: InstanceProxy | null,
    actionId: string | null = null,
    repair = false,
  ): Promise<ResultJSON> {
    const { view, registry, mirror } = this.deps;
    const contextId = mirror.context?.id ?? '';
    const pair = view.pairStarted(plugin.id, instance?.id ?? null, contextId, { actionId, repair });
    const host = run.host;
    registry.callStarted(host);
    let result: ResultJSON;
    try {
      result = repair
        ? await host.client.repair(plugin.id, pair.instanceId, run.abort.signal)
        : await host.client.runPair(plugin.id, pair.instanceId, actionId, {
            ...this.transport(run),
            onRecords: (records) => view.streamed(pair, records),
          });
    } finally {
      registry.callEnded(host);
    }
    view.pairEnded(pair, result);
    return result;
  }

  /** How the host client carries a pair to this run's host. */
  private transport(run: Run): Omit<PairOptions, 'onRecords'> {
    const host = run.host;
    const { naive = false, beginWaitMs = 250, pollWaitMs = 1000 } = this.options;
    return {
      signal: run.abort.signal,
      stream: !naive && host.methods.has('pyblish.begin') && host.methods.has('pyblish.poll'),
      beginWaitMs: host.beginWaits ? beginWaitMs : 0,
      pollWaitMs,
      onCallId: (callId) => {
        run.callId = callId;
        // Stop pressed while begin was on its way: only now is there a call id to cancel.
        if (callId && run.stop) void run.cancelOnHost();
      },
      stillAlive: () => host.status !== 'lost',
    };
  }
}
