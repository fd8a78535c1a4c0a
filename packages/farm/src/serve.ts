// Runs this process as a farm worker on a WorkSource until SIGTERM (or SIGINT): discovers the
// worker's own plug-ins, serves jobs, and on the signal finishes the running job or, after the
// grace period (or a second signal), hands it back to the queue.
import { discover, Registry } from '@pyblish/core';
import type { WorkSource } from './backend.js';
import { createHandler, farmTest, machineName } from './worker.js';

export interface ServeOptions {
  pluginPaths: string[];
  concurrency?: number;
  /** Milliseconds a running job may take to finish after SIGTERM before it is handed back. Default 30,000. */
  graceMs?: number;
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
  const handler = createHandler({ plugins: discovery.plugins, registry, machine, log });
  await source.serve(handler, options.concurrency ?? 1);
  log(`${machine} serving with ${discovery.plugins.length} plug-in(s)`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        log(`${signal} again: handing the running job(s) back`);
        void source.stop(0);
        return;
      }
      stopping = true;
      log(`${signal}: finishing the running job(s), then stopping`);
      void source.stop(options.graceMs ?? 30_000).then(() => {
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
