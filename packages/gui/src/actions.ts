// Actions and repairs: what the user asks of one plug-in, checked against its row (the action
// must exist, be sound, active and available; a repair needs failures to repair), then run pair
// by pair on the host (pairs.ts), whatever drives the host's runs. The controller brackets them
// as runs of their own.
import type { ResultJSON } from '@pyblish/host';
import { CommandError } from './errors.js';
import type { HostMirror, PluginProxy } from './host-mirror.js';
import type { PairRunner } from './pairs.js';
import type { Run } from './run.js';
import { pairDone } from './run-driver.js';
import type { RunView } from './run-view.js';
import type { ViewStateStore } from './view-state.js';

export interface ActionDeps {
  store: ViewStateStore;
  mirror: HostMirror;
  view: RunView;
  pairs: PairRunner;
  say(level: 'info' | 'warning' | 'error', text: string, terminal?: boolean): void;
}

/** How an action or repair ended; `last` is the last result (it says whether the context changed). */
export interface SideRunOutcome {
  message: string;
  success: boolean;
  last: ResultJSON | null;
}

export class ActionRuns {
  constructor(private readonly deps: ActionDeps) {}

  /** The plug-in an action runs on and the action's label, once the command is found sound; else why not. */
  checkAction(pluginId: string, actionId: string): { plugin: PluginProxy; label: string } {
    const { mirror, store, say } = this.deps;
    const plugin = mirror.plugin(pluginId);
    const row = store.plugin(pluginId);
    const action = row?.actions.find((a) => a.id === actionId && a.kind === 'action');
    if (!plugin || !row || !action)
      throw new CommandError('UNKNOWN_ACTION', `No action ${actionId} on ${pluginId}`);
    if (action.error) {
      say('error', `${action.label}: ${action.error}`, true);
      throw new CommandError('BROKEN_ACTION', 'There is a problem with this Action, see terminal.');
    }
    if (!action.active) throw new CommandError('INACTIVE_ACTION', 'Action not active.');
    if (!action.available)
      throw new CommandError('UNAVAILABLE_ACTION', `${action.label} does not apply to this plug-in's state`);
    return { plugin, label: action.label };
  }

  /** Runs the action (one pair); the message names it: "Show scene info: done", or failed, or stopped. */
  async runAction(run: Run, plugin: PluginProxy, actionId: string, label: string): Promise<SideRunOutcome> {
    const result = await this.deps.pairs.process(run, plugin, null, actionId);
    const done = pairDone(run.stop, result);
    this.deps.view.progress(done ? 1 : 0, 1);
    this.deps.store.updatePlugin(plugin.id, { actionState: result.success ? 'succeeded' : 'failed' });
    const outcome = !done ? 'stopped' : result.success ? 'done' : 'failed';
    return { message: `${label}: ${outcome}`, success: result.success, last: result };
  }

  /** The plug-in to repair, the targets it failed on and its label, once the command is found sound. */
  checkRepair(pluginId: string): { plugin: PluginProxy; targets: string[]; label: string } {
    const { mirror, store, view } = this.deps;
    const plugin = mirror.plugin(pluginId);
    const row = store.plugin(pluginId);
    if (!plugin || !row) throw new CommandError('UNKNOWN_ITEM', `No plug-in with id ${pluginId}`);
    if (!row.hasRepair) throw new CommandError('CANNOT_REPAIR', `${row.label} cannot repair`);
    const targets = view.failures.targets(pluginId);
    if (!row.hasError || targets.length === 0)
      throw new CommandError('NOTHING_TO_REPAIR', `${row.label} has not failed`);
    return { plugin, targets, label: row.label };
  }

  /** Repairs each target the plug-in failed on (the context, or an instance) until Stop. */
  async runRepair(run: Run, plugin: PluginProxy, targets: string[], label: string): Promise<SideRunOutcome> {
    const { mirror, view, pairs } = this.deps;
    let all = true;
    let done = 0;
    let last: ResultJSON | null = null;
    for (const target of targets) {
      if (run.stop) break;
      const instance = target === mirror.context?.id ? null : (mirror.instance(target) ?? null);
      last = await pairs.process(run, plugin, instance, null, true);
      if (pairDone(run.stop, last)) view.progress(++done, targets.length);
      if (last.success) view.repaired(plugin.id, target);
      else all = false;
    }
    const outcome = done < targets.length && run.stop ? 'repair stopped' : all ? 'repaired' : 'repair failed';
    return { message: `${label}: ${outcome}`, success: all && done === targets.length, last };
  }
}
