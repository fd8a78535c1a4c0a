// A saved session report (`pyblish-gui --report FILE`, or the window's "Export report") read back,
// checked, and turned into the view state the page renders: the same rows, statuses and terminal
// entries a live run makes, derived with the same functions (rows.ts). A headless publish's
// report given instead is recognised and converted by publish-report-reader.ts first. Pure apart
// from reading the file.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { basename } from 'node:path';
import { Malformed, ReportFileError } from './errors.js';
import { farmPublishEntries } from './farm-rows.js';
import { checkError, checkRecords, fields, isObject, type Json, listOf, object } from './json-check.js';
import {
  checkPublishReport,
  fromPublishReport,
  type HeadlessOrigin,
  headlessHeader,
  isPublishReport,
  type PublishReport,
} from './publish-report-reader.js';
import {
  afterResult,
  clearedRunState,
  contextHeader,
  contextRow,
  Failures,
  instanceRow,
  keptError,
  pairEndEntries,
  pairStartEntries,
  passedOver,
  pluginRow,
  recordRow,
  runEndEntry,
  sendsSourceAsExc,
  withoutError,
} from './rows.js';
import type { InstanceRow, PairReport, PluginRow, Report, ViewState } from './view-model.js';
import { initialTop, type NewTerminalEntry } from './view-state.js';

const WHERE_FROM =
  'write one with `pyblish-gui --report FILE`, the window\'s "Export report" or `pyblish publish --json FILE`';

// --- Reading and checking ----------------------------------------------------------------

/** Throws Malformed at the first field the viewer relies on that is missing or of the wrong type. */
function checkReport(r: Json): void {
  fields(r, 'report', {
    startedAt: 'string',
    finishedAt: 'string|null',
    kind: 'string',
    iteration: 'string|null?',
    message: 'string',
    comment: 'string?',
    context: 'object',
  });
  if (r.host !== null)
    fields(object(r.host, 'report.host'), 'report.host', { port: 'number', label: 'string' });
  if (r.fault !== null && r.fault !== undefined)
    fields(object(r.fault, 'report.fault'), 'report.fault', { code: 'string', message: 'string' });
  fields(r.context as Json, 'report.context', {
    id: 'string',
    name: 'string',
    data: 'object',
    label: 'string?',
  });
  listOf(r.instances, 'report.instances', {
    id: 'string',
    name: 'string',
    label: 'string',
    family: 'string|null',
    families: 'string[]',
    toggled: 'boolean',
    category: 'string?',
  });
  listOf(r.plugins, 'report.plugins', {
    id: 'string',
    name: 'string',
    label: 'string',
    order: 'number',
    type: 'string',
    toggled: 'boolean',
    doc: 'string|null?',
    families: 'string[]?',
    hasCompatible: 'boolean?',
    module: 'string?',
    path: 'string?',
  });
  const results = listOf(r.results, 'report.results', {
    pluginId: 'string',
    instanceId: 'string|null',
    success: 'boolean',
    duration: 'number',
    actionId: 'string|null?',
    repair: 'boolean?',
    label: 'string?',
  });
  results.forEach((result, i) => {
    const at = `report.results[${i}]`;
    checkError(result.error ?? null, `${at}.error`);
    checkRecords(result.records, `${at}.records`);
    if (result.farm !== undefined)
      fields(object(result.farm, `${at}.farm`), `${at}.farm`, {
        jobId: 'string',
        attempt: 'number',
        machine: 'string',
      });
  });
  if (r.farm === undefined) return;
  for (const [i, publish] of listOf(r.farm, 'report.farm', {
    farm: 'string',
    publishId: 'string',
    cancelled: 'string|null',
    done: 'boolean',
  }).entries()) {
    const jobs = listOf(publish.jobs, `report.farm[${i}].jobs`, {
      jobId: 'string',
      kind: 'string',
      state: 'string',
      attempt: 'number',
      machine: 'string|null',
      error: 'string|null',
    });
    for (const [j, job] of jobs.entries()) {
      listOf(job.instances, `report.farm[${i}].jobs[${j}].instances`, { id: 'string', name: 'string' });
      listOf(job.retries, `report.farm[${i}].jobs[${j}].retries`, {
        attempt: 'number',
        machine: 'string',
        reason: 'string',
      });
    }
  }
}

/** A report as the viewer shows it: a GUI report, or a headless publish's converted into one. */
export interface ReadReport {
  report: Report;
  /** Set for a headless publish: what the banner says instead of a host. */
  headless: HeadlessOrigin | null;
  /** Terminal lines shown before the run (discovery problems of a headless publish). */
  notes: NewTerminalEntry[];
}

/** The largest report file the viewer reads (the GUI's own reports stay far below it). */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;
/** The deepest nesting of JSON the viewer reads (a report is a few levels, host data at most 100 more). */
export const MAX_REPORT_DEPTH = 128;

/** What a file that is not a regular file is, said plainly. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The file's text, refused before it is read when it is not a regular file or is too large.
 * Opened without blocking (a named pipe would wait for a writer) and checked on the open file.
 */
function readText(file: string): { text: string; writtenAt: Date } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new ReportFileError('REPORT_NOT_FOUND', file, `no such file; ${WHERE_FROM}.`);
    if (code === 'EISDIR')
      throw new ReportFileError('REPORT_UNREADABLE', file, 'is a directory, not a report file.');
    throw new ReportFileError('REPORT_UNREADABLE', file, `cannot be read (${(err as Error).message}).`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile())
      throw new ReportFileError('REPORT_UNREADABLE', file, `is ${kindOf(info)}, not a report file.`);
    if (info.size > MAX_REPORT_BYTES) {
      const mib = (n: number) => `${Math.ceil(n / (1024 * 1024)).toLocaleString('en')} MiB`;
      throw new ReportFileError(
        'REPORT_TOO_LARGE',
        file,
        `is ${mib(info.size)}; the viewer reads reports of up to ${mib(MAX_REPORT_BYTES)}.`,
      );
    }
    // Read what fstat promised, and not a byte more (a file that grows is read as it was).
    const buffer = Buffer.alloc(info.size);
    let read = 0;
    while (read < info.size) {
      const n = readSync(fd, buffer, read, info.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { text: buffer.toString('utf8', 0, read), writtenAt: info.mtime };
  } catch (err) {
    if (err instanceof ReportFileError) throw err;
    throw new ReportFileError('REPORT_UNREADABLE', file, `cannot be read (${(err as Error).message}).`);
  } finally {
    closeSync(fd);
  }
}

/** How deep `text` nests its lists and objects, counting no further than `limit` + 1. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** Reads and checks a report file; every problem is a ReportFileError that says what to do. */
export function readReportFile(file: string): ReadReport {
  const { text, writtenAt } = readText(file);
  if (jsonDepth(text, MAX_REPORT_DEPTH) > MAX_REPORT_DEPTH) {
    throw new ReportFileError(
      'REPORT_TOO_DEEP',
      file,
      `nests its JSON more than ${MAX_REPORT_DEPTH} levels deep; the viewer reads reports up to that depth.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ReportFileError(
      'REPORT_NOT_JSON',
      file,
      `is not JSON (${(err as Error).message}); ${WHERE_FROM}.`,
    );
  }
  if (isPublishReport(value)) {
    try {
      checkPublishReport(value as Json);
    } catch (err) {
      if (!(err instanceof Malformed)) throw err;
      throw new ReportFileError(
        'REPORT_MALFORMED',
        file,
        `is a damaged headless publish report (pyblish publish --json): ${err.message}.`,
      );
    }
    return fromPublishReport(value as unknown as PublishReport, writtenAt);
  }
  if (!isObject(value) || value.format !== 'pyblish-report') {
    throw new ReportFileError(
      'REPORT_NOT_A_REPORT',
      file,
      `is not a Pyblish GUI report (it has no "format": "pyblish-report") nor a headless publish report (\`pyblish publish --json\`); ${WHERE_FROM}.`,
    );
  }
  if (value.formatVersion !== 1) {
    throw new ReportFileError(
      'REPORT_WRONG_VERSION',
      file,
      `is a pyblish-report of formatVersion ${JSON.stringify(value.formatVersion)}; this pyblish-gui reads formatVersion 1. Open it with the pyblish-gui that wrote it.`,
    );
  }
  try {
    checkReport(value);
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    throw new ReportFileError('REPORT_MALFORMED', file, `is a damaged pyblish-report: ${err.message}.`);
  }
  return { report: value as unknown as Report, headless: null, notes: [] };
}

// --- The view of a report ----------------------------------------------------------------

export interface SavedView {
  state: Partial<Omit<ViewState, 'version' | 'instances' | 'plugins'>>;
  instances: InstanceRow[];
  plugins: PluginRow[];
  terminal: NewTerminalEntry[];
}

/**
 * Rows and terminal as the live GUI showed them when the report was written. The report keeps
 * the pairs since the last reset, not where each run began: a run begins where a plug-in
 * after the collectors runs again, or one runs with a lower order than the one before it,
 * and rows are cleared there as Validate and Publish clear them.
 */
export function reportView({ report, headless, notes }: ReadReport, file: string): SavedView {
  const defaults = initialTop().window;
  const window = {
    ...defaults,
    title: `${basename(file)} (${headless ? 'headless publish report' : 'saved report'})`,
    contextLabel: report.context.label ?? defaults.contextLabel,
  };
  const context = contextRow(report.context, window.contextLabel);
  if (report.comment) context.comment = report.comment;
  const instances: InstanceRow[] = [
    context,
    ...report.instances.map((i) => ({
      ...instanceRow({
        id: i.id,
        name: i.name,
        data: {
          label: i.label,
          families: i.families,
          publish: i.toggled,
          ...(i.family !== null ? { family: i.family } : {}),
          ...(i.category ? { category: i.category } : {}),
        },
      }),
      optional: false,
    })),
  ];
  const plugins = report.plugins.map((p) => ({
    ...pluginRow({
      id: p.id,
      name: p.name,
      label: p.label,
      order: p.order,
      type: p.type,
      active: p.toggled,
      doc: p.doc ?? null,
      families: p.families ?? [],
      ...(p.module !== undefined ? { module: p.module } : {}),
      ...(p.path !== undefined ? { path: p.path } : {}),
    }),
    hasCompatible: p.hasCompatible ?? true,
  }));
  const sourceAsExc = sendsSourceAsExc(report.context.data);
  const instanceById = new Map(instances.map((r) => [r.id, r]));
  const pluginById = new Map(plugins.map((r) => [r.id, r]));

  const terminal: NewTerminalEntry[] = [
    {
      type: 'context',
      header: headless
        ? headlessHeader(headless, report.context.data)
        : contextHeader(report.context.data, report.host?.port ?? null),
    },
    ...notes,
  ];
  // Checked loosely: stats are not needed to show a report, only to say what it lacks.
  const dropped = (report.stats as Partial<Report['stats']> | undefined)?.droppedResults;
  if (typeof dropped === 'number' && dropped > 0) {
    terminal.push({
      type: 'message',
      level: 'warning',
      text: `This report no longer holds its ${dropped === 1 ? 'oldest result' : `${dropped} oldest results`} (reportResultLimit); what follows starts after ${dropped === 1 ? 'it' : 'them'}.`,
    });
  }
  let lastPlugin: string | null = null;
  // What the previous result belonged to: "pairs" (reset, validate, publish), an action, or
  // the repair of one plug-in. Each live run ends with a line in the terminal; so does each here.
  let segment: string | null = null;
  let runOrder = Number.NEGATIVE_INFINITY;
  let inRun = false;
  let runPairs = 0;
  // The pairs of the last action or repair: the live footer shows their progress after one.
  let segmentPairs = 0;
  let published = false;
  // Where the last run's entries begin (the live GUI's runStartSeq; the store numbers from 1).
  let runStartSeq = 0;
  const seen = new Set<string>();
  const failures = new Failures();
  // A farm job's rows show its last run; the runs before it are in the Terminal only.
  const jobKey = (f: NonNullable<PairReport['farm']>) => `${f.publishId}\0${f.jobId}`;
  const lastRun = new Map<string, number>();
  for (const r of report.results)
    if (r.farm) lastRun.set(jobKey(r.farm), Math.max(r.farm.attempt, lastRun.get(jobKey(r.farm)) ?? 0));
  const farmPublishes = new Map((report.farm ?? []).map((p) => [p.publishId, p]));
  /** After a farm publish's last pair: how its jobs ended. */
  const endFarm = (publishId: string) => {
    const publish = farmPublishes.get(publishId);
    if (!publish) return;
    farmPublishes.delete(publishId);
    const entries = farmPublishEntries(publish, report.results);
    terminal.push(...entries);
    for (const e of entries) {
      const row = e.type === 'error' ? instanceById.get(e.instanceId ?? context.id) : undefined;
      if (row && e.type === 'error')
        Object.assign(row, afterResult(row, { error: e.error, records: [], duration: 0 }));
    }
  };
  const clear = () => {
    for (const row of instances) Object.assign(row, clearedRunState());
    for (const row of plugins) {
      if (row.verb === 'Collect') continue;
      Object.assign(row, clearedRunState());
      failures.forget(row.id);
    }
  };

  for (const [index, result] of report.results.entries()) {
    const plugin = pluginById.get(result.pluginId);
    const target = result.instanceId ?? context.id;
    const farm = result.farm;
    const kind = farm
      ? 'farm'
      : (result.actionId ?? null) !== null
        ? 'action'
        : result.repair
          ? `repair ${result.pluginId}`
          : 'pairs';
    // The farm's pairs end the run their validation began (Publish on farm is one run).
    let boundary = kind === 'action' || (kind !== segment && !(kind === 'farm' && segment === 'pairs'));
    let runBegins = false;
    if (plugin && kind === 'pairs' && plugin.verb !== 'Collect') {
      const key = `${plugin.id}\0${target}`;
      if (!inRun || plugin.order < runOrder || seen.has(key)) {
        boundary = true;
        runBegins = true;
        clear();
        inRun = true;
        runPairs = 0;
        published = false;
        seen.clear();
      }
      runOrder = plugin.order;
      seen.add(key);
      if (plugin.verb === 'Extract' || plugin.verb === 'Integrate') published = true;
    }
    if (boundary && segment !== null) terminal.push(runEndEntry(null));
    if (runBegins) runStartSeq = terminal.length;
    segmentPairs = boundary ? 1 : segmentPairs + 1;
    segment = kind;
    const instanceLabel =
      result.instanceId === null
        ? 'Context'
        : (instanceById.get(result.instanceId)?.label ?? result.instanceId);
    const ended = pairEndEntries(
      result.pluginId,
      result.instanceId,
      result.records.map(recordRow),
      keptError(result.error, sourceAsExc),
    );
    terminal.push(
      ...pairStartEntries(
        lastPlugin,
        { id: result.pluginId, label: plugin?.label ?? result.label ?? result.pluginId },
        result.instanceId,
        instanceLabel,
      ).map((e) => (farm && e.type === 'instance' ? { ...e, farm } : e)),
      ...(farm
        ? ended.map((e) => ({
            ...e,
            farm,
            ...(e.type === 'error' && result.label ? { label: result.label } : {}),
          }))
        : ended),
    );
    lastPlugin = result.pluginId;
    if (farm) {
      published = true;
      if (report.results[index + 1]?.farm?.publishId !== farm.publishId) endFarm(farm.publishId);
      if (farm.attempt !== lastRun.get(jobKey(farm))) continue;
      const outcome = { error: result.error, records: result.records, duration: result.duration };
      if (plugin) Object.assign(plugin, afterResult(plugin, outcome));
      // As live: the context row follows the context job only.
      const farmRow = instanceById.get(result.instanceId ?? (farm.jobId === 'context' ? context.id : ''));
      if (farmRow) Object.assign(farmRow, afterResult(farmRow, outcome));
      continue;
    }
    const row = instanceById.get(target);
    if (!plugin || kind === 'action') continue;
    if (kind !== 'pairs') {
      // A repair changes no counts; a successful one clears the failure it fixed.
      if (!result.success) continue;
      const cleared = failures.repaired(plugin.id, target);
      if (cleared.plugin) Object.assign(plugin, withoutError(plugin));
      if (row && cleared.target) Object.assign(row, withoutError(row));
      continue;
    }
    runPairs++;
    const outcome = { error: result.error, records: result.records, duration: result.duration };
    Object.assign(plugin, afterResult(plugin, outcome));
    if (row) Object.assign(row, afterResult(row, outcome));
    if (result.error) failures.add(plugin.id, target);
  }
  for (const publishId of [...farmPublishes.keys()]) endFarm(publishId);
  terminal.push(runEndEntry(report.fault));

  if (inRun) {
    // As at the end of a live Validate or Publish: what the run passed over shows as skipped.
    const validateOnly = !published && (report.iteration ?? report.kind) !== 'publish';
    for (const row of plugins) {
      if (row.verb === 'Collect' || (validateOnly && row.verb !== 'Validate')) continue;
      if (passedOver(row)) row.status = 'skipped';
    }
    for (const row of instances) if (passedOver(row)) row.status = 'skipped';
  }

  return {
    state: {
      phase: 'finished',
      message: report.message || 'This report holds no run',
      fault: report.fault ?? null,
      hosts: [],
      window,
      progress: {
        ...(segment === 'pairs'
          ? { done: runPairs, planned: runPairs }
          : { done: segmentPairs, planned: segmentPairs }),
        currentPlugin: null,
        currentInstance: null,
      },
      runStartSeq,
      comment: report.comment ?? '',
      capabilities: [],
      visible: true,
      savedReport: {
        file,
        host: report.host?.label ?? null,
        startedAt: report.startedAt,
        finishedAt: report.finishedAt,
        kind: report.kind,
        ...(headless ? { headless } : {}),
      },
    },
    instances,
    plugins,
    terminal,
  };
}
