// Driving a run's pairs, as a GUI runs them: iterate() picks each pair, the caller processes it
// (on a host over the wire, or in this process), a failed pair's order is noted for the test, and
// the plan (how many pairs the run takes) is kept along the way. The GUI drives a host pair by
// pair with it and a host drives a whole run with it (the pyblish.run extension), so both take
// the same pairs in the same order, stop alike and count progress alike.
import {
  countingPairs,
  type InstanceLike,
  type IterationState,
  inRange,
  iterate,
  type PluginLike,
  pluginsByTargets,
  pluginType,
  type Test,
} from './logic.js';

/** What a GUI's Reset (collect), Validate and Publish run. */
export type RunPhase = 'collect' | 'validate' | 'publish';

/**
 * The plug-ins of a run: the collectors; the validators; or all but the collectors, where a
 * Publish continuing from a clean Validate skips the validators.
 */
export function pluginsOfRun<P extends PluginLike>(plugins: P[], phase: RunPhase, continuing = false): P[] {
  if (phase === 'collect') return plugins.filter((p) => pluginType(p.order) === 'Collector');
  const all = plugins.filter((p) => pluginType(p.order) !== 'Collector');
  if (phase === 'validate') return all.filter((p) => inRange(p.order, 1));
  return continuing ? all.filter((p) => !inRange(p.order, 1)) : all;
}

export interface DriveOptions {
  /** Collection: the plan is recounted as collectors add or remove instances. */
  collecting: boolean;
  /** Pairs counted before this run (a Publish continuing from its Validate). */
  done: number;
  state: IterationState;
  /** Asked before each pair (and after one, whether to count it): Stop was pressed. */
  stopped(): boolean;
  /** Asked before each plug-in; core's default test when left out. */
  test?: Test;
  /** When given, the plug-ins are first filtered by these targets. */
  targets?: readonly string[];
  /** After each pair (and once before the first): the pairs done and planned. */
  onProgress(done: number, planned: number): void;
  /**
   * Asked between the steps of counting the plan: a promise to wait for lets the caller's event
   * loop serve others meanwhile (a scene of 50,000 instances and 5,000 plug-ins counts for long).
   */
  pause?(): Promise<void> | null;
}

/** How many pairs `plugins` take on `instances` (countPairs), pausing as `pause` asks. */
export async function plannedPairs<P extends PluginLike, I extends InstanceLike>(
  plugins: P[],
  instances: Iterable<I>,
  pause?: () => Promise<void> | null,
): Promise<number> {
  const steps = countingPairs(plugins, instances);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    const wait = pause?.();
    if (wait) await wait;
  }
}

/**
 * Runs the pairs of `plugins` in pyblish's order; `process` resolves to true when its pair
 * failed. `instances` is read afresh for each plug-in, so a collector's instances reach the
 * next. Resolves to the test's stop message, if any (null when it ran out of pairs or stopped).
 */
export async function drivePairs<P extends PluginLike, I extends InstanceLike>(
  plugins: P[],
  instances: () => Iterable<I>,
  process: (plugin: P, instance: I | null) => Promise<boolean>,
  options: DriveOptions,
): Promise<string | null> {
  const { collecting, state } = options;
  const list = options.targets ? pluginsByTargets(plugins, options.targets) : plugins;
  let done = options.done;
  const count = (some: P[], among: Iterable<I>) => plannedPairs(some, among, options.pause);
  let planned = done + (await count(list, instances()));
  options.onProgress(done, planned);
  const pairs = iterate(list, instances, { state, ...(options.test && { test: options.test }) });
  // While collecting, the plan is: pairs done before the current plug-in, its own pairs, and
  // those of the plug-ins after it (recounted when collection adds or removes instances).
  let current: P | null = null;
  let base = 0;
  let own = 0;
  let rest = 0;
  let counted = -1;
  for (;;) {
    if (options.stopped()) return null;
    const next = pairs.next();
    if (next.done) return next.value.stopped;
    const { plugin, instance } = next.value;
    if (collecting && plugin !== current) {
      current = plugin;
      base = done;
      own = await count([current], instances());
      counted = -1;
    }
    const failed = await process(plugin, instance);
    if (failed) state.ordersWithError.add(plugin.order);
    // A pair Stop ended without success (cancelled) is not done: a stopped run never shows a full bar.
    if (!(failed && options.stopped())) done++;
    if (collecting) {
      const now = [...instances()];
      if (counted !== now.length) {
        rest = await count(list.slice(list.indexOf(plugin) + 1), now);
        counted = now.length;
      }
      planned = base + own + rest;
    }
    options.onProgress(done, planned);
  }
}
