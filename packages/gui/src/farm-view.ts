// What the user sees of a farm publish, event by event: the rows of the instances each job
// carries and of the plug-ins the farm ran, the Terminal (records as they are logged, each pair
// under its plug-in and instance, tagged with the farm job, attempt and machine), the footer's
// progress (in jobs), and the report's pairs. The same row and terminal functions as a local run
// (rows.ts); a job that runs again takes back what its earlier run showed. Each event costs the
// same however many jobs the publish has.
import type { FarmEvent, JobState, PlannedJob, PublishLedger, PublishStatus } from '@pyblish/farm';
import { farmJobEntries, jobLabel } from './farm-rows.js';
import { afterResult, keptError, pairEndEntries, pairStartEntries, recordRow, statusOf } from './rows.js';
import type { ReportBuilder } from './session-report.js';
import type { FarmRef, InstanceRow, Phase, PluginRow } from './view-model.js';
import type { ViewStateStore } from './view-state.js';

type RunState = Pick<
  InstanceRow,
  'status' | 'processed' | 'hasError' | 'hasWarning' | 'succeeded' | 'duration' | 'passed' | 'failed'
>;

function runStateOf(row: RunState): RunState {
  const { status, processed, hasError, hasWarning, succeeded, duration, passed, failed } = row;
  return { status, processed, hasError, hasWarning, succeeded, duration, passed, failed };
}

const OVER: readonly JobState[] = ['finished', 'failed', 'skipped', 'cancelled'];

type ResultEvent = Extract<FarmEvent, { type: 'result' }>;

export class FarmView {
  /** Rows as local validation left them: a job that runs again starts its rows from here. */
  private readonly baseline = new Map<string, RunState>();
  /** The plug-in rows each job's current run changed. */
  private readonly touched = new Map<string, Set<string>>();
  private jobs = new Map<string, PlannedJob>();
  private contextJob: string | null = null;
  /** Jobs that are over. */
  private readonly over = new Set<string>();
  /** The pair the Terminal last headed (job, attempt, plug-in, instance). */
  private lastPair: string | null = null;
  private lastPlugin: string | null = null;

  constructor(
    private readonly store: ViewStateStore,
    private readonly report: ReportBuilder,
    private readonly contextId: string,
    private readonly publishId: string,
  ) {
    for (const row of store.instanceRows()) this.baseline.set(`i:${row.id}`, runStateOf(row));
    for (const row of store.pluginRows()) this.baseline.set(`p:${row.id}`, runStateOf(row));
  }

  /** One event, already folded into `ledger`: what the ledger passed over (a lost run's, a finished or cancelled job's) is passed over here too. */
  apply(event: FarmEvent, ledger: PublishLedger): void {
    if (event.type === 'submitted') {
      this.jobs = new Map(event.jobs.map((j) => [j.jobId, j]));
      this.contextJob = event.jobs.find((j) => j.kind === 'context')?.jobId ?? null;
      return;
    }
    if (event.type === 'cancelled') {
      this.say('warning', `Cancelled by ${event.by}: jobs not started will not run, running ones stop.`);
      this.settle(ledger.status());
      return;
    }
    const job = this.jobs.get(event.jobId);
    const status = ledger.job(event.jobId);
    if (!job || !status || !ledger.taken) return;
    const ref: FarmRef = { jobId: event.jobId, attempt: event.attempt, machine: event.machine };
    const label = jobLabel(job);
    switch (event.type) {
      case 'started': {
        if (event.attempt > 1) this.takeBack(job, ledger);
        for (const id of this.rowsOf(job)) this.store.updateInstance(id, { status: 'processing' });
        const again = event.attempt > 1 ? ` (attempt ${event.attempt})` : '';
        this.say('info', `${label} started on ${event.machine}${again}`);
        return;
      }
      case 'retried':
        this.say(
          'warning',
          `${label} runs again on ${event.machine} (attempt ${event.attempt}): ${event.reason}`,
        );
        return;
      case 'record':
        this.head(ref, event.pluginId, event.plugin, event.instanceId, event.instance);
        this.store.appendTerminal([
          {
            type: 'record',
            pluginId: event.pluginId,
            instanceId: event.instanceId,
            record: recordRow(event.record),
            farm: ref,
          },
        ]);
        return;
      case 'result':
        this.result(job, ref, event.result);
        return;
      case 'finished':
        this.say('info', `${label} finished on ${event.machine} in ${(event.duration / 1000).toFixed(2)} s`);
        this.ended(job);
        return;
      case 'failed': {
        const last = status.state === 'failed';
        this.say(
          last ? 'error' : 'warning',
          `${label} failed on ${event.machine} (attempt ${event.attempt}): ${event.error}${last ? '' : '; it will run again'}`,
        );
        // A job that failed for good with no failed pair (refused, its workers lost) is an error of its own.
        if (last && !status.results.some((r) => !r.success)) this.jobFailed(job, ref, event.error);
        if (last) this.ended(job);
        return;
      }
      case 'progress':
        return;
    }
  }

  /** Where the farm is: the footer's progress in jobs, and its phase and words. */
  progress(): { phase: Phase; message: string } {
    const total = this.jobs.size;
    const over = this.over.size;
    this.store.setState({ progress: { ...this.store.state.progress, done: over, planned: total } });
    const contextLeft = this.contextJob !== null && !this.over.has(this.contextJob);
    return {
      phase: over === total - 1 && contextLeft ? 'integrating' : 'extracting',
      message: `On the farm: ${over} of ${total} jobs done`,
    };
  }

  /** Every job as the ledger has them: rows of jobs that are over no longer show "processing". */
  settle(status: PublishStatus): void {
    for (const job of status.jobs) if (OVER.includes(job.state)) this.ended(job);
  }

  private ended(job: Pick<PlannedJob, 'jobId' | 'kind' | 'instances'>): void {
    this.over.add(job.jobId);
    for (const id of this.rowsOf(job)) {
      const row = this.store.instance(id);
      if (row?.status === 'processing') this.store.updateInstance(id, { status: statusOf(row, false) });
    }
  }

  private result(job: PlannedJob, ref: FarmRef, result: ResultEvent['result']): void {
    const pluginId = result.plugin.id;
    const instanceId = result.instance?.id ?? null;
    this.head(ref, pluginId, result.plugin.label, instanceId, result.instance?.name ?? null);
    const error = keptError(result.error);
    const records = result.records.map(recordRow);
    const plugin = this.store.plugin(pluginId);
    // A farm's own plug-in has no row here: its label goes with its error and its pair.
    const label = plugin ? {} : { label: result.plugin.label };
    // The records came as they were logged; the result adds its error.
    this.store.appendTerminal(
      pairEndEntries(pluginId, instanceId, [], error).map((e) => ({ ...e, farm: ref, ...label })),
    );
    this.report.addPair({
      pluginId,
      instanceId,
      success: result.success,
      duration: result.duration,
      error,
      records,
      actionId: null,
      farm: { ...ref, publishId: this.publishId },
      ...label,
    });
    const outcome = { error, records, duration: result.duration };
    if (plugin) {
      this.store.updatePlugin(pluginId, afterResult(plugin as PluginRow, outcome));
      const touched = this.touched.get(job.jobId) ?? new Set<string>();
      touched.add(pluginId);
      this.touched.set(job.jobId, touched);
    }
    // The context row follows the context job; an instances job's context pairs are its collectors'.
    const rowId = instanceId ?? (job.kind === 'context' ? this.contextId : null);
    const row = rowId ? this.store.instance(rowId) : undefined;
    if (row && rowId)
      this.store.updateInstance(rowId, { ...afterResult(row as InstanceRow, outcome), status: 'processing' });
  }

  /** Heads a pair in the Terminal when it is not the one the last line belonged to. */
  private head(
    ref: FarmRef,
    pluginId: string,
    pluginLabel: string,
    instanceId: string | null,
    instance: string | null,
  ): void {
    const key = `${ref.jobId}\0${ref.attempt}\0${pluginId}\0${instanceId}`;
    if (key === this.lastPair) return;
    this.lastPair = key;
    const instanceLabel = instanceId
      ? (this.store.instance(instanceId)?.label ?? instance ?? instanceId)
      : 'Context';
    const label = this.store.plugin(pluginId)?.label ?? pluginLabel;
    this.store.appendTerminal(
      pairStartEntries(this.lastPlugin, { id: pluginId, label }, instanceId, instanceLabel).map((e) =>
        e.type === 'instance' ? { ...e, farm: ref } : e,
      ),
    );
    this.lastPlugin = pluginId;
  }

  private jobFailed(job: PlannedJob, ref: FarmRef, message: string): void {
    const entries = farmJobEntries(job, ref, message);
    this.store.appendTerminal(entries);
    const failed = { error: entries[0]?.error ?? null, records: [], duration: 0 };
    for (const id of this.rowsOf(job)) {
      const row = this.store.instance(id);
      if (row) this.store.updateInstance(id, afterResult(row as InstanceRow, failed));
    }
  }

  /** A job runs again: its rows go back to where local validation left them, less its earlier run. */
  private takeBack(job: PlannedJob, ledger: PublishLedger): void {
    for (const id of this.rowsOf(job)) {
      const base = this.baseline.get(`i:${id}`);
      if (base) this.store.updateInstance(id, base);
    }
    const plugins = this.touched.get(job.jobId);
    this.touched.delete(job.jobId);
    if (!plugins) return;
    const results = ledger.status().jobs.flatMap((j) => j.results);
    for (const pluginId of plugins) {
      const base = this.baseline.get(`p:${pluginId}`);
      const row = this.store.plugin(pluginId);
      if (!base || !row) continue;
      let folded: PluginRow = { ...(row as PluginRow), ...base };
      for (const r of results)
        if (r.plugin.id === pluginId)
          folded = {
            ...folded,
            ...afterResult(folded, { error: keptError(r.error), records: r.records, duration: r.duration }),
          };
      this.store.updatePlugin(pluginId, runStateOf(folded));
    }
  }

  private rowsOf(job: Pick<PlannedJob, 'kind' | 'instances'>): string[] {
    return job.kind === 'context' ? [this.contextId] : job.instances.map((i) => i.id);
  }

  private say(level: 'info' | 'warning' | 'error', text: string): void {
    this.store.appendTerminal([{ type: 'message', level, text }]);
  }
}
