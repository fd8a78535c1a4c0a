// A whole run on the host (the pyblish.run extension): the host iterates itself with core's
// drivePairs, the semantics a GUI drives a host with pair by pair (the same pairs in the same
// order, the default test, the plan), and keeps what the GUI following it has not fetched yet:
// the finished pairs' results, the pair running now with its records, and the progress. Each
// pair is processed as pyblish.begin processes one (a RunningCall of calls.ts, so its records
// are buffered and capped there and followed live, and pyblish.cancel aborts it). pyblish.pollRun
// long-polls the run and collects what it finished in the meantime into one reply, of a bounded
// size: each result carries its pair's records but those the GUI already took while it ran.
import { createState, drivePairs, type Instance, type PluginLike, pluginsOfRun } from '@pyblish/core';
import { Fault, FaultCode, type XmlRpcStruct, type XmlRpcValue } from '@pyblish/xmlrpc';
import { RunningCall, type RunPairState } from './calls.js';
import { RECORD_LIMITS } from './record-buffer.js';
import { packRunResults } from './run-columns.js';
import type { PluginJSON, RecordJSON, RunPollJSON, RunResultJSON, RunSpecJSON } from './wire.js';

/**
 * The most results one reply carries; the GUI polls again at once for the rest. 5,000 plain
 * results are about 2 MB of XML: few round trips for a host running 100,000 quick pairs a second.
 */
export const MAX_RUN_BATCH = 5000;
/** The characters of records one reply carries, beyond its first result (a pair's fit one reply). */
const MAX_RUN_BATCH_CHARS = RECORD_LIMITS.pageChars;
/** Once something is there to send, a poll waits this much longer for more (fewer, fuller replies). */
const LINGER_MS = 10;
/** The longest a poll waits, whatever the caller asks. */
const MAX_RUN_POLL_MS = 30_000;
/** Between pairs the run gives the thread to polls and cancels at least this often. */
const YIELD_EVERY_MS = 5;

/** A run's spec, checked. */
export interface RunSpec {
  phase: RunSpecJSON['phase'];
  continuing: boolean;
  pluginsOff: ReadOnlySet | null;
  instancesOff: ReadOnlySet | null;
  targets: string[] | null;
  /** Each reply's results as columns (run-columns.ts), not a list. */
  resultsAsColumns: boolean;
}

type ReadOnlySet = ReadonlySet<string>;

const PHASES: readonly string[] = ['collect', 'validate', 'publish'];

function invalid(message: string): Fault {
  return new Fault(FaultCode.InvalidParams, `pyblish.run: ${message}`);
}

function stringList(v: XmlRpcValue | undefined, field: string): string[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw invalid(`spec.${field} must be a list of strings`);
  return v as string[];
}

/** Checks pyblish.run's spec; a bad one is refused with what to send instead. */
export function parseRunSpec(spec: XmlRpcStruct): RunSpec {
  const { phase, continuing } = spec;
  if (typeof phase !== 'string' || !PHASES.includes(phase))
    throw invalid(`spec.phase must be one of ${PHASES.join(', ')}`);
  if (continuing !== undefined && continuing !== null && typeof continuing !== 'boolean')
    throw invalid('spec.continuing must be a boolean');
  if (spec.resultsAs !== undefined && spec.resultsAs !== null && spec.resultsAs !== 'columns')
    throw invalid("spec.resultsAs must be 'columns', or left out for a list of results");
  const pluginsOff = stringList(spec.pluginsOff, 'pluginsOff');
  const instancesOff = stringList(spec.instancesOff, 'instancesOff');
  return {
    phase: phase as RunSpec['phase'],
    continuing: continuing === true,
    pluginsOff: pluginsOff && new Set(pluginsOff),
    instancesOff: instancesOff && new Set(instancesOff),
    targets: stringList(spec.targets, 'targets'),
    resultsAsColumns: spec.resultsAs === 'columns',
  };
}

/** What a run asks of the service: the session's plug-ins and context, and one pair processed. */
export interface RunWork {
  /** The plug-ins of the session, in their order. */
  plugins(): PluginJSON[];
  /** The current context's instances. */
  instances(): Iterable<Instance>;
  revision(): number;
  /**
   * Processes one pair (`instance` is the pair's, null for the context; its records go to `call`,
   * `signal` aborts it) and hands its result, whatever the plug-in does, to `then`, whose value
   * the promise resolves to (one promise a pair, not one a step).
   */
  process<T>(
    pair: RunPairState,
    call: RunningCall,
    signal: AbortSignal,
    instance: Instance | null,
    then: (result: RunResultJSON) => T,
  ): Promise<T>;
}

/** A plug-in as the iteration sees it: the GUI's proxy of it, from the same wire form. */
interface RunPlugin extends PluginLike {
  id: string;
}

/** An instance as the iteration sees it, like the GUI's proxy: read again when the list changes. */
interface InstanceView {
  id: string;
  instance: Instance;
  data: { family?: unknown; families?: unknown; publish?: unknown };
}

interface Finished {
  result: RunResultJSON;
  /** What its records count for against a reply's size. */
  chars: number;
  done: number;
  planned: number;
}

export class HostRun {
  /** Finished pairs not yet acknowledged by a poll; the first is pair number `base`. */
  private finished: Finished[] = [];
  private base = 0;
  private current: { pair: RunPairState; call: RunningCall } | null = null;
  private doneCount = 0;
  private plannedCount = 0;
  private ended = false;
  private stoppedBy: string | null = null;
  private cancelled = false;
  private error: string | null = null;
  /** Polls waiting for the next change. */
  private readonly waiters = new Set<() => void>();
  /** Settles when the run has ended. */
  private readonly finish: Promise<void>;
  private markEnded!: () => void;
  /** Aborts the running pair when the run is cancelled (one signal for all its pairs). */
  private readonly abort = new AbortController();
  private lastYield = performance.now();
  /** Polls waiting for news (not those filling a reply): a starting pair lets them answer first. */
  private listening = 0;
  /** The pairs the last of them has: it hears of any pair finished after those anyway. */
  private listeningAfter = 0;

  constructor(
    readonly id: string,
    private readonly spec: RunSpec,
  ) {
    this.finish = new Promise((resolve) => {
      this.markEnded = resolve;
    });
  }

  get done(): boolean {
    return this.ended;
  }

  /** Runs the pairs of its spec; settles when the run has ended (never rejects). */
  async execute(work: RunWork): Promise<void> {
    const spec = this.spec;
    try {
      const plugins = pluginsOfRun(runPlugins(work.plugins(), spec.pluginsOff), spec.phase, spec.continuing);
      const instances = instanceViews(work, spec.instancesOff);
      this.stoppedBy = await drivePairs(plugins, instances, (p, i) => this.pair(p, i, work), {
        collecting: spec.phase === 'collect',
        done: 0,
        state: createState(),
        stopped: () => this.cancelled,
        ...(spec.targets && { targets: spec.targets }),
        onProgress: (done, planned) => this.progressed(done, planned),
      });
    } catch (err) {
      this.error = err instanceof Fault ? err.faultString : err instanceof Error ? err.message : String(err);
    } finally {
      this.current = null;
      this.ended = true;
      this.markEnded();
      this.notify();
    }
  }

  /** Stops the run: the running pair's signal aborts and no further pair starts. */
  cancel(reason: Error): boolean {
    if (this.ended) return false;
    this.cancelled = true;
    this.abort.abort(reason);
    this.notify();
    return true;
  }

  /** Runs one pair; resolves to whether it failed. Not async itself: a promise fewer per pair. */
  private pair(plugin: RunPlugin, instance: InstanceView | null, work: RunWork): Promise<boolean> {
    // Quick pairs run back to back on microtasks: now and then let polls and cancels in.
    if (performance.now() - this.lastYield <= YIELD_EVERY_MS) return this.runPair(plugin, instance, work);
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.lastYield = performance.now();
      return this.cancelled ? false : this.runPair(plugin, instance, work);
    });
  }

  private runPair(plugin: RunPlugin, instance: InstanceView | null, work: RunWork): Promise<boolean> {
    const index = this.base + this.finished.length;
    // Its records are buffered as a begun pair's are; it is followed through the run, so it
    // goes by the run's id (what liveness names, and pyblish.cancel takes).
    const call = new RunningCall(this.id);
    const pair: RunPairState = { run: this.id, index, plugin: plugin.id, instance: instance?.id ?? null };
    this.current = { pair, call };
    this.notify();
    const process = () =>
      work.process(pair, call, this.abort.signal, instance?.instance ?? null, (result) =>
        this.pairEnded(call, result),
      );
    // A poll waiting with nothing else to take hears of this pair before it starts: a plug-in
    // that then blocks the thread would otherwise hold the reply (the GUI would not know what runs).
    return this.listening > 0 && index <= this.listeningAfter
      ? new Promise<void>((resolve) => setImmediate(resolve)).then(process)
      : process();
  }

  /** The running pair ended with `result`: whether it failed. */
  private pairEnded(call: RunningCall, result: RunResultJSON): boolean {
    call.end();
    result.records = call.records as RecordJSON[];
    this.current = null;
    this.finished.push({
      result,
      chars: call.recordChars,
      done: this.doneCount,
      planned: this.plannedCount,
    });
    return Boolean(result.error);
  }

  private progressed(done: number, planned: number): void {
    this.doneCount = done;
    this.plannedCount = planned;
    const last = this.finished[this.finished.length - 1];
    if (last) {
      last.done = done;
      last.planned = planned;
    }
    this.notify();
  }

  private notify(): void {
    if (this.waiters.size === 0) return;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Resolves at the next change. */
  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** Whether a poll from `afterSeq` (and `afterRecord` of the pair after it) has anything to take. */
  private hasNews(afterSeq: number, afterRecord: number): boolean {
    if (this.ended || this.base + this.finished.length > afterSeq) return true;
    const current = this.current;
    if (!current) return false;
    return current.pair.index > afterSeq || current.call.records.length > afterRecord || afterRecord === -1;
  }

  /**
   * Waits until there is something after `afterSeq` / `afterRecord` (a finished pair, a record
   * of the running pair, a new running pair, the end), then a moment more to fill the reply;
   * at most `ms`. `afterRecord` -1: the running pair itself is news.
   */
  async wait(afterSeq: number, afterRecord: number, ms: number, signal: AbortSignal): Promise<void> {
    const timeUp = timer(Math.min(Math.max(ms, 0), MAX_RUN_POLL_MS), signal);
    try {
      this.listening++;
      this.listeningAfter = afterSeq;
      try {
        while (!this.hasNews(afterSeq, afterRecord) && !timeUp.over) {
          const current = this.current;
          const waits = [this.changed(), timeUp.promise];
          if (current && current.pair.index === afterSeq)
            waits.push(current.call.waitFor(afterRecord, MAX_RUN_POLL_MS, signal));
          await Promise.race(waits);
        }
      } finally {
        this.listening--;
      }
      // Only finished pairs are worth waiting for; a pair that just started is told at once, and
      // a full reply goes at once (a GUI behind a quick run would otherwise wait at every poll).
      const pending = this.pending(afterSeq);
      if (timeUp.over || pending === 0 || pending >= MAX_RUN_BATCH) return;
      // Not woken by every pair (that would cost more than the pairs): by the time, or the end.
      const linger = timer(LINGER_MS, signal);
      try {
        if (!this.ended) await Promise.race([this.finish, linger.promise, timeUp.promise]);
      } finally {
        linger.clear();
      }
    } finally {
      timeUp.clear();
    }
  }

  /** The finished pairs one reply carries: at most MAX_RUN_BATCH, and records of a bounded size. */
  private batch(): Finished[] {
    let end = 0;
    let chars = 0;
    while (end < this.finished.length && end < MAX_RUN_BATCH) {
      chars += (this.finished[end] as Finished).chars;
      if (end > 0 && chars > MAX_RUN_BATCH_CHARS) break;
      end++;
    }
    return end === this.finished.length ? this.finished : this.finished.slice(0, end);
  }

  private pending(afterSeq: number): number {
    return this.base + this.finished.length - afterSeq;
  }

  /**
   * What a poll from `afterSeq` takes; results before `afterSeq` are let go (the caller has them).
   * `afterRecord` (when not -1) is how many records of pair `afterSeq` the caller took while it ran:
   * its result carries only the rest.
   */
  reply(afterSeq: number, afterRecord: number): RunPollJSON {
    const from = Math.max(0, Math.min(afterSeq, this.base + this.finished.length) - this.base);
    if (from > 0) {
      this.finished = this.finished.slice(from);
      this.base += from;
    }
    const batch = this.batch();
    const seq = this.base + batch.length;
    const all = batch.length === this.finished.length;
    const last = batch.at(-1);
    const current = all ? this.current : null;
    const results = batch.map((f) => f.result);
    const followed = results[0];
    if (followed && this.base === afterSeq && afterRecord >= 0) {
      results[0] = {
        ...followed,
        records: followed.records.slice(afterRecord),
        recordsStreamed: afterRecord,
      };
    }
    return {
      runId: this.id,
      seq,
      ...(this.spec.resultsAsColumns ? { results: [], resultColumns: packRunResults(results) } : { results }),
      current: current && {
        index: current.pair.index,
        plugin: current.pair.plugin,
        instance: current.pair.instance,
        ...current.call.buffer.page(current.pair.index === afterSeq ? Math.max(0, afterRecord) : 0),
      },
      progress: all
        ? { done: this.doneCount, planned: this.plannedCount }
        : { done: last?.done ?? 0, planned: last?.planned ?? 0 },
      finished: all && this.ended,
      stopped: this.stoppedBy,
      cancelled: this.cancelled,
      error: this.error,
    };
  }
}

/** The plug-ins as the GUI's proxies describe them, in order; `off` switches plug-ins off. */
function runPlugins(plugins: PluginJSON[], off: ReadOnlySet | null): RunPlugin[] {
  const sorted = plugins.map((p, i) => ({ p, i })).sort((a, b) => a.p.order - b.p.order || a.i - b.i);
  return sorted.map(({ p }) => ({
    id: p.id,
    order: p.order,
    families: Array.isArray(p.families) ? p.families : ['*'],
    match: typeof p.match === 'number' ? p.match : 1,
    active: off ? !off.has(p.id) : p.active !== false,
    targets: Array.isArray(p.targets) ? p.targets : ['default'],
    instanceEnabled: p.instanceEnabled,
  }));
}

/**
 * The instances as the iteration reads them, read again only when the list changed (as the GUI
 * refetches its proxies). Without `off`, each counts its own `publish` as last read (the GUI
 * while collecting). With it, instances present at the start are on unless listed, and those
 * created during the run keep the `publish` they had when first seen (the user's toggles win).
 */
function instanceViews(work: RunWork, off: ReadOnlySet | null): () => InstanceView[] {
  const atStart = off ? new Set([...work.instances()].map((i) => i.id)) : null;
  let views: InstanceView[] = [];
  let revision = -1;
  return () => {
    if (work.revision() === revision) return views;
    revision = work.revision();
    const known = new Map(views.map((v) => [v.id, v]));
    views = [];
    for (const instance of work.instances()) {
      const data = instance.data;
      let publish = data.publish;
      if (off && atStart?.has(instance.id)) publish = !off.has(instance.id);
      else if (off) publish = known.get(instance.id)?.data.publish ?? data.publish;
      views.push({
        id: instance.id,
        instance,
        data: { family: data.family, families: data.families, publish },
      });
    }
    return views;
  };
}

/** A wait of `ms` that ends early when `signal` aborts; `clear` when done with it. */
function timer(ms: number, signal: AbortSignal): { promise: Promise<void>; over: boolean; clear(): void } {
  const out = { promise: Promise.resolve(), over: false, clear: () => {} };
  out.promise = new Promise<void>((resolve) => {
    const end = () => {
      out.over = true;
      out.clear();
      resolve();
    };
    if (signal.aborted || ms <= 0) {
      end();
      return;
    }
    const t = setTimeout(end, ms);
    signal.addEventListener('abort', end, { once: true });
    out.clear = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', end);
    };
  });
  return out;
}
