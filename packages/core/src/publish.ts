// The convenience functions: publish (or one stage of it) in one call, or as an async iterator
// that yields each result as it is produced.
import { Context, type Instance } from './data.js';
import { discover } from './discovery.js';
import type { LogRecord } from './log.js';
import {
  countPairs,
  createState,
  type IterationState,
  iterate,
  pluginsByOrder,
  pluginsByTargets,
  pluginsWithWork,
} from './logic.js';
import { Order, type PluginClass } from './plugin.js';
import { processPlugin, type Result } from './process.js';
import { defaultRegistry, type Registry } from './registry.js';

export interface PublishOptions {
  /** The context to fill; a new one when omitted. */
  context?: Context;
  /** The plug-ins to run; discovered from the registry when omitted. */
  plugins?: PluginClass[];
  /** The session's targets; 'default' plus the registered targets when omitted. */
  targets?: string[];
  registry?: Registry;
  /** Aborts the running pair and stops before the next one. */
  signal?: AbortSignal;
  onRecord?(record: LogRecord): void;
  /** Called before each pair is processed (for progress displays). */
  onPair?(plugin: PluginClass, instance: Instance | null): void;
  /** Pass one to read `stopped` afterwards ('Stopped due to failed validation', 'Stopped'). */
  state?: IterationState;
}

const stageSignals = new Map<number | null, string>([
  [null, 'published'],
  [Order.Collector, 'collected'],
  [Order.Validator, 'validated'],
  [Order.Extractor, 'extracted'],
  [Order.Integrator, 'integrated'],
]);

/**
 * Two passes, as pyblish does: first every collector (so instances one creates are seen by the
 * next); then the other active plug-ins that have something to process, asking the registry's
 * test before each plug-in. `stage` limits the plug-ins to one order range (null: all).
 */
async function* run(options: PublishOptions, stage: number | null): AsyncGenerator<Result, void, void> {
  const registry = options.registry ?? defaultRegistry;
  const context = options.context ?? new Context();
  const state = options.state ?? createState();
  const test = registry.registeredTest();
  let plugins = pluginsByTargets(
    options.plugins ?? (await discover({ registry })).plugins,
    options.targets ?? registry.defaultTargets(),
  ).filter((p) => p.active);
  if (stage !== null) plugins = pluginsByOrder(plugins, stage);
  const collectors = pluginsByOrder(plugins, Order.Collector);
  const others = plugins.filter((p) => !collectors.includes(p));

  let done = 0;
  let expected = 0;
  const processOptions = { signal: options.signal, onRecord: options.onRecord, registry };

  // `later` counts the pairs of passes still to come. The estimate is redone whenever the
  // instances changed (collectors create them), so progress does not jump backwards by much.
  async function* pass(list: PluginClass[], later: () => number): AsyncGenerator<Result, void, void> {
    let revision = -1;
    let current: PluginClass | null = null;
    let doneForCurrent = 0;
    for (const { plugin, instance } of iterate(list, context, { state, test })) {
      if (options.signal?.aborted) {
        state.stopped = 'Stopped';
        return;
      }
      if (plugin !== current) {
        current = plugin;
        doneForCurrent = 0;
      }
      if (context.revision !== revision) {
        revision = context.revision;
        expected = done - doneForCurrent + countPairs(list.slice(list.indexOf(plugin)), context) + later();
      }
      options.onPair?.(plugin, instance);
      const result = await processPlugin(plugin, context, instance, processOptions);
      if (!result.success) state.ordersWithError.add(plugin.order);
      done++;
      doneForCurrent++;
      result.progress = Math.min(1, done / Math.max(expected, done));
      yield result;
    }
  }

  yield* pass(collectors, () => countPairs(pluginsWithWork(others, context), context));
  if (state.stopped === null) yield* pass(pluginsWithWork(others, context), () => 0);
  registry.emit(stageSignals.get(stage) ?? 'published', { context });
}

type Iter = (options?: PublishOptions) => AsyncGenerator<Result, void, void>;
type Call = (options?: PublishOptions) => Promise<Context>;

function stage(order: number | null): [Iter, Call] {
  const iter: Iter = (options = {}) => run(options, order);
  const call: Call = async (options = {}) => {
    const context = options.context ?? new Context();
    for await (const _ of iter({ ...options, context })) {
      // Results are in context.data.results.
    }
    return context;
  };
  return [iter, call];
}

/** Collect, validate, extract and integrate; yields each result as it is produced. */
export const [publishIter, publish] = stage(null);
/** Only the collectors. */
export const [collectIter, collect] = stage(Order.Collector);
/** Only the validators (collect first, into the same context). */
export const [validateIter, validate] = stage(Order.Validator);
export const [extractIter, extract] = stage(Order.Extractor);
export const [integrateIter, integrate] = stage(Order.Integrator);
