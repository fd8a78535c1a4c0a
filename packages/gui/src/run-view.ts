// What the user sees of a run, pair by pair: the rows' statuses and errors, the terminal, the
// pair in progress, and the report, from the run's start to its end. The controller says when a pair starts, what it streamed and
// how it ended; rows.ts holds the pure row transforms applied here.
import type { RecordJSON, ResultJSON } from '@pyblish/host';
import {
  addResult,
  availableActions,
  clearedRunState,
  errorRow,
  Failures,
  type PairOutcome,
  pairEndEntries,
  pairStartEntries,
  passedOver,
  type RowTally,
  recordRow,
  runEndEntry,
  sendsSourceAsExc,
  statusOf,
  tallyOf,
  withoutError,
} from './rows.js';
import type { RunKind } from './run.js';
import type { ReportBuilder, RunEnd } from './session-report.js';
import type { PairReport, PluginRow, RecordRow, Report } from './view-model.js';
import type { NewTerminalEntry, ViewStateStore } from './view-state.js';

/** What a pair's result says of its outcome (a ResultJSON, or a host-side run's RunResultJSON). */
export type PairOutcomeJSON = Pick<ResultJSON, 'success' | 'error' | 'records' | 'duration'>;

/** A pair under way, as shown. */
export interface ShownPair {
  pluginId: string;
  /** null for a context plug-in. */
  instanceId: string | null;
  /** The instance's row, or the context's for a context plug-in. */
  rowId: string;
  /** An action runs instead of process(): the rows keep their status. */
  actionId: string | null;
  /** A repair: it goes to the report only (a successful one clears the failure, see repaired). */
  repair: boolean;
  /** Its records reached the terminal while it ran. */
  streamed: boolean;
  /** The host sends the failing source line as the error's exc (a Python host; rows.ts). */
  sourceAsExc: boolean;
}

export class RunView {
  /** Which plug-ins failed on which targets (instance id, or the context id), until repaired. */
  readonly failures = new Failures();
  /** The terminal heads a pair with its plug-in when the plug-in changed. */
  private lastTerminalPlugin: string | null = null;

  constructor(
    private readonly store: ViewStateStore,
    private readonly report: ReportBuilder,
  ) {}

  /** A reset: no failure is left, the next pair is headed with its plug-in, and the report starts here. */
  restart(): void {
    this.failures.clear();
    this.lastTerminalPlugin = null;
    this.store.setState({ runStartSeq: this.store.state.terminalSeq });
  }

  pairStarted(
    pluginId: string,
    instanceId: string | null,
    contextId: string,
    how: { actionId: string | null; repair: boolean },
  ): ShownPair {
    const rowId = instanceId ?? contextId;
    this.showRunning(pluginId, instanceId, rowId, !how.actionId);
    this.headTerminal(pluginId, instanceId, rowId);
    return { pluginId, instanceId, rowId, ...how, streamed: false, sourceAsExc: this.sourceAsExc(contextId) };
  }

  /**
   * Pairs that started and ended between two looks at the host (a batch of a host-side run), in
   * order: rows, terminal and report end as pairStarted then pairEnded leave them, each row
   * updated once, without showing a pair running in between (patches go out after the batch).
   */
  pairsDone(contextId: string, pairs: ReadonlyArray<DonePair>): void {
    const ending = newEnding();
    // One pair for the whole batch: ending a pair reads it and keeps nothing of it (90,000 pairs
    // of a large run are shown in a few dozen batches; each object fewer counts).
    const pair: ShownPair = {
      pluginId: '',
      instanceId: null,
      rowId: '',
      actionId: null,
      repair: false,
      streamed: false,
      sourceAsExc: this.sourceAsExc(contextId),
    };
    for (const result of pairs) {
      const { plugin: pluginId, instance: instanceId } = result;
      const rowId = instanceId ?? contextId;
      // The store's own copy of the id from here on: a string the maps have seen is found at
      // once, the reply's copy is hashed and compared character by character each time.
      const id = this.store.instance(rowId)?.id ?? rowId;
      pair.pluginId = pluginId;
      pair.instanceId = instanceId === null ? null : id;
      pair.rowId = id;
      this.headEntries(pluginId, instanceId, pair.rowId, ending.entries);
      this.endPair(ending, pair, result);
    }
    this.applyEnding(ending);
  }

  /** Whether the host sends the failing source line as an error's exc (the context's data says). */
  private sourceAsExc(contextId: string): boolean {
    return sendsSourceAsExc(this.store.instance(contextId)?.data);
  }

  /** The progress names this pair as the current one (the last of a batch of pairsDone). */
  showCurrent(pluginId: string, instanceId: string | null): void {
    this.showRunning(pluginId, instanceId, '', false);
  }

  private headTerminal(pluginId: string, instanceId: string | null, rowId: string): void {
    this.store.appendTerminal(this.headEntries(pluginId, instanceId, rowId));
  }

  /** The terminal lines that head a pair (its plug-in, when another ran before it), added to `entries`. */
  private headEntries(
    pluginId: string,
    instanceId: string | null,
    rowId: string,
    entries: NewTerminalEntry[] = [],
  ): NewTerminalEntry[] {
    const label = this.store.plugin(pluginId)?.label ?? pluginId;
    const instanceLabel = instanceId ? (this.store.instance(rowId)?.label ?? instanceId) : 'Context';
    pairStartEntries(this.lastTerminalPlugin, { id: pluginId, label }, instanceId, instanceLabel, entries);
    this.lastTerminalPlugin = pluginId;
    return entries;
  }

  /**
   * A pair the host says it runs, glimpsed before the pairs ahead of it are in (a blocked host's
   * server thread told): its rows and the progress show it; pairStarted follows when it is its turn.
   */
  pairGlimpsed(pluginId: string, instanceId: string | null, contextId: string): void {
    this.showRunning(pluginId, instanceId, instanceId ?? contextId, true);
  }

  private showRunning(pluginId: string, instanceId: string | null, rowId: string, rows: boolean): void {
    if (rows) {
      this.store.updatePlugin(pluginId, { status: 'processing' });
      this.store.updateInstance(rowId, { status: 'processing' });
    }
    this.store.setState({
      progress: { ...this.store.state.progress, currentPlugin: pluginId, currentInstance: instanceId },
    });
  }

  /** Records the plug-in logged while it runs. */
  streamed(pair: ShownPair, records: RecordJSON[]): void {
    pair.streamed = true;
    this.store.appendTerminal(pairEndEntries(pair.pluginId, pair.instanceId, records.map(recordRow), null));
  }

  pairEnded(pair: ShownPair, result: PairOutcomeJSON): void {
    const ending = newEnding();
    this.endPair(ending, pair, result);
    this.applyEnding(ending);
  }

  /** Ends a pair: its terminal lines and tallies go to `ending`, its result to the report. */
  private endPair(ending: Ending, pair: ShownPair, result: PairOutcomeJSON): void {
    const { pluginId, instanceId, rowId } = pair;
    const records = Array.isArray(result.records) ? result.records : [];
    const error = result.error ?? null;
    const recordRows = records.length ? records.map(recordRow) : NO_RECORD_ROWS;
    const errorRowNow = error ? errorRow(error, pair.sourceAsExc) : null;
    // Streamed records are in the terminal already; the result's copy goes to the report only.
    if ((recordRows.length && !pair.streamed) || errorRowNow)
      ending.entries.push(
        ...pairEndEntries(pluginId, instanceId, pair.streamed ? [] : recordRows, errorRowNow),
      );
    const duration = typeof result.duration === 'number' ? result.duration : 0;
    const reported: PairReport = {
      pluginId,
      instanceId,
      success: result.success && !error,
      duration,
      error: errorRowNow,
      records: recordRows,
      actionId: pair.actionId,
    };
    if (pair.repair) reported.repair = true;
    this.report.addPair(reported);
    if (pair.actionId || pair.repair) return;
    const outcome = { error, records, duration };
    tally(ending.plugins, pluginId, this.pluginRowOf, outcome);
    tally(ending.instances, rowId, this.instanceRowOf, outcome);
    if (error) this.failures.add(pluginId, rowId);
  }

  private readonly pluginRowOf = (id: string) => this.store.plugin(id);
  private readonly instanceRowOf = (id: string) => this.store.instance(id);

  /** The terminal lines in order, then each row updated once. */
  private applyEnding(ending: Ending): void {
    this.store.appendTerminal(ending.entries);
    for (const [id, tally] of ending.plugins) {
      this.store.tallyPlugin(id, tally);
      this.updateActions(id);
    }
    for (const [id, tally] of ending.instances) this.store.tallyInstance(id, tally);
  }

  /** A successful repair clears the failure it fixed, on the plug-in and on the instance. */
  repaired(pluginId: string, target: string): void {
    const clear = this.failures.repaired(pluginId, target);
    const row = this.store.plugin(pluginId);
    if (row && clear.plugin) {
      this.store.updatePlugin(pluginId, withoutError(row));
      this.updateActions(pluginId);
    }
    const iRow = this.store.instance(target);
    if (iRow && clear.target) this.store.updateInstance(target, withoutError(iRow));
  }

  /** A fresh Validate or Publish: every row but the collectors' starts over, the progress and the report. */
  clearRunState(collectorIds: ReadonlySet<string>): void {
    this.store.setState({ runStartSeq: this.store.state.terminalSeq });
    const cleared = clearedRunState();
    for (const row of this.store.instanceRows()) this.store.updateInstance(row.id, cleared);
    for (const row of this.store.pluginRows()) {
      if (collectorIds.has(row.id)) continue;
      this.store.updatePlugin(row.id, cleared);
      this.updateActions(row.id);
      this.failures.forget(row.id);
    }
    this.store.setState({ progress: { done: 0, planned: 0, currentPlugin: null, currentInstance: null } });
  }

  /** Pairs done of those planned: of a Validate or Publish, or of an action or a repair (not the run before's). */
  progress(done: number, planned: number): void {
    this.store.setState({ progress: { ...this.store.state.progress, done, planned } });
  }

  /** Rows the run passed over: plug-ins switched off, stopped before or without work, instances off. */
  markSkipped(pluginIds: readonly string[]): void {
    for (const id of pluginIds) {
      const row = this.store.plugin(id);
      if (row && passedOver(row)) this.store.updatePlugin(id, { status: 'skipped' });
    }
    for (const row of this.store.instanceRows()) {
      if (passedOver(row)) this.store.updateInstance(row.id, { status: 'skipped' });
    }
  }

  /** A run began on a host; a reset starts a fresh report. */
  runBegun(kind: RunKind, host: { port: number; label: string }): void {
    this.report.begin(kind, host, kind === 'reset');
    this.store.setState({ fault: null });
  }

  /**
   * A run ended: no row is left processing and no pair in progress, the terminal says how it
   * ended, and the report is finished (with the requests the run made) and returned.
   */
  runEnded(
    requests: number,
    end: Pick<RunEnd, 'finalPhase' | 'message' | 'fault' | 'success'>,
  ): Readonly<Report> {
    this.report.addRequests(requests);
    for (const row of this.store.instanceRows()) {
      if (row.status === 'processing') this.store.updateInstance(row.id, { status: statusOf(row, false) });
    }
    for (const row of this.store.pluginRows()) {
      if (row.status === 'processing') this.store.updatePlugin(row.id, { status: statusOf(row, false) });
    }
    this.store.setState({
      fault: end.fault,
      progress: { ...this.store.state.progress, currentPlugin: null, currentInstance: null },
    });
    this.store.appendTerminal([runEndEntry(end.fault)]);
    return this.report.finish({
      ...end,
      comment: this.store.state.comment,
      instances: this.store.instanceRows(),
      plugins: this.store.pluginRows(),
    });
  }

  private updateActions(pluginId: string): void {
    const row = this.store.plugin(pluginId);
    if (row?.actions.length)
      this.store.updatePlugin(pluginId, { actions: availableActions(row as PluginRow) });
  }
}

/** A pair of a batch: its plug-in, instance (null: the context) and result. */
/** A pair that ran and ended between two looks at the host: its result, naming its plug-in and instance by id. */
export interface DonePair extends PairOutcomeJSON {
  plugin: string;
  instance: string | null;
}

/** The report's records of every pair that logged nothing (most): one frozen list, not one each. */
const NO_RECORD_ROWS = Object.freeze([]) as unknown as RecordRow[];

/** What ending pairs gathers: their terminal lines, and each row's tally (applied once, at the end). */
interface Ending {
  entries: NewTerminalEntry[];
  plugins: Map<string, RowTally>;
  instances: Map<string, RowTally>;
}

function newEnding(): Ending {
  return { entries: [], plugins: new Map(), instances: new Map() };
}

/** Adds a result to the tally of a row (kept by id), starting from the row as it is. */
function tally(
  tallies: Map<string, RowTally>,
  id: string,
  rowOf: (id: string) => Readonly<RowTally> | undefined,
  outcome: PairOutcome,
): void {
  let t = tallies.get(id);
  if (!t) {
    const row = rowOf(id);
    if (!row) return;
    t = tallyOf(row);
    tallies.set(id, t);
  }
  addResult(t, outcome);
}
