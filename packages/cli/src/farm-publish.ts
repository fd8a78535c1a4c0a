// `pyblish publish --farm URL`: collect and validate here (targets default and local), send the
// instances to the farm as jobs, then follow them there with live progress (or, with --detach,
// print the publish id and return).
import { userInfo } from 'node:os';
import {
  buildReport,
  Context,
  createState,
  type Discovery,
  Order,
  publishIter,
  type Registry,
  type Result,
  summarise,
} from '@pyblish/core';
import { type FarmBackend, FarmError, followPublish, openFarm, submitPublish } from '@pyblish/farm';
import type { Display } from './progress.js';
import { writeReport } from './usage.js';

export interface FarmPublishArgs {
  farm: string;
  detach: boolean;
  /** Worker processes of a local farm. */
  workers: number | undefined;
  attempts: number | undefined;
  retryDelay: number | undefined;
  targets: string[];
  data: Record<string, unknown>;
  json: string | undefined;
  quiet: boolean;
  verbose: boolean;
}

/** Prints a farm's news and results as they arrive; resolves with the final report. */
export async function followOnFarm(
  farm: FarmBackend,
  publishId: string,
  display: Display,
  signal?: AbortSignal,
) {
  let report = null;
  for await (const { event, ledger } of followPublish(farm, publishId, { signal })) {
    report = ledger;
    if (event.type === 'started') display.begin(`farm · ${event.jobId} on ${event.machine}`);
    else if (event.type === 'record') display.record(event.record);
    else if (event.type === 'result') {
      const total = ledger.status().jobs.reduce((n, j) => n + (j.state === 'finished' ? 1 : 0), 0);
      display.line({
        ...event.result,
        label: event.result.plugin.label,
        instance: event.result.instance?.name ?? null,
        progress: total / Math.max(1, ledger.status().jobs.length),
        machine: event.machine,
      });
    } else if (event.type === 'retried')
      display.note(
        `retry  job ${event.jobId} (attempt ${event.attempt} on ${event.machine}): ${event.reason}`,
        33,
      );
    else if (event.type === 'failed')
      display.note(
        `${event.final ? 'FAILED' : 'failed'} job ${event.jobId} (attempt ${event.attempt}): ${event.error}${event.final ? '' : ' (it will be retried)'}`,
        event.final ? 31 : 33,
      );
    else if (event.type === 'cancelled') display.note(`Cancelled by ${event.by}`, 33);
  }
  return report;
}

export async function publishOnFarm(
  args: FarmPublishArgs,
  registry: Registry,
  discovery: Discovery,
  display: Display,
): Promise<number> {
  if (args.detach && args.farm === 'local') {
    console.error(
      'pyblish publish: a local farm lives in this process, so it cannot detach. Use --farm redis://HOST:PORT to detach.',
    );
    return 2;
  }
  const paths = registry.pluginPaths();
  let farm: FarmBackend;
  try {
    farm = openFarm(args.farm, {
      pluginPaths: paths,
      workers: args.workers,
      attempts: args.attempts,
      backoffMs: args.retryDelay,
      env: { ...process.env, PYBLISH_PLUGINPATH: '' },
      // What local workers say about themselves is for --verbose; their results come as events.
      log: (line) => {
        if (args.verbose || line.includes('discovery:')) process.stderr.write(`${line}\n`);
      },
    });
  } catch (error) {
    console.error(`pyblish publish: ${(error as Error).message}`);
    return 2;
  }
  try {
    try {
      await farm.reach();
    } catch (error) {
      if (!(error instanceof FarmError)) throw error;
      console.error(`pyblish publish: ${error.message} Nothing was collected or sent.`);
      return 1;
    }
    // Here: collectors and validators of the local targets. The farm extracts and integrates.
    const context = new Context({ ...args.data });
    const targets =
      args.targets.length > 0 ? args.targets : ['default', 'local', ...registry.registeredTargets()];
    const state = createState();
    const results: Result[] = [];
    const started = performance.now();
    for await (const result of publishIter({
      context,
      plugins: discovery.plugins.filter((p) => p.order < Order.Extractor - 0.5),
      targets,
      registry,
      state,
      onPair: (plugin, instance) => display.start(plugin, instance),
      onRecord: (record) => display.record(record),
    })) {
      results.push(result);
      display.result(result);
    }
    const local = summarise(results, state.stopped, discovery, performance.now() - started);
    if (!local.success) {
      display.finish(local);
      console.error('Nothing was sent to the farm: fix what failed here first.');
      return 1;
    }
    let publishId: string;
    try {
      publishId = await submitPublish(farm, context);
    } catch (error) {
      if (!(error instanceof FarmError)) throw error;
      console.error(`pyblish publish: ${error.message}`);
      return 1;
    }
    if (args.detach) {
      console.log(publishId);
      return 0;
    }
    if (!args.quiet) console.log(`Submitted publish ${publishId} to ${farm.name}`);

    const controller = new AbortController();
    const interrupt = () => {
      if (controller.signal.aborted) process.exit(130);
      console.error(`Cancelling publish ${publishId} (Ctrl+C again to leave without waiting)`);
      void farm.cancel(publishId, `${userInfo().username} (Ctrl+C)`);
    };
    process.on('SIGINT', interrupt);
    let ledger: Awaited<ReturnType<typeof followOnFarm>>;
    try {
      ledger = await followOnFarm(farm, publishId, display, controller.signal);
    } finally {
      process.off('SIGINT', interrupt);
    }
    const report = ledger?.report();
    if (!report) return 1;
    display.finish(report.summary);
    if (args.json) {
      const plugins = discovery.plugins;
      const localReport = buildReport({
        context,
        plugins,
        targets,
        paths,
        discovery,
        results,
        summary: local,
      });
      if (!(await writeReport(args.json, { ...report, local: localReport }, args.quiet))) return 1;
    }
    if (report.farm.cancelled) return 130;
    return report.summary.success ? 0 : 1;
  } finally {
    await farm.close();
  }
}
