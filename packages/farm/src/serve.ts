// Runs this process as a farm worker on a WorkSource until SIGTERM (or SIGINT): discovers the
// worker's own plug-ins, serves jobs, and on the signal finishes the running job or, after the
// grace period (or a second signal), hands it back to the queue.
import { discover, plural, Registry } from '@pyblish/core';
import type { WorkSource } from './backend.js';
import { createHandler, farmTest, machineName } from './worker.js';

export interface ServeOptions {
  pluginPaths: string[];
  concurrency?: number;
  /** Milliseconds a running job may take to finish after SIGTERM before it is handed back. Default 30,000. */
  graceMs?: number;
  /** Stop after this long without a job (a worker run as a task of Deadline or OpenCue). */
  idleExitMs?: number;
  /** Lines about what the worker does (discovery problems, jobs); to stderr by default. */
  log?(line: string): void;
}

/** Serves until stopped; resolves once the worker stopped cleanly. */
export async function serveWorker(source: WorkSource, options: ServeOptions): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`pyblish worker: ${line}\n`));
  const registry = new Registry();
  registry.registerTest(farmTest);
  for (const path of options.pluginPaths) registry.registerPluginPath(path);
  const discovery = await discover({ registry });
  for (const e of discovery.errors) log(`discovery: ${e.code} ${e.path}: ${e.reason}`);
  const machine = machineName();
  const handle = createHandler({ plugins: discovery.plugins, registry, machine, log });
  let running = 0;
  let idleSince = Date.now();
  await source.serve(async (claim) => {
    running++;
    try {
      await handle(claim);
    } finally {
      running--;
      idleSince = Date.now();
    }
  }, options.concurrency ?? 1);
  log(`${machine} serving with ${plural(discovery.plugins.length, 'plug-in')}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (why: string, graceMs: number) => {
      if (stopping) {
        log(`${why} again: handing the running job(s) back`);
        void source.stop(0);
        return;
      }
      stopping = true;
      clearInterval(idle);
      log(`${why}: finishing the running job(s), then stopping`);
      void source.stop(graceMs).then(() => {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        resolve();
      });
    };
    const onSignal = (signal: NodeJS.Signals) => stop(signal, options.graceMs ?? 30_000);
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const idleExit = options.idleExitMs;
    const idle = setInterval(() => {
      if (idleExit !== undefined && running === 0 && Date.now() - idleSince >= idleExit)
        stop(`idle for ${idleExit / 1000} s`, 0);
    }, 100);
  });
}
