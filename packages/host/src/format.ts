// Serialisers from core objects to the wire shapes of wire.ts (pyblish-qml's formatting rules).
// Pure functions: no I/O, no session state beyond what the caller passes in.
import type {
  ActionInfo,
  Context,
  Instance,
  LogRecord,
  PluginError,
  PluginInfo,
  Result,
} from '@pyblish/core';
import { cappedRecords } from './record-buffer.js';
import type {
  ActionJSON,
  ContextJSON,
  DataJSON,
  ErrorJSON,
  InstanceJSON,
  PluginJSON,
  RecordJSON,
  ResultJSON,
  RunResultJSON,
} from './wire.js';

/** The only data keys a GUI sees; everything else (scene nodes, results, secrets) stays in the host. */
export const DATA_WHITELIST: readonly string[] = [
  'name',
  'label',
  'family',
  'families',
  'category',
  'publish',
  'comment',
  'optional',
  'host',
  'port',
  'user',
  'connectTime',
  'postCollectOrder',
  'pyblishVersion',
  'pyblishServerVersion',
  'pyblishRPCVersion',
  'pythonVersion',
  'nodeVersion',
];

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** A whitelisted key keeps scalars and lists of scalars; a value XML-RPC cannot carry is dropped, not fatal. */
export function formatData(data: Record<string, unknown>): DataJSON {
  const out: DataJSON = {};
  for (const key of DATA_WHITELIST) {
    const v = data[key];
    if (isScalar(v)) out[key] = v;
    else if (Array.isArray(v) && v.every(isScalar)) out[key] = [...v];
  }
  return out;
}

export function formatInstance(instance: Instance): InstanceJSON {
  return { name: instance.name, id: instance.id, data: formatData(instance.data), children: [] };
}

export function formatContext(context: Context): ContextJSON {
  const children: InstanceJSON[] = [];
  for (const instance of context) children.push(formatInstance(instance));
  return { name: context.name, id: context.id, data: formatData(context.data), children };
}

export function formatAction(action: ActionInfo): ActionJSON {
  return {
    id: action.id,
    label: action.label,
    description: action.description,
    active: action.active,
    icon: action.icon,
    on: action.on,
    __type__: action.type,
    __error__: action.error,
  };
}

/**
 * A plug-in as a Python GUI expects it. `process.args`/`repair.args` are what Python's
 * inspect.getargspec reported: `self` plus the subject's name, and only `self` without repair.
 */
export function formatPlugin(info: PluginInfo): PluginJSON {
  const subject = info.instanceEnabled ? 'instance' : 'context';
  return {
    id: info.id,
    name: info.name,
    label: info.label,
    version: info.version,
    category: info.category,
    requires: info.requires,
    order: info.order,
    optional: info.optional,
    active: info.active,
    hosts: info.hosts,
    families: info.families,
    targets: info.targets,
    doc: info.doc,
    match: info.match,
    type: info.type,
    module: info.module,
    path: info.path,
    hasRepair: info.hasRepair,
    pre11: false,
    contextEnabled: info.contextEnabled,
    instanceEnabled: info.instanceEnabled,
    __pre11__: false,
    __contextEnabled__: info.contextEnabled,
    __instanceEnabled__: info.instanceEnabled,
    process: { args: ['self', subject] },
    repair: { args: info.hasRepair ? ['self', subject] : ['self'] },
    actions: info.actions.map(formatAction),
  };
}

export function formatError(error: PluginError): ErrorJSON {
  const out: ErrorJSON = { message: error.message, exc: error.exc };
  if (error.fname !== null) out.fname = error.fname;
  if (error.lineNumber !== null) out.line_number = error.lineNumber;
  if (error.func !== null) out.func = error.func;
  return out;
}

export function formatRecord(r: LogRecord): RecordJSON {
  return {
    message: r.message,
    levelname: r.levelname,
    levelno: r.levelno,
    name: r.name,
    threadName: r.threadName,
    thread: r.thread,
    process: r.process,
    processName: r.processName,
    module: r.module,
    filename: r.filename,
    pathname: r.pathname,
    lineno: r.lineno,
    funcName: r.funcName,
    created: r.created,
    relativeCreated: r.relativeCreated,
    msecs: r.msecs,
    args: null,
    exc_info: null,
    exc_text: null,
  };
}

/**
 * A result with its plug-in in full, as Python GUIs read it (`result.plugin.name` and so on).
 * The caller passes the plug-in's wire form so a session can serialise each plug-in once.
 */
export function formatResult(result: Result, plugin: PluginJSON, context: Context): ResultJSON {
  return {
    success: result.success,
    plugin,
    instance: result.instance ? formatInstance(result.instance) : null,
    error: result.error ? formatError(result.error) : null,
    records: cappedRecords(result.records.map(formatRecord)),
    duration: result.duration,
    action: result.action,
    contextRevision: context.revision,
  };
}

/**
 * A pair's result in a host-side run: formatResult's, with the plug-in and the instance by id
 * (the GUI has them from discover() and context()); thousands of them go in one reply. Its
 * records are left to the run, which has them capped in the pair's buffer (host-run.ts).
 */
export function formatRunResult(
  result: Result,
  pluginId: string,
  instanceId: string | null,
  context: Context,
): RunResultJSON {
  return {
    success: result.success,
    plugin: pluginId,
    instance: instanceId,
    error: result.error ? formatError(result.error) : null,
    records: [],
    duration: result.duration,
    contextRevision: context.revision,
  };
}

/**
 * A result exactly as pyblish-qml's host formatted it: its six keys and no more (its JSON schema
 * forbids others, and a Python GUI run with PYBLISH_SAFE rejects them). What plain `process` and
 * `repair` answer; our extensions' results keep `action` and `contextRevision` for our GUI.
 */
export function pyblishQmlResult(result: ResultJSON): ResultJSON {
  const { success, plugin, instance, error, records, duration } = result;
  return { success, plugin, instance, error, records, duration };
}

/** pyblish.lib.time(): UTC as `YYYYMMDDTHHMMSSZ`. */
export function pyblishTime(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}
