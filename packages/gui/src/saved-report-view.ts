// A saved session report, read (session-report-reader.ts), turned into the view state the page
// renders: the same rows, statuses and terminal entries a live run makes, derived with the same
// functions (rows.ts). Pure.

import { basename } from 'node:path';
import { farmPublishEntries } from './farm-rows.js';
import { headlessHeader } from './publish-report-reader.js';
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
import type { ReadReport } from './session-report-reader.js';
import type { InstanceRow, PairReport, PluginRow, Report, ViewState } from './view-model.js';
import { initialTop, type NewTerminalEntry } from './view-state.js';

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
