// The run driver, pair by pair: the remote counterpart of pyblish-base's util._convenience_iter.
// Core's drivePairs picks each pair from the mirror's proxies (so the test stops a run after a
// failed validation, and instances a collector created reach the next plug-in) and keeps the
// plan; the host processes each pair (one round trip), and the mirror refetches the context when
// the result says it changed. Hosts that run a whole phase themselves are driven by
// host-run-driver.ts instead.
import {
  type DriveOptions as CoreDriveOptions,
  drivePairs as drive,
  pluginsOfRun,
  pluginType,
} from '@pyblish/core';
import type { ContextJSON, ResultJSON } from '@pyblish/host';
import type { HostMirror, InstanceProxy, PluginProxy } from './host-mirror.js';
import { Slices } from './slices.js';
import type { Phase } from './view-model.js';

/** What the driver asks of the host (the controller, or a scripted client in tests). */
export interface DriverClient {
  /** Processes one pair on the host; plug-in errors are in the result. */
  process(plugin: PluginProxy, instance: InstanceProxy | null): Promise<ResultJSON>;
  context(): Promise<ContextJSON>;
}

/** Core's options (collection, progress, Stop), and the phase shown: collection never changes it. */
export interface DriveOptions extends CoreDriveOptions {
  /** The phase the run is in; a pair of another phase moves it on. */
  phase: Phase;
  onPhase(phase: Phase): void;
}

const PHASE_OF: Record<string, Phase | null> = {
  Collector: 'collecting',
  Validator: 'validating',
  Extractor: 'extracting',
  Integrator: 'integrating',
  Other: null,
};

/** The phase a plug-in of this order runs in (null for orders outside the four ranges). */
export function phaseOf(order: number): Phase | null {
  return PHASE_OF[pluginType(order)] ?? null;
}

const MESSAGE_OF: Partial<Record<Phase, string>> = {
  collecting: 'Collecting..',
  validating: 'Validating..',
  extracting: 'Extracting..',
  integrating: 'Integrating..',
};

/** What the window says while a run is in this phase. */
export function phaseMessage(phase: Phase): string {
  return MESSAGE_OF[phase] ?? '';
}

/** What the user iterates: Validate, Publish, or Publish on farm. */
export type IterationKind = 'validate' | 'publish' | 'farm';

/**
 * The plug-ins of an iteration (core's pluginsOfRun): Publish on farm runs the validators here
 * (none after a clean Validate); the farm does the rest.
 */
export function pluginsOfIteration<P extends PluginProxy>(
  plugins: P[],
  kind: IterationKind,
  continuing: boolean,
): P[] {
  if (kind !== 'farm') return pluginsOfRun(plugins, kind, continuing);
  return continuing ? [] : pluginsOfRun(plugins, 'validate');
}

/**
 * The words a Validate or Publish ends with: the test's stop message, or what it reached and
 * whether a pair failed. `reached` is the last phase a pair ran in.
 */
export function endMessage(
  kind: IterationKind,
  outcome: { stopped: string | null; failed: boolean; reached: Phase },
): string {
  const { stopped, failed, reached } = outcome;
  if (kind === 'farm' && (stopped || failed))
    return `Not sent to the farm: ${stopped ?? 'validation failed'}`;
  if (stopped) return stopped;
  if (kind === 'publish' && (reached === 'extracting' || reached === 'integrating'))
    return failed ? 'Published, with errors..' : 'Published';
  return failed ? 'Validated, with errors..' : 'Validated';
}

/** Whether a pair counts as done in the progress: one that Stop ended without success (cancelled on the host) does not. */
export function pairDone(stopped: boolean, result: Pick<ResultJSON, 'success' | 'error'>): boolean {
  return !(stopped && (!result.success || Boolean(result.error)));
}

/** Runs the pairs of `plugins` on the host, one round trip each. Resolves to the test's stop message, if any. */
export function drivePairs(
  plugins: PluginProxy[],
  mirror: HostMirror,
  client: DriverClient,
  options: DriveOptions,
): Promise<string | null> {
  const { collecting } = options;
  let phase = options.phase;
  const process = async (plugin: PluginProxy, instance: InstanceProxy | null) => {
    const pairPhase = phaseOf(plugin.order);
    if (pairPhase && pairPhase !== phase && !collecting) {
      phase = pairPhase;
      options.onPhase(phase);
    }
    const result = await client.process(plugin, instance);
    await mirror.afterPair(client, result, collecting);
    return Boolean(result.error);
  };
  // The instance list is read afresh for each plug-in: a collector's instances reach the next.
  // Counting the plan is sliced: a host's 50,000 instances do not hold up the event loop.
  const slices = new Slices();
  return drive(plugins, () => mirror.instances, process, { pause: () => slices.pause(), ...options });
}
