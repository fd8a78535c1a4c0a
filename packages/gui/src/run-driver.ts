// The run driver: the remote counterpart of pyblish-base's util._convenience_iter. Core's
// iterate() picks each pair from the mirror's proxies (so the test stops a run after a failed
// validation, and instances a collector created reach the next plug-in), the host processes it,
// a failed pair's order is noted for the test, and the mirror refetches the context when the
// result says it changed. Along the way it keeps the plan: how many pairs the run takes.
import {
  createState,
  type IterationState,
  inRange,
  instanceFamilies,
  isPublished,
  iterate,
  type Pair,
  pluginType,
} from '@pyblish/core';
import type { ContextJSON, ResultJSON } from '@pyblish/host';
import type { HostMirror, InstanceProxy, PluginProxy } from './host-mirror.js';
import { eachSliced } from './slices.js';
import type { Phase } from './view-model.js';

/** What the driver asks of the host (the controller, or a scripted client in tests). */
export interface DriverClient {
  /** Processes one pair on the host; plug-in errors are in the result. */
  process(plugin: PluginProxy, instance: InstanceProxy | null): Promise<ResultJSON>;
  context(): Promise<ContextJSON>;
}

export interface DriveOptions {
  /** Collection (Reset): the plan is recounted as collectors add instances; the phase stays. */
  collecting: boolean;
  /** Pairs this run's progress counted before (a Publish continuing from its Validate). */
  done: number;
  /** The phase the run is in; a pair of another phase moves it on. */
  phase: Phase;
  state: IterationState;
  /** Checked before each pair: Stop was pressed. */
  stopped(): boolean;
  onPhase(phase: Phase): void;
  /** After each pair (and once before the first), the pairs done and planned. */
  onProgress(done: number, planned: number): void;
}

const PHASE_OF: Record<string, Phase | null> = {
  Collector: 'collecting',
  Validator: 'validating',
  Extractor: 'extracting',
  Integrator: 'integrating',
  Other: null,
};

/** The phase a plug-in of this order runs in (null for orders outside the four ranges). */
export function phaseOf(order: number): Phase | null {
  return PHASE_OF[pluginType(order)] ?? null;
}

/**
 * The plug-ins Validate or Publish runs: no collectors; a Publish after a clean Validate skips the
 * validators. Publish on farm runs the validators here (none after a clean Validate); the farm does the rest.
 */
export function pluginsOfRun(
  plugins: PluginProxy[],
  kind: 'validate' | 'publish' | 'farm',
  continuing: boolean,
): PluginProxy[] {
  const all = plugins.filter((p) => pluginType(p.order) !== 'Collector');
  if (kind === 'farm' && continuing) return [];
  if (kind !== 'publish') return all.filter((p) => inRange(p.order, 1));
  return continuing ? all.filter((p) => !inRange(p.order, 1)) : all;
}

/**
 * The words a Validate or Publish ends with: the test's stop message, or what it reached and
 * whether a pair failed. `reached` is the last phase a pair ran in.
 */
export function endMessage(
  kind: 'validate' | 'publish' | 'farm',
  outcome: { stopped: string | null; failed: boolean; reached: Phase },
): string {
  const { stopped, failed, reached } = outcome;
  if (kind === 'farm' && (stopped || failed))
    return `Not sent to the farm: ${stopped ?? 'validation failed'}`;
  if (stopped) return stopped;
  if (kind === 'publish' && (reached === 'extracting' || reached === 'integrating'))
    return failed ? 'Published, with errors..' : 'Published';
  return failed ? 'Validated, with errors..' : 'Validated';
}

/** Whether a pair counts as done in the progress: one that Stop ended without success (cancelled on the host) does not. */
export function pairDone(stopped: boolean, result: Pick<ResultJSON, 'success' | 'error'>): boolean {
  return !(stopped && (!result.success || Boolean(result.error)));
}

/**
 * How many pairs `plugins` take on `instances` with the current toggles (the test may end it
 * sooner). Instances alike in all that iterate reads of them (families, publish) are counted
 * once and weighed, and the counting is sliced: a host's 50,000 instances neither take long nor
 * hold up the event loop.
 */
export async function plannedPairs(plugins: PluginProxy[], instances: InstanceProxy[]): Promise<number> {
  const weight = new Map<string, { instance: InstanceProxy; count: number }>();
  await eachSliced(instances, (instance) => {
    const key = JSON.stringify([instanceFamilies(instance.data), isPublished(instance)]);
    const group = weight.get(key);
    if (group) group.count++;
    else weight.set(key, { instance, count: 1 });
  });
  const counts = new Map([...weight.values()].map((g) => [g.instance, g.count]));
  let n = 0;
  const pairs = iterate(plugins, [...counts.keys()], { state: createState(), test: () => undefined });
  await eachSliced(pairs, (pair) => {
    n += pair.instance ? (counts.get(pair.instance) ?? 1) : 1;
  });
  return n;
}

/** Runs the pairs of `plugins` in pyblish's order. Resolves to the test's stop message, if any. */
export async function drivePairs(
  plugins: PluginProxy[],
  mirror: HostMirror,
  client: DriverClient,
  options: DriveOptions,
): Promise<string | null> {
  const { collecting, state } = options;
  let done = options.done;
  let planned = done + (await plannedPairs(plugins, mirror.instances));
  options.onProgress(done, planned);
  // The instance list is read afresh for each plug-in: a collector's instances reach the next.
  const pairs = iterate(plugins, () => mirror.instances, { state });
  let phase = options.phase;
  // While collecting, the plan is: pairs done before the current plug-in, its own pairs, and
  // those of the plug-ins after it (recounted when collection adds or removes instances).
  let current: PluginProxy | null = null;
  let base = 0;
  let own = 0;
  let rest = 0;
  let counted = -1;
  for (;;) {
    if (options.stopped()) return null;
    const next = pairs.next();
    if (next.done) return next.value.stopped;
    const pair: Pair<PluginProxy, InstanceProxy> = next.value;
    const pairPhase = phaseOf(pair.plugin.order);
    if (pairPhase && pairPhase !== phase && !collecting) {
      phase = pairPhase;
      options.onPhase(phase);
    }
    if (collecting && pair.plugin !== current) {
      current = pair.plugin;
      base = done;
      own = await plannedPairs([current], mirror.instances);
      counted = -1;
    }
    const result = await client.process(pair.plugin, pair.instance);
    if (result.error) state.ordersWithError.add(pair.plugin.order);
    if (pairDone(options.stopped(), result)) done++;
    await mirror.afterPair(client, result, collecting);
    if (collecting) {
      if (counted !== mirror.instances.length) {
        rest = await plannedPairs(plugins.slice(plugins.indexOf(pair.plugin) + 1), mirror.instances);
        counted = mirror.instances.length;
      }
      planned = base + own + rest;
    }
    options.onProgress(done, planned);
  }
}
