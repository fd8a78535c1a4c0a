// The iteration logic, pure: which plug-in runs on which instance, in what order, and when a run
// stops. It works on plain data descriptions (PluginInfo, wire shapes) as well as on live classes
// and instances, so a GUI can run it on proxies built from a remote host's replies.

export type PluginType = 'Collector' | 'Validator' | 'Extractor' | 'Integrator' | 'Other';

const MATCH_INTERSECTION = 1;
const MATCH_SUBSET = 2;
const MATCH_EXACT = 4;

/** True when `base - offset <= n < base + offset` (lower bound included, upper excluded). */
export function inRange(n: number, base: number, offset = 0.5): boolean {
  return base - offset <= n && n < base + offset;
}

const TYPES: [number, PluginType][] = [
  [0, 'Collector'],
  [1, 'Validator'],
  [2, 'Extractor'],
  [3, 'Integrator'],
];

/** Collector [-0.5, 0.5), Validator [0.5, 1.5), Extractor [1.5, 2.5), Integrator [2.5, 3.5), else Other. */
export function pluginType(order: number): PluginType {
  for (const [base, type] of TYPES) if (inRange(order, base)) return type;
  return 'Other';
}

export interface InstanceLike {
  id: string;
  data: { family?: unknown; families?: unknown; publish?: unknown };
}

export interface PluginLike {
  order: number;
  families: readonly string[];
  match: number;
  active: boolean;
  targets: readonly string[];
  /** True for instance plug-ins (one pair per compatible instance), false for context plug-ins. */
  instanceEnabled: boolean;
}

/** The families of an instance described by plain data: `[family, ...families]`, empty ones left out. */
export function instanceFamilies(data: { family?: unknown; families?: unknown }): string[] {
  const out: string[] = [];
  if (typeof data.family === 'string' && data.family !== '') out.push(data.family);
  if (Array.isArray(data.families)) {
    for (const f of data.families) if (typeof f === 'string' && f !== '' && !out.includes(f)) out.push(f);
  }
  return out;
}

/**
 * Compares a plug-in's list (families or targets) with a subject's list under a match mode.
 * '*' in the plug-in's list matches everything.
 */
export function matches(
  pluginList: readonly string[],
  subjectList: readonly string[],
  match: number,
): boolean {
  if (pluginList.includes('*')) return true;
  const subject = new Set(subjectList);
  if (match === MATCH_SUBSET) return pluginList.every((f) => subject.has(f));
  if (match === MATCH_EXACT) {
    const plugin = new Set(pluginList);
    return plugin.size === subject.size && [...plugin].every((f) => subject.has(f));
  }
  if (match === MATCH_INTERSECTION) return pluginList.some((f) => subject.has(f));
  return false;
}

/** The instances a plug-in applies to, by family and match mode (publish flags are not looked at). */
export function instancesByPlugin<I extends InstanceLike>(instances: Iterable<I>, plugin: PluginLike): I[] {
  const out: I[] = [];
  for (const instance of instances) {
    if (matches(plugin.families, instanceFamilies(instance.data), plugin.match)) out.push(instance);
  }
  return out;
}

/** The plug-ins that belong to the session's targets, compared by each plug-in's match mode. */
export function pluginsByTargets<P extends PluginLike>(plugins: P[], targets: readonly string[]): P[] {
  return plugins.filter((p) => matches(p.targets, targets, p.match));
}

/** The plug-ins that run in a host: their `hosts` contain '*' or one of the host names. */
export function pluginsByHost<P extends { hosts: readonly string[] }>(
  plugins: P[],
  hosts: readonly string[],
): P[] {
  return plugins.filter((p) => p.hosts.includes('*') || p.hosts.some((h) => hosts.includes(h)));
}

/** The plug-ins whose order lies within `base ± 0.5`. */
export function pluginsByOrder<P extends { order: number }>(plugins: P[], base: number): P[] {
  return plugins.filter((p) => inRange(p.order, base));
}

/** Drops instance plug-ins that have no compatible instance; context plug-ins always stay. */
export function pluginsWithWork<P extends PluginLike, I extends InstanceLike>(
  plugins: P[],
  instances: Iterable<I>,
): P[] {
  const list = [...instances];
  return plugins.filter((p) => !p.instanceEnabled || instancesByPlugin(list, p).length > 0);
}

/** Whether an instance takes part in publishing: only an explicit `publish: false` excludes it. */
export function isPublished(instance: InstanceLike): boolean {
  return instance.data.publish !== false;
}

/**
 * Counts the pairs `iterate` would yield for these plug-ins and instances if nothing stopped it,
 * a step at a time (it yields between steps, so a caller may pause: drive.ts). Published
 * instances alike in their families are matched once and weighed: a scene of many instances of
 * a few families counts in a moment.
 */
export function* countingPairs<P extends PluginLike, I extends InstanceLike>(
  plugins: P[],
  instances: Iterable<I>,
): Generator<void, number, void> {
  const groups = new Map<string, { families: string[]; count: number }>();
  for (const instance of instances) {
    if (isPublished(instance)) {
      const families = instanceFamilies(instance.data);
      const key = JSON.stringify(families);
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { families, count: 1 });
    }
    yield;
  }
  let pairs = 0;
  for (const plugin of plugins) {
    if (!plugin.active) continue;
    if (!plugin.instanceEnabled) {
      pairs++;
      continue;
    }
    for (const { families, count } of groups.values()) {
      if (matches(plugin.families, families, plugin.match)) pairs += count;
      yield;
    }
  }
  return pairs;
}

/** How many pairs `iterate` would yield for these plug-ins and instances if nothing stopped it. */
export function countPairs<P extends PluginLike, I extends InstanceLike>(
  plugins: P[],
  instances: Iterable<I>,
): number {
  const steps = countingPairs(plugins, instances);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export interface TestVars {
  /** The order of the plug-in about to run. */
  nextOrder: number;
  /** The orders of plug-ins that failed so far. */
  ordersWithError: Iterable<number>;
}

/** Asked before each plug-in: a non-empty string (or other truthy value) stops the run. */
export type Test = (vars: TestVars) => unknown;

/** Stops once validation is over (nextOrder >= 1.5) if any validator (order in [0.5, 1.5)) failed. */
export const defaultTest: Test = ({ nextOrder, ordersWithError }) => {
  if (nextOrder < 1.5) return undefined;
  for (const order of ordersWithError) if (inRange(order, 1)) return 'failed validation';
  return undefined;
};

/** Mutable state shared between `iterate` and the code processing its pairs. */
export interface IterationState {
  nextOrder: number | null;
  /** Add the order of each plug-in whose result failed; the test reads it. */
  ordersWithError: Set<number>;
  /** Set when the test stopped the run: 'Stopped due to failed validation'. */
  stopped: string | null;
}

export function createState(): IterationState {
  return { nextOrder: null, ordersWithError: new Set(), stopped: null };
}

export interface Pair<P, I> {
  plugin: P;
  /** null for a context plug-in. */
  instance: I | null;
}

export interface IterateOptions {
  test?: Test;
  state: IterationState;
  /** When given, plug-ins are first filtered by these targets. */
  targets?: readonly string[];
}

/**
 * Yields the (plug-in, instance) pairs to process, in plug-in order. Inactive plug-ins are skipped;
 * instances are looked up lazily when their plug-in's turn comes (so instances created by earlier
 * pairs are seen), compatible by family and not `publish: false`; context plug-ins always yield one
 * pair. Before each plug-in the test is asked; a truthy answer ends the iteration, records
 * `state.stopped` and returns `{ stopped }`.
 */
export function* iterate<P extends PluginLike, I extends InstanceLike>(
  plugins: P[],
  instances: Iterable<I> | (() => Iterable<I>),
  options: IterateOptions,
): Generator<Pair<P, I>, { stopped: string | null }, void> {
  const { state } = options;
  const test = options.test ?? defaultTest;
  const list = options.targets ? pluginsByTargets(plugins, options.targets) : plugins;
  for (const plugin of list) {
    if (!plugin.active) continue;
    state.nextOrder = plugin.order;
    const answer = test({ nextOrder: plugin.order, ordersWithError: state.ordersWithError });
    if (answer) {
      state.stopped = `Stopped due to ${typeof answer === 'string' ? answer : 'the test'}`;
      return { stopped: state.stopped };
    }
    if (!plugin.instanceEnabled) {
      yield { plugin, instance: null };
      continue;
    }
    const current = typeof instances === 'function' ? instances() : instances;
    for (const instance of instancesByPlugin(current, plugin)) {
      if (isPublished(instance)) yield { plugin, instance };
    }
  }
  return { stopped: null };
}
