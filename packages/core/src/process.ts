// Processing one pair: one plug-in (or one of its actions, or its repair) against the context or an
// instance. Whatever the plug-in does, the caller gets a Result; plug-in errors never propagate.
import type { Context, Instance } from './data.js';
import { abortError, type PluginError, PyblishError, toPluginError } from './errors.js';
import { type Capture, createLogger, type LogRecord, withCapture } from './log.js';
import {
  type Action,
  findAction,
  isInstancePlugin,
  type PluginClass,
  type PluginObject,
  type ProcessApi,
  pluginId,
  pluginSource,
} from './plugin.js';
import { defaultRegistry, type Registry } from './registry.js';

export interface Result {
  success: boolean;
  plugin: PluginClass;
  context: Context;
  /** null for a context-level pair. */
  instance: Instance | null;
  /** The id of the action that ran instead of the plug-in, or null. */
  action: string | null;
  error: PluginError | null;
  /** Everything logged during the call. */
  records: LogRecord[];
  /** Milliseconds. */
  duration: number;
  /** Set by the convenience iteration: pairs done / pairs expected, in [0, 1]. */
  progress?: number;
}

export interface ProcessOptions {
  /** Run this action (by id) of the plug-in instead of the plug-in. */
  action?: string | null;
  /** Aborting it ends the call at once with an error result; the plug-in should stop too. */
  signal?: AbortSignal;
  /** Called with each record as it is logged (for live display). */
  onRecord?(record: LogRecord): void;
  /** Where pluginProcessed and pluginFailed are emitted; the default registry when omitted. */
  registry?: Registry;
}

type Method = 'process' | 'repair';

const never = new AbortController().signal;

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts. */
async function untilAborted<T>(work: () => T | Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal === never) return work();
  if (signal.aborted) throw signal.reason;
  const out = work();
  // A plug-in that returned without a promise has ended: nothing is left to abort (and a host
  // running thousands of quick pairs is spared a listener and a promise for each).
  if (typeof (out as { then?: unknown } | undefined)?.then !== 'function') return out as T;
  const pending = Promise.resolve(out);
  if (signal.aborted) {
    pending.catch(() => undefined);
    throw signal.reason;
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function invoke(
  method: Method,
  plugin: PluginClass,
  context: Context,
  instance: Instance | null,
  action: string | null,
  api: ProcessApi,
): void | Promise<void> {
  const id = pluginId(plugin);
  if (action !== null) {
    const Found = findAction(plugin, action);
    if (!Found)
      throw new PyblishError(
        'ACTION_NOT_FOUND',
        `${id} has no action "${action}"; use one listed in its actions.`,
      );
    return new (Found as unknown as new () => Action)().process(context, plugin, api);
  }
  const subject = isInstancePlugin(plugin) ? instance : context;
  if (subject === null)
    throw new PyblishError('INSTANCE_REQUIRED', `${id} is an instance plug-in: pass an instance.`);
  const object = new (plugin as unknown as new () => PluginObject)() as unknown as Record<
    Method,
    ((subject: Context | Instance, api: ProcessApi) => void | Promise<void>) | undefined
  >;
  const fn = object[method];
  if (typeof fn !== 'function') throw new PyblishError('NO_REPAIR', `${id} has no repair method.`);
  return fn.call(object, subject, api);
}

/** The method a call runs, as a stack frame names it: `ValidateNaming.process`, `SelectFailed.process`. */
function methodName(plugin: PluginClass, action: string | null, method: Method): string {
  return `${action === null ? plugin.name : (findAction(plugin, action)?.name ?? action)}.${method}`;
}

async function run(
  method: Method,
  plugin: PluginClass,
  context: Context,
  instance: Instance | null | undefined,
  options: ProcessOptions,
): Promise<Result> {
  const registry = options.registry ?? defaultRegistry;
  const action = options.action ?? null;
  const name = action ?? pluginId(plugin);
  const capture: Capture = {
    records: [],
    name: `pyblish.${name}`,
    onRecord: options.onRecord,
    closed: false,
  };
  const api: ProcessApi = {
    log: createLogger(capture.name, capture),
    signal: options.signal ?? never,
    context,
  };
  const started = performance.now();
  let error: PluginError | null = null;
  try {
    await withCapture(capture, () =>
      untilAborted(() => invoke(method, plugin, context, instance ?? null, action, api), api.signal),
    );
  } catch (thrown) {
    const { path } = pluginSource(plugin);
    error =
      api.signal.aborted && thrown === api.signal.reason
        ? abortError(thrown, { path, func: methodName(plugin, action, method) })
        : toPluginError(thrown, path);
  } finally {
    // Late logging from a plug-in that ignored an abort must not change a result already returned.
    capture.closed = true;
  }
  const result: Result = {
    success: error === null,
    plugin,
    context,
    instance: instance ?? null,
    action,
    error,
    records: capture.records,
    duration: performance.now() - started,
  };
  const results = context.data.results;
  if (Array.isArray(results)) results.push(result);
  else context.data.results = [result];
  if (error) registry.emit('pluginFailed', { plugin, context, instance: instance ?? null, error });
  registry.emit('pluginProcessed', { result });
  return result;
}

/**
 * Processes one plug-in against the context (context plug-ins) or one instance (instance plug-ins),
 * or runs one of its actions with `options.action`. Never throws for errors of the plug-in: they
 * are in the result. Appends the result to `context.data.results` and emits pluginProcessed (and
 * pluginFailed on error).
 */
export function processPlugin(
  plugin: PluginClass,
  context: Context,
  instance?: Instance | null,
  options: ProcessOptions = {},
): Promise<Result> {
  return run('process', plugin, context, instance, options);
}

/** Runs the plug-in's `repair` like processPlugin runs `process`; a plug-in without one fails (NO_REPAIR). */
export function repairPlugin(
  plugin: PluginClass,
  context: Context,
  instance?: Instance | null,
  options: ProcessOptions = {},
): Promise<Result> {
  return run('repair', plugin, context, instance, { ...options, action: null });
}
