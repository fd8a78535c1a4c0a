// Pure functions from state to what the page shows: list sections, footer controls, the
// validation report, action menus and terminal filtering. No DOM, no React: unit-tested.
import type {
  ActionRow,
  ErrorRow,
  FarmRef,
  InstanceRow,
  ItemStatus,
  Phase,
  PluginRow,
  RecordRow,
  SavedReportInfo,
  TerminalEntry,
} from '@pyblish/gui/view-model';

export type Row = InstanceRow | PluginRow;

// --- lists ------------------------------------------------------------------------------

export type ListItem =
  | { type: 'section'; key: string; size: number }
  | { type: 'row'; id: string; section: string; posInSet: number; setSize: number };

export const sectionOf = (row: Row): string => (row.kind === 'instance' ? row.category : row.verb);

export function matchesQuery(row: Row, query: string): boolean {
  if (query === '') return true;
  const q = query.toLowerCase();
  const fields = [row.label, row.name, ...row.families];
  if (row.kind === 'instance') fields.push(row.category, row.family ?? '');
  return fields.some((f) => f.toLowerCase().includes(q));
}

/**
 * Flattens rows into section headers and rows. Rows are grouped by section key in order of
 * first appearance (so interleaved categories do not repeat a header); rows without a key
 * (the context row) come first with no header. A search shows matches in collapsed sections.
 */
export function buildListItems(
  rows: readonly Row[],
  options: { query: string; collapsed: ReadonlySet<string> },
): ListItem[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (row.kind === 'plugin' && !row.hasCompatible) continue;
    if (!matchesQuery(row, options.query)) continue;
    const key = sectionOf(row);
    let group = groups.get(key);
    if (!group) {
      group = [];
      groups.set(key, group);
    }
    group.push(row);
  }
  const items: ListItem[] = [];
  const headless = groups.get('');
  if (headless) pushRows(items, '', headless);
  for (const [key, group] of groups) {
    if (key === '') continue;
    items.push({ type: 'section', key, size: group.length });
    if (options.query !== '' || !options.collapsed.has(key)) pushRows(items, key, group);
  }
  return items;
}

function pushRows(items: ListItem[], section: string, group: readonly Row[]): void {
  group.forEach((row, i) => {
    items.push({ type: 'row', id: row.id, section, posInSet: i + 1, setSize: group.length });
  });
}

export type CheckState = 'true' | 'false' | 'mixed';

export interface SectionSummary {
  status: ItemStatus;
  checked: CheckState;
  /** Whether any row in the section can be toggled. */
  optional: boolean;
}

const STATUS_RANK: Record<ItemStatus, number> = {
  processing: 5,
  failed: 4,
  warning: 3,
  succeeded: 2,
  skipped: 1,
  idle: 0,
};

/** Aggregates for every section header of a list, keyed by section. */
export function summariseSections(rows: readonly Row[]): Map<string, SectionSummary> {
  const out = new Map<string, SectionSummary & { on: number; off: number }>();
  for (const row of rows) {
    if (row.kind === 'plugin' && !row.hasCompatible) continue;
    const key = sectionOf(row);
    let s = out.get(key);
    if (!s) {
      s = { status: 'idle', checked: 'false', optional: false, on: 0, off: 0 };
      out.set(key, s);
    }
    if (STATUS_RANK[row.status] > STATUS_RANK[s.status]) s.status = row.status;
    if (row.toggled) s.on++;
    else s.off++;
    if (row.optional) s.optional = true;
  }
  for (const s of out.values()) s.checked = s.off === 0 ? 'true' : s.on === 0 ? 'false' : 'mixed';
  return out;
}

// --- footer -----------------------------------------------------------------------------

export interface Controls {
  reset: boolean;
  validate: boolean;
  publish: boolean;
  stop: boolean;
  /** Toggles and comments are accepted only while idle. */
  editable: boolean;
}

const RUNNING: readonly Phase[] = ['initialising', 'collecting', 'validating', 'extracting', 'integrating'];

/** What the footer allows; a saved report (`readOnly`) allows nothing. */
export function controlsFor(phase: Phase, readOnly = false): Controls {
  // After a run the controller accepts another one (Publish after a clean Validate goes on
  // from extraction) and toggles, so "finished" is as idle as "ready".
  const idle = !readOnly && (phase === 'ready' || phase === 'finished');
  // Stop also ends an action or a repair (the host cancels the running call).
  const stop = !readOnly && (RUNNING.includes(phase) || phase === 'acting');
  return { reset: idle, validate: idle, publish: idle, stop, editable: idle };
}

/** "2026-11-25T12:10:32.123Z" as "2026-11-25 12:10:32 UTC"; anything else as it is. */
export function formatTimestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** The banner of a saved report: which file, from which host, when. */
export function savedReportText(info: SavedReportInfo): string {
  const host = info.host ? `from ${info.host}` : 'from no host';
  return `Saved report: ${info.file}, ${host}, started ${formatTimestamp(info.startedAt)}. Read-only: nothing here runs.`;
}

export function isRunning(phase: Phase): boolean {
  return RUNNING.includes(phase) || phase === 'stopping' || phase === 'acting';
}

// --- actions ----------------------------------------------------------------------------

/**
 * The plug-in's context menu: available actions (and broken ones, shown struck through),
 * with categories kept only when an action follows them and separators only between items.
 */
export function menuEntries(actions: readonly ActionRow[]): ActionRow[] {
  const shown = actions.filter((a) => a.kind !== 'action' || a.available || a.error !== null);
  const out: ActionRow[] = [];
  shown.forEach((entry, i) => {
    if (entry.kind === 'category') {
      const next = shown.slice(i + 1).find((e) => e.kind !== 'category');
      if (next?.kind === 'action') out.push(entry);
    } else if (entry.kind === 'separator') {
      const prev = out.at(-1);
      const hasNext = shown.slice(i + 1).some((e) => e.kind === 'action');
      if (prev && prev.kind !== 'separator' && hasNext) out.push(entry);
    } else out.push(entry);
  });
  return out;
}

// --- report -----------------------------------------------------------------------------

export interface ReportError {
  message: string;
  error: ErrorRow;
  /** Instance ids, null for the context. */
  instances: Array<string | null>;
  /** Where a farm ran the pairs that failed with it (empty: they ran here). */
  farm: FarmRef[];
}

export interface ReportEntry {
  pluginId: string;
  /** The plug-in's label when the list has no row for it (a farm's own plug-in, a farm job). */
  label: string | null;
  errors: ReportError[];
  warnings: Array<{ seq: number; instanceId: string | null; record: RecordRow }>;
}

/** Entries since the last reset (the terminal's last context header). */
export function sinceLastReset(entries: readonly TerminalEntry[], count = entries.length): TerminalEntry[] {
  for (let i = count - 1; i >= 0; i--) if (entries[i]?.type === 'context') return entries.slice(i, count);
  return entries.slice(0, count);
}

/**
 * Keeps the errors that are still open: a repair clears the failed state of a plug-in or an
 * instance, and the report then drops what was fixed.
 */
export function openErrors(
  report: readonly ReportEntry[],
  failing: (pluginId: string, instanceId: string | null) => boolean,
): ReportEntry[] {
  return report.map((entry) => ({
    ...entry,
    errors: entry.errors
      .map((e) => ({ ...e, instances: e.instances.filter((id) => failing(entry.pluginId, id)) }))
      .filter((e) => e.instances.length > 0),
  }));
}

/** The last run of each farm job the entries show (a job that ran again supersedes its earlier runs). */
function lastFarmRuns(entries: readonly TerminalEntry[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const e of entries)
    if ((e.type === 'error' || e.type === 'record') && e.farm)
      last.set(e.farm.jobId, Math.max(e.farm.attempt, last.get(e.farm.jobId) ?? 0));
  return last;
}

/**
 * Groups the run's errors by plug-in, then by message: each error once, with the instances
 * that failed with it (and the farm machines that ran them). Warnings (WARNING records) are
 * collected per plug-in. Plug-ins come in the order given by `pluginOrder`. A farm job's earlier
 * runs are left out: its last run says how it ended.
 */
export function buildReport(
  entries: readonly TerminalEntry[],
  pluginOrder: readonly string[],
): ReportEntry[] {
  const byPlugin = new Map<string, ReportEntry>();
  const entryFor = (pluginId: string): ReportEntry => {
    let e = byPlugin.get(pluginId);
    if (!e) {
      e = { pluginId, label: null, errors: [], warnings: [] };
      byPlugin.set(pluginId, e);
    }
    return e;
  };
  const lastRun = lastFarmRuns(entries);
  for (const entry of entries) {
    if ((entry.type === 'error' || entry.type === 'record') && entry.farm) {
      if (entry.farm.attempt < (lastRun.get(entry.farm.jobId) ?? 0)) continue;
    }
    if (entry.type === 'error') {
      const e = entryFor(entry.pluginId);
      e.label ??= entry.label ?? null;
      const farm = entry.farm ? [entry.farm] : [];
      const same = e.errors.find((x) => x.message === entry.error.message);
      if (same) {
        if (!same.instances.includes(entry.instanceId)) same.instances.push(entry.instanceId);
        same.farm.push(...farm);
      } else
        e.errors.push({
          message: entry.error.message,
          error: entry.error,
          instances: [entry.instanceId],
          farm,
        });
    } else if (entry.type === 'record' && entry.pluginId && entry.record.levelno === 30) {
      entryFor(entry.pluginId).warnings.push({
        seq: entry.seq,
        instanceId: entry.instanceId,
        record: entry.record,
      });
    }
  }
  const rank = new Map(pluginOrder.map((id, i) => [id, i]));
  return [...byPlugin.values()].sort(
    (a, b) =>
      (rank.get(a.pluginId) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.pluginId) ?? Number.MAX_SAFE_INTEGER),
  );
}

/** "file:line", or the file alone when the line is unknown (a cancelled call). */
export function fileAndLine(error: Pick<ErrorRow, 'fname' | 'lineNumber'>): string {
  if (!error.fname) return '';
  return error.lineNumber === null ? error.fname : `${error.fname}:${error.lineNumber}`;
}

/** The farm machines that ran an error's pairs, once each ("" when they ran here). */
export function farmMachines(err: Pick<ReportError, 'farm'>): string {
  return [...new Set(err.farm.map((f) => f.machine))].join(', ');
}

/** Plain text of the report's errors, for the clipboard. */
export function reportText(
  report: readonly ReportEntry[],
  pluginLabel: (id: string) => string,
  instanceLabel: (id: string | null) => string,
): string {
  const lines: string[] = [];
  for (const entry of report) {
    for (const err of entry.errors) {
      const where = err.error.fname ? ` (${fileAndLine(err.error)})` : '';
      const machines = farmMachines(err);
      const farm = machines ? ` [on the farm: ${machines}]` : '';
      lines.push(`${entry.label ?? pluginLabel(entry.pluginId)}: ${err.message}${where}${farm}`);
      for (const id of err.instances) lines.push(`  - ${instanceLabel(id)}`);
    }
  }
  return lines.join('\n');
}

// --- terminal ---------------------------------------------------------------------------

export const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type Level = (typeof LEVELS)[number];

export function entryText(entry: TerminalEntry): string {
  switch (entry.type) {
    case 'context':
      return Object.entries(entry.header)
        .map(([k, v]) => `${k}: ${v}`)
        .join(' ');
    case 'plugin':
    case 'instance':
      return entry.label;
    case 'record':
      return entry.record.message;
    case 'error':
      return entry.error.message;
    case 'message':
      return entry.text;
  }
}

/**
 * The terminal's filter, fed every entry in order (and then each new one); it returns what to
 * show of each. Level toggles apply to records; the text filter applies to every entry. Both must
 * agree (pyblish-qml let a text filter override the level toggles; here they work together). A
 * plug-in's heading shows when it matches, or before the first of its lines that does, so a
 * matching record still says which plug-in wrote it.
 */
export function terminalFilter(
  shown: ReadonlySet<Level>,
  text: string,
): (entry: TerminalEntry) => TerminalEntry[] {
  const q = text.trim().toLowerCase();
  const matches = (entry: TerminalEntry): boolean => {
    if (entry.type === 'record' && !shown.has(entry.record.levelname as Level)) return false;
    return q === '' || entryText(entry).toLowerCase().includes(q);
  };
  // The last plug-in heading, until it is shown.
  let heading: Extract<TerminalEntry, { type: 'plugin' }> | null = null;
  return (entry) => {
    if (entry.type === 'plugin') {
      heading = matches(entry) ? null : entry;
      return heading ? [] : [entry];
    }
    if (!matches(entry)) return [];
    const own = heading !== null && 'pluginId' in entry && entry.pluginId === heading.pluginId;
    if (!own || !heading) return [entry];
    const shownFirst = heading;
    heading = null;
    return [shownFirst, entry];
  };
}

/** A copy of `set` with `key` added, or removed when it was there. */
export function flipped<T>(set: ReadonlySet<T>, key: T): ReadonlySet<T> {
  const next = new Set(set);
  if (next.has(key)) next.delete(key);
  else next.add(key);
  return next;
}

// --- formatting -------------------------------------------------------------------------

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "1 plug-in", "2 plug-ins": a count and its noun, in the plural unless it is one. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? noun : nouns}`;
}

/** Whole seconds, as a banner counts them: "4 s", "1 min 5 s". */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export const STATUS_TEXT: Record<ItemStatus, string> = {
  idle: 'Not processed',
  processing: 'Processing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  warning: 'Warning',
  skipped: 'Skipped',
};

/** Why an action cannot run, or null when it can. */
export function actionProblem(action: ActionRow): string | null {
  if (action.error) return `There is a problem with this action: ${action.error}`;
  if (!action.active) return 'Action not active.';
  return null;
}
