// Rows of the two lists, made from what a host sends, and how a result changes them.
// Pure functions: the controller decides when, these decide what.

import { ACTION_ON } from '@pyblish/core';
import type { ActionJSON, ContextJSON, ErrorJSON, InstanceJSON, PluginJSON, RecordJSON } from '@pyblish/host';
import { conversionsIn, numberFrom, textFrom } from './host-values.js';
import type {
  ActionRow,
  ErrorRow,
  InstanceRow,
  ItemStatus,
  PluginRow,
  RecordRow,
  Verb,
} from './view-model.js';
import type { NewTerminalEntry } from './view-state.js';

const VERBS: Record<string, Verb> = {
  Collector: 'Collect',
  Selector: 'Collect',
  Validator: 'Validate',
  Extractor: 'Extract',
  Integrator: 'Integrate',
  Conformer: 'Integrate',
};

export function verbOf(type: string): Verb {
  return VERBS[type] ?? 'Other';
}

const KNOWN_ON = new Set<string>(ACTION_ON);

function runState(): Pick<
  InstanceRow,
  'status' | 'processed' | 'hasError' | 'hasWarning' | 'succeeded' | 'duration' | 'passed' | 'failed'
> {
  return {
    status: 'idle',
    processed: false,
    hasError: false,
    hasWarning: false,
    succeeded: false,
    duration: 0,
    passed: 0,
    failed: 0,
  };
}

/** The fields a new run clears. */
export const clearedRunState = runState;

function familiesOf(data: InstanceJSON['data']): { family: string | null; families: string[] } {
  const family = typeof data.family === 'string' && data.family !== '' ? data.family : null;
  const extra = Array.isArray(data.families)
    ? data.families.filter((f): f is string => typeof f === 'string')
    : [];
  return { family, families: family ? [family, ...extra.filter((f) => f !== family)] : extra };
}

export function contextRow(
  context: Pick<ContextJSON, 'id' | 'name' | 'data'>,
  contextLabel: string,
): InstanceRow {
  const label =
    typeof context.data.label === 'string' && context.data.label ? context.data.label : contextLabel;
  return {
    kind: 'instance',
    id: textFrom(context.id, ''),
    name: textFrom(context.name, ''),
    label,
    toggled: true,
    optional: false,
    ...runState(),
    isContext: true,
    family: null,
    families: [],
    category: '',
    comment: typeof context.data.comment === 'string' ? context.data.comment : '',
    data: { ...context.data },
    ...converted(context.data),
  };
}

/** The row's flag of data values the GUI converted (host-values.ts), when there are any. */
function converted(data: object): Pick<InstanceRow, 'converted'> {
  const notes = conversionsIn(data);
  return notes ? { converted: notes } : {};
}

export function instanceRow(instance: Pick<InstanceJSON, 'id' | 'name' | 'data'>): InstanceRow {
  const { family, families } = familiesOf(instance.data);
  const data = instance.data;
  const name = typeof data.name === 'string' && data.name ? data.name : textFrom(instance.name, '');
  return {
    kind: 'instance',
    id: textFrom(instance.id, ''),
    name,
    label: typeof data.label === 'string' && data.label ? data.label : name,
    toggled: data.publish !== false,
    optional: data.optional !== false,
    ...runState(),
    isContext: false,
    family,
    families,
    category: typeof data.category === 'string' && data.category ? data.category : (family ?? 'Other'),
    comment: typeof data.comment === 'string' ? data.comment : '',
    data: { ...data },
    ...converted(data),
  };
}

/** The fields of an instance row that follow the host's data (refreshed between pairs). */
export function instanceDataFields(instance: InstanceJSON): Partial<InstanceRow> {
  const row = instanceRow(instance);
  return {
    name: row.name,
    label: row.label,
    family: row.family,
    families: row.families,
    category: row.category,
    optional: row.optional,
    toggled: row.toggled,
    data: row.data,
    converted: row.converted ?? null,
  };
}

export function actionRow(action: ActionJSON): ActionRow {
  const kind = action.__type__ === 'category' || action.__type__ === 'separator' ? action.__type__ : 'action';
  let error = action.__error__ ?? null;
  if (!error && kind === 'action' && !KNOWN_ON.has(action.on)) error = `Unknown value for "on": ${action.on}`;
  return {
    id: action.id,
    label: action.label || action.id,
    icon: action.icon ?? '',
    on: action.on,
    kind,
    active: action.active !== false,
    error,
    available: false,
  };
}

/** What a plug-in row needs: a host's PluginJSON, or the fewer fields a saved report keeps. */
export type PluginFields = Pick<PluginJSON, 'id' | 'name' | 'order' | 'type'> & Partial<PluginJSON>;

export function pluginRow(plugin: PluginFields): PluginRow {
  const instanceEnabled = plugin.__instanceEnabled__ ?? plugin.instanceEnabled ?? false;
  const name = textFrom(plugin.name, '');
  // Hosts name types and levels as they like; only their being text is checked.
  const type = textFrom(plugin.type, 'Other') as PluginRow['type'];
  const row: PluginRow = {
    kind: 'plugin',
    id: textFrom(plugin.id, ''),
    name,
    label: textFrom(plugin.label, '') || name,
    toggled: plugin.active !== false,
    optional: plugin.optional === true,
    ...runState(),
    order: numberFrom(plugin.order, 0),
    type,
    verb: verbOf(type),
    doc: textFrom(plugin.doc, null),
    module: textFrom(plugin.module, ''),
    path: textFrom(plugin.path, ''),
    families: Array.isArray(plugin.families) ? plugin.families.map((f) => textFrom(f, '')) : ['*'],
    hasRepair: plugin.hasRepair === true,
    contextEnabled: plugin.__contextEnabled__ ?? plugin.contextEnabled ?? !instanceEnabled,
    instanceEnabled,
    compatibleCount: 0,
    hasCompatible: true,
    actions: (plugin.actions ?? []).map(actionRow),
    actionState: 'none',
  };
  row.actions = availableActions(row);
  return row;
}

function fits(
  on: string,
  row: Pick<PluginRow, 'hasError' | 'succeeded' | 'processed' | 'hasWarning'>,
): boolean {
  switch (on) {
    case 'all':
      return true;
    case 'failed':
      return row.hasError;
    case 'succeeded':
      return row.succeeded && !row.hasError;
    case 'processed':
      return row.processed;
    case 'notProcessed':
      return !row.processed;
    case 'warning':
      return row.hasWarning;
    case 'failedOrWarning':
      return row.hasError || row.hasWarning;
    default:
      return false;
  }
}

/**
 * The actions with `available` set from the plug-in's state. A category is available when an
 * available action follows it before the next category; a separator when available actions
 * stand on both sides of it.
 */
export function availableActions(row: PluginRow): ActionRow[] {
  const out = row.actions.map((a) => ({
    ...a,
    available: a.kind === 'action' && a.error === null && fits(String(a.on), row),
  }));
  for (let i = 0; i < out.length; i++) {
    const a = out[i] as ActionRow;
    if (a.kind === 'action') continue;
    const after = out.slice(i + 1);
    const stop = after.findIndex((b) => b.kind !== 'action');
    const section = stop < 0 ? after : after.slice(0, stop);
    const followed = section.some((b) => b.available);
    a.available =
      a.kind === 'category'
        ? followed
        : followed && out.slice(0, i).some((b) => b.kind === 'action' && b.available);
  }
  return out;
}

/** A row the run passed over: a plug-in it never ran, an instance switched off. */
export function passedOver(row: InstanceRow | PluginRow): boolean {
  if (row.status !== 'idle') return false;
  return row.kind === 'plugin' ? !row.processed : !row.isContext && !row.toggled;
}

export function statusOf(
  row: Pick<InstanceRow, 'hasError' | 'hasWarning' | 'succeeded'>,
  processing: boolean,
): ItemStatus {
  if (processing) return 'processing';
  if (row.hasError) return 'failed';
  if (row.hasWarning) return 'warning';
  if (row.succeeded) return 'succeeded';
  return 'idle';
}

/** A pair's result as a host sends it, or as a saved report keeps it (only these fields count). */
export interface PairOutcome {
  error: ErrorJSON | ErrorRow | null;
  records: ReadonlyArray<Pick<RecordJSON, 'levelno'>>;
  duration: number;
}

/** What of a row the results tally (afterResult reads these and changes them). */
export type RowTally = Pick<
  InstanceRow,
  'processed' | 'hasError' | 'hasWarning' | 'succeeded' | 'duration' | 'passed' | 'failed' | 'status'
>;

/** The tallied fields of a row, copied. */
export function tallyOf(row: Readonly<RowTally>): RowTally {
  return {
    processed: row.processed,
    status: row.status,
    hasError: row.hasError,
    hasWarning: row.hasWarning,
    succeeded: row.succeeded,
    duration: row.duration,
    passed: row.passed,
    failed: row.failed,
  };
}

/** Adds one result to a tally in place: a large run adds tens of thousands between two updates of a row. */
export function addResult(t: RowTally, outcome: PairOutcome): void {
  const failed = outcome.error !== null;
  t.processed = true;
  if (!t.hasWarning) for (const r of outcome.records) if (r.levelno === 30) t.hasWarning = true;
  if (failed) t.hasError = true;
  else t.succeeded = true;
  t.duration += Number.isFinite(outcome.duration) ? outcome.duration : 0;
  if (failed) t.failed++;
  else t.passed++;
  t.status = statusOf(t, false);
}

/** How one result changes a row (instance or plug-in); the same rules for both. */
export function afterResult<R extends RowTally>(row: R, outcome: PairOutcome): Partial<R> {
  const change = tallyOf(row);
  addResult(change, outcome);
  return change as Partial<R>;
}

/** A host's record, or a record as a saved report keeps it. */
export type RecordFields = Pick<RecordJSON, 'levelname' | 'levelno'> &
  Partial<
    Pick<
      RecordJSON,
      | 'message'
      | 'name'
      | 'filename'
      | 'pathname'
      | 'lineno'
      | 'funcName'
      | 'threadName'
      | 'created'
      | 'msecs'
    >
  >;

/** Which plug-ins failed on which targets (instance ids, or the context id), until repaired. */
export class Failures {
  private readonly byPlugin = new Map<string, Set<string>>();

  add(pluginId: string, target: string): void {
    const set = this.byPlugin.get(pluginId) ?? new Set<string>();
    set.add(target);
    this.byPlugin.set(pluginId, set);
  }

  targets(pluginId: string): string[] {
    return [...(this.byPlugin.get(pluginId) ?? [])];
  }

  forget(pluginId: string): void {
    this.byPlugin.delete(pluginId);
  }

  clear(): void {
    this.byPlugin.clear();
  }

  /**
   * A repair of `target` succeeded. Returns what no longer fails: the plug-in (when that was
   * its last failed target) and the target (when no other plug-in failed on it).
   */
  repaired(pluginId: string, target: string): { plugin: boolean; target: boolean } {
    const set = this.byPlugin.get(pluginId);
    set?.delete(target);
    const plugin = set !== undefined && set.size === 0;
    if (plugin) this.byPlugin.delete(pluginId);
    return { plugin, target: ![...this.byPlugin.values()].some((s) => s.has(target)) };
  }
}

/** A row's error cleared by a repair, its status following. */
export function withoutError<R extends InstanceRow | PluginRow>(row: R): Partial<R> {
  return { hasError: false, status: statusOf({ ...row, hasError: false }, false) } as Partial<R>;
}

export function recordRow(record: RecordFields): RecordRow {
  return {
    message: String(record.message ?? ''),
    levelname: textFrom(record.levelname, '') as RecordRow['levelname'],
    levelno: numberFrom(record.levelno, 0),
    name: textFrom(record.name, ''),
    filename: textFrom(record.filename, ''),
    pathname: textFrom(record.pathname, ''),
    lineno: numberFrom(record.lineno, 0),
    funcName: textFrom(record.funcName, ''),
    threadName: textFrom(record.threadName, ''),
    created: numberFrom(record.created, 0),
    msecs: numberFrom(record.msecs, 0),
  };
}

/**
 * Whether a host's errors carry the failing source line in `exc`. pyblish-base attaches the last
 * traceback frame to an error as a tuple (file, line, function, source text), and pyblish-qml's
 * Python hosts send the four as fname, line_number, func and exc; our hosts send the exception's
 * class as exc. A Python host says so in its context (pythonVersion).
 */
export function sendsSourceAsExc(contextData: Record<string, unknown> | undefined): boolean {
  return typeof contextData?.pythonVersion === 'string' && contextData.nodeVersion === undefined;
}

/**
 * An error as a report keeps it (a saved pair's, older or hand-made ones lacking fields; a farm
 * result's). Reports from before `source` kept a Python host's source line as exc (`sourceAsExc`).
 */
export function keptError(
  error: (Partial<ErrorRow> & { message: string }) | null | undefined,
  sourceAsExc = false,
): ErrorRow | null {
  if (!error) return null;
  const exc = error.exc ?? null;
  const old = sourceAsExc && error.source === undefined;
  return {
    message: error.message,
    fname: error.fname ?? null,
    lineNumber: error.lineNumber ?? null,
    func: error.func ?? null,
    exc: old ? null : exc,
    source: old ? exc : (error.source ?? null),
  };
}

/** A host's error as shown; `sourceAsExc` (sendsSourceAsExc) reads its exc as the source line. */
export function errorRow(error: ErrorJSON, sourceAsExc = false): ErrorRow {
  const exc = error.exc ?? null;
  return {
    message: String(error.message ?? ''),
    fname: textFrom(error.fname, null),
    lineNumber: numberFrom(error.line_number, null),
    func: textFrom(error.func, null),
    exc: sourceAsExc ? null : textFrom(exc, null),
    source: sourceAsExc ? textFrom(exc, null) : null,
  };
}

// --- Terminal entries of a pair: the same for a live run and a saved report --------------

/** The plug-in heading (when the plug-in changed) and the instance line a pair starts with, added to `entries`. */
export function pairStartEntries(
  previousPluginId: string | null,
  plugin: { id: string; label: string },
  instanceId: string | null,
  instanceLabel: string,
  entries: NewTerminalEntry[] = [],
): NewTerminalEntry[] {
  if (previousPluginId !== plugin.id)
    entries.push({ type: 'plugin', pluginId: plugin.id, label: plugin.label });
  entries.push({ type: 'instance', pluginId: plugin.id, instanceId, label: instanceLabel });
  return entries;
}

/** A pair's log records, then its error. */
export function pairEndEntries(
  pluginId: string,
  instanceId: string | null,
  records: readonly RecordRow[],
  error: ErrorRow | null,
): NewTerminalEntry[] {
  const entries: NewTerminalEntry[] = records.map((record) => ({
    type: 'record',
    pluginId,
    instanceId,
    record,
  }));
  if (error) entries.push({ type: 'error', pluginId, instanceId, error });
  return entries;
}

/** The line a run ends the terminal with. */
export function runEndEntry(fault: { message: string } | null): NewTerminalEntry {
  return { type: 'message', level: fault ? 'error' : 'info', text: fault ? fault.message : 'Finished' };
}

/** The terminal's heading after a reset: versions, port, user and machine from the context's data. */
export function contextHeader(
  data: Record<string, unknown>,
  hostPort: number | null,
): Record<string, string> {
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const header: Record<string, string> = {};
  const version = data.pyblishVersion ?? data.pyblishServerVersion;
  if (version !== undefined) header.Pyblish = text(version);
  if (data.pythonVersion !== undefined) header.Python = text(data.pythonVersion).split(' ')[0] ?? '';
  if (data.nodeVersion !== undefined) header.Node = text(data.nodeVersion);
  header.Port = data.port === -1 || data.port === undefined ? text(hostPort ?? '') : text(data.port);
  if (data.user !== undefined) header.User = text(data.user);
  if (data.host !== undefined) header.Host = text(data.host);
  if (data.connectTime !== undefined) header.Connected = text(data.connectTime);
  return header;
}
