// Which way a run's pairs go to its host: our hosts run a whole phase themselves
// (host-run-driver.ts), others are driven pair by pair (run-driver.ts, each pair through
// pairs.ts). Either way the view shows the same rows, terminal, progress and phases.
import type { HostMirror, PluginProxy } from './host-mirror.js';
import type { HostRegistry } from './host-registry.js';
import { driveOnHost, runSpec } from './host-run-driver.js';
import type { PairRunner } from './pairs.js';
import type { Run } from './run.js';
import { type DriveOptions, drivePairs } from './run-driver.js';
import type { RunView } from './run-view.js';

export interface DriveRunDeps {
  view: RunView;
  registry: HostRegistry;
  mirror: HostMirror;
  pairs: PairRunner;
  /** naive / pairByPair: drive even our hosts pair by pair (comparisons); the long-poll wait. */
  options: { naive?: boolean; pairByPair?: boolean; pollWaitMs?: number };
}

/** Runs the pairs of `plugins` on the run's host. Resolves to the test's stop message, if any. */
export function driveRun(
  run: Run,
  plugins: PluginProxy[],
  deps: DriveRunDeps,
  options: DriveOptions,
  continuing: boolean,
): Promise<string | null> {
  // Publish on farm after a clean Validate: nothing runs here.
  if (plugins.length === 0) return Promise.resolve(null);
  const { view, registry, mirror, pairs } = deps;
  const { host } = run;
  const { naive, pairByPair, pollWaitMs = 1000 } = deps.options;
  if (!naive && !pairByPair && host.methods.has('pyblish.run')) {
    const phase = run.kind === 'reset' ? 'collect' : run.kind === 'publish' ? 'publish' : 'validate';
    const spec = runSpec(mirror, phase, continuing);
    return driveOnHost(run, spec, { view, registry, mirror }, { ...options, pollWaitMs });
  }
  const client = { process: pairs.process.bind(pairs, run), context: () => host.client.context() };
  return drivePairs(plugins, mirror, client, options);
}
