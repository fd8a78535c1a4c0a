// The farm worker: takes jobs from a WorkSource (BullMQ, or the local dispatcher over IPC),
// rebuilds the instances with a built-in collector, runs the worker's own plug-ins with the job's
// targets, and logs everything as events. The same code serves both farms.
import { hostname as osHostname } from 'node:os';
import {
  Context,
  ContextPlugin,
  createState,
  defaultTest,
  Instance,
  inRange,
  isInstancePlugin,
  Order,
  type PluginClass,
  pluginId,
  pluginLabel,
  plural,
  publishIter,
  type Registry,
  type Result,
  type Test,
  toResultReport,
} from '@pyblish/core';
import type { Claim, JobHandler } from './backend.js';
import { HandBack, JobFailure } from './errors.js';
import type { FarmEvent, JobEventBody, JobRef } from './events.js';
import { type JobDocument, parseJob } from './job.js';

export interface WorkerOptions {
  /** The worker's own plug-ins (from its configured paths); never anything from the job. */
  plugins: PluginClass[];
  registry?: Registry;
  /** This machine's name in events; host name and process id by default. */
  machine?: string;
  /** Where the worker says what it does (one line each); silent when omitted. */
  log?(line: string): void;
}

/** The farm facts a plug-in reads from `context.data.farm` (integrators use them to be idempotent). */
export interface FarmData {
  publishId: string;
  jobId: string;
  kind: JobDocument['kind'];
  attempt: number;
  lastAttempt: boolean;
  machine: string;
  origin: JobDocument['origin'];
}

export function machineName(): string {
  return `${osHostname()}:${process.pid}`;
}

/** The built-in collector: creates the job's instances (keeping their ids) before any other collector. */
function jobCollector(job: JobDocument): PluginClass {
  class CollectFarmJob extends ContextPlugin {
    static override order = Order.Collector - 0.49;
    static override label = 'Collect farm job';
    static override targets = [...job.targets];
    process(context: Context) {
      for (const i of job.instances) new Instance(i.name, structuredClone(i.data), context, i.id);
    }
  }
  return CollectFarmJob;
}

/**
 * Collectors run in every job. From validation on, an instances job runs the instance plug-ins
 * and the context job runs the context plug-ins.
 */
function pluginsFor(job: JobDocument, plugins: PluginClass[]): PluginClass[] {
  const own = plugins.filter(
    (p) => p.order < Order.Validator - 0.5 || isInstancePlugin(p) === (job.kind === 'instances'),
  );
  return [jobCollector(job), ...own];
}

/**
 * The workers' test: pyblish's default (nothing after a failed validation), and nothing is
 * integrated after a failed extraction either: the job fails and runs again instead.
 */
export const farmTest: Test = (vars) => {
  const stop = defaultTest(vars);
  if (stop || vars.nextOrder < Order.Integrator - 0.5) return stop;
  for (const order of vars.ordersWithError) if (inRange(order, Order.Extractor)) return 'failed extraction';
  return undefined;
};

/** Extraction and integration may fail for passing reasons (a full disk, a licence); validation does not. */
function retryable(failed: Result[]): boolean {
  return failed.some((r) => r.plugin.order >= Order.Extractor - 0.5);
}

/** Rebuilds the job's context and runs its plug-ins, logging every record and result as an event. */
async function runPairs(
  job: JobDocument,
  farm: FarmData,
  signal: AbortSignal,
  options: WorkerOptions,
  emit: (event: JobEventBody) => void,
) {
  const context = new Context({ ...structuredClone(job.context.data), farm });
  const state = createState();
  const failed: Result[] = [];
  let pairs = 0;
  let current = {
    plugin: '',
    pluginId: '',
    instance: null as string | null,
    instanceId: null as string | null,
  };
  const started = performance.now();
  for await (const result of publishIter({
    context,
    plugins: pluginsFor(job, options.plugins),
    targets: job.targets,
    registry: options.registry,
    state,
    signal,
    onPair: (plugin, instance) => {
      current = {
        plugin: pluginLabel(plugin),
        pluginId: pluginId(plugin),
        instance: instance?.name ?? null,
        instanceId: instance?.id ?? null,
      };
    },
    onRecord: (record) => emit({ type: 'record', ...current, record }),
  })) {
    pairs++;
    if (!result.success) failed.push(result);
    emit({ type: 'result', result: toResultReport(result) });
    emit({
      type: 'progress',
      done: pairs,
      total: Math.round(pairs / Math.max(result.progress ?? 1, 1e-9)),
    });
  }
  return { state, failed, pairs, duration: performance.now() - started };
}

export function createHandler(options: WorkerOptions): JobHandler {
  const machine = options.machine ?? machineName();
  const say = options.log ?? (() => {});
  return async (claim: Claim) => {
    let job: JobDocument;
    try {
      job = parseJob(claim.document);
      const id = `${job.publishId}.${job.jobId}`;
      if (id !== claim.jobId)
        throw new JobFailure(
          `Refused a forged job: it says it is ${id}, but it was queued as ${claim.jobId}.`,
          false,
        );
    } catch (error) {
      const message = (error as Error).message;
      say(`refused job ${claim.jobId}: ${message}`);
      if (claim.publishId) {
        const [, jobId = claim.jobId] = claim.jobId.split(/\.(.*)/s);
        claim.emit({
          type: 'failed',
          publishId: claim.publishId,
          at: Date.now(),
          jobId,
          kind: 'instances',
          attempt: claim.attempt,
          machine,
          error: message,
          final: true,
        });
        await claim.flush();
      }
      throw new JobFailure(message, false);
    }
    const ref: JobRef & { publishId: string } = {
      publishId: job.publishId,
      jobId: job.jobId,
      kind: job.kind,
      attempt: claim.attempt,
      machine,
    };
    const emit = (event: JobEventBody) => claim.emit({ ...ref, at: Date.now(), ...event } as FarmEvent);
    say(`job ${claim.jobId} attempt ${claim.attempt} started`);
    emit({ type: 'started' });
    if (claim.previous !== null) emit({ type: 'retried', reason: claim.previous });

    const farm: FarmData = {
      publishId: job.publishId,
      jobId: job.jobId,
      kind: job.kind,
      attempt: claim.attempt,
      lastAttempt: claim.lastAttempt,
      machine,
      origin: job.origin,
    };
    let run: Awaited<ReturnType<typeof runPairs>>;
    try {
      run = await runPairs(job, farm, claim.signal, options, emit);
    } catch (error) {
      // Not a plug-in's error (those are results): something broke around them. Say so, retry.
      const message = `The worker failed: ${(error as Error).stack ?? String(error)}`;
      emit({ type: 'failed', error: message, final: claim.lastAttempt });
      await claim.flush();
      throw new JobFailure(message, true);
    }
    const { state, failed, pairs, duration } = run;
    if (claim.signal.aborted) {
      await claim.flush();
      if (claim.signal.reason instanceof HandBack) {
        say(`job ${claim.jobId} handed back`);
        throw claim.signal.reason;
      }
      const message = (claim.signal.reason as Error | undefined)?.message ?? 'Stopped';
      emit({ type: 'failed', error: message, final: true });
      await claim.flush();
      throw new JobFailure(message, false);
    }
    if (failed.length === 0 && state.stopped === null) {
      emit({ type: 'finished', pairs, duration });
      await claim.flush();
      say(`job ${claim.jobId} finished (${plural(pairs, 'pair')} in ${Math.round(duration)} ms)`);
      return;
    }
    const retry = retryable(failed);
    const first = failed[0];
    const message = [
      first &&
        `${pluginLabel(first.plugin)} › ${first.instance?.name ?? 'Context'}: ${first.error?.message}${failed.length > 1 ? ` (and ${failed.length - 1} more failed ${failed.length === 2 ? 'pair' : 'pairs'})` : ''}`,
      state.stopped && `(${state.stopped})`,
    ]
      .filter(Boolean)
      .join(' ');
    emit({ type: 'failed', error: message, final: !retry || claim.lastAttempt });
    await claim.flush();
    say(`job ${claim.jobId} attempt ${claim.attempt} failed: ${message}`);
    throw new JobFailure(message, retry);
  };
}
