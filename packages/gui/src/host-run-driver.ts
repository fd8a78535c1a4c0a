// The run driver for hosts that iterate a whole run themselves (our hosts: pyblish.run). The GUI
// hands the host the run (its phase and the toggles) and follows the replies, which bring the
// finished pairs in batches, the pair running now with its records, and the progress. Each pair
// is shown as the pair-by-pair driver (run-driver.ts) shows it: its rows and terminal lines, its
// live records, the phase it moves the run to, a failure noted for the end message, and the
// mirror refetching the context when a result says it changed; so both give the same rows,
// terminal and report.
import type { RecordJSON, RunPollJSON, RunResultJSON, RunSpecJSON } from '@pyblish/host';
import { HostCallError } from './errors.js';
import type { HostMirror } from './host-mirror.js';
import type { HostRegistry } from './host-registry.js';
import type { Run } from './run.js';
import { type DriveOptions, phaseOf } from './run-driver.js';
import type { DonePair, RunView, ShownPair } from './run-view.js';

export interface HostRunDeps {
  view: RunView;
  registry: HostRegistry;
  mirror: HostMirror;
}

export interface HostRunOptions extends Omit<DriveOptions, 'stopped'> {
  /** How long each poll may wait for news. */
  pollWaitMs: number;
}

/** What the host runs: the phase and the toggles as the mirror holds them now. */
export function runSpec(mirror: HostMirror, phase: RunSpecJSON['phase'], continuing: boolean): RunSpecJSON {
  const spec: RunSpecJSON = {
    phase,
    continuing,
    resultsAs: 'columns',
    pluginsOff: mirror.plugins.filter((p) => !p.active).map((p) => p.id),
  };
  // While collecting the host's own publish flags count, as they do in the mirror.
  if (phase !== 'collect') {
    spec.instancesOff = mirror.instances.filter((i) => i.data.publish === false).map((i) => i.id);
  }
  return spec;
}

/** Runs `spec` on the run's host and shows it. Resolves to the test's stop message, if any. */
export async function driveOnHost(
  run: Run,
  spec: RunSpecJSON,
  deps: HostRunDeps,
  options: HostRunOptions,
): Promise<string | null> {
  const { view, registry, mirror } = deps;
  const { collecting, state } = options;
  const host = run.host;
  let phase = options.phase;
  /** The pair on screen as running, by its place in the run, and the records it streamed. */
  let shown: { index: number; pair: ShownPair; records: RecordJSON[] } | null = null;

  /** The run enters the phase of this plug-in's pairs (collection never leaves its own). */
  const enter = (pluginId: string) => {
    const pairPhase = phaseOf(mirror.plugin(pluginId)?.order ?? Number.NaN);
    if (pairPhase && pairPhase !== phase && !collecting) {
      phase = pairPhase;
      options.onPhase(phase);
    }
  };
  const contextId = () => mirror.context?.id ?? '';
  /** A pair seen running: on screen as running, a call out until its result is in. */
  const start = (index: number, pluginId: string, instanceId: string | null) => {
    enter(pluginId);
    const pair = view.pairStarted(pluginId, instanceId, contextId(), { actionId: null, repair: false });
    registry.callStarted(host);
    shown = { index, pair, records: [] };
    return shown;
  };

  /** A pair glimpsed ahead of the results in (run-poll-wait.ts): a call out until they are in. */
  let glimpsed: number | null = null;
  const unglimpse = (seq: number) => {
    if (glimpsed !== null && seq > glimpsed) {
      glimpsed = null;
      registry.callEnded(host);
    }
  };

  const take = async (reply: RunPollJSON, seq: number) => {
    // Pairs done between two replies are shown together, up to each change of the context (its
    // new instances must be in the mirror before the pairs after it are shown).
    let done: DonePair[] = [];
    const showDone = () => {
      if (done.length) view.pairsDone(contextId(), done);
      done = [];
    };
    // The pairs of this reply ran before it was sent: a fetch after one of them shows them all.
    let fetched = false;
    for (let i = 0; i < reply.results.length; i++) {
      const result = reply.results[i] as RunResultJSON;
      if (shown?.index === seq + i) {
        // Its result brings the records after those streamed while it ran; the report has all.
        if (result.records.length) view.streamed(shown.pair, result.records);
        view.pairEnded(shown.pair, { ...result, records: [...shown.records, ...result.records] });
        shown = null;
        registry.callEnded(host);
      } else {
        enter(result.plugin);
        done.push(result);
      }
      if (result.error) state.ordersWithError.add(mirror.plugin(result.plugin)?.order ?? Number.NaN);
      if (mirror.changedBy(result, collecting)) {
        showDone();
        await mirror.afterPair(host.client, result, collecting);
        fetched = true;
      } else if (!fetched) mirror.pairRan();
    }
    showDone();
    unglimpse(reply.seq);
    const { progress, current } = reply;
    const last = reply.results.at(-1);
    if (last && !current) view.showCurrent(last.plugin, last.instance);
    if (progress) options.onProgress(options.done + progress.done, options.done + progress.planned);
    if (current && current.index === reply.seq) {
      const running =
        shown?.index === current.index ? shown : start(current.index, current.plugin, current.instance);
      if (current.records.length) {
        running.records.push(...current.records);
        view.streamed(running.pair, current.records);
      }
    } else if (current && current.index > reply.seq && glimpsed !== current.index) {
      unglimpse(Number.POSITIVE_INFINITY);
      view.pairGlimpsed(current.plugin, current.instance, contextId());
      registry.callStarted(host);
      glimpsed = current.index;
    }
  };

  let seq = 0;
  try {
    const last = await host.client.followRun(spec, {
      signal: run.abort.signal,
      pollWaitMs: options.pollWaitMs,
      onRunId: (runId) => {
        run.callId = runId;
        // Stop pressed while the run was on its way: only now is there an id to cancel.
        if (runId && run.stop) void run.cancelOnHost();
      },
      onReply: async (reply) => {
        await take(reply, seq);
        seq = reply.seq;
      },
      stillAlive: () => host.status !== 'lost',
      onPolling: (polling) => (polling ? registry.callStarted(host) : registry.callEnded(host)),
    });
    if (last.error) {
      throw new HostCallError(
        'HOST_FAULT',
        `the host at port ${host.port} could not finish the run: ${last.error}`,
        'pyblish.run',
      );
    }
    return last.stopped;
  } finally {
    if (shown) registry.callEnded(host);
    unglimpse(Number.POSITIVE_INFINITY);
  }
}
