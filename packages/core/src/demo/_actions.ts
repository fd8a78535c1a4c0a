// The demo actions: one for each `on` state, categories, a separator, and a few that misbehave.
import {
  Action,
  Category,
  type Context,
  type PluginClass,
  type ProcessApi,
  type Result,
  Separator,
} from '../plugin-api.js';
import { demoDelay, sleep } from './_util.js';

/** The results of a plug-in so far (by name: the GUI's Reset reloads the classes). */
function resultsOf(context: Context, plugin: PluginClass): Result[] {
  const results = (Array.isArray(context.data.results) ? context.data.results : []) as Result[];
  return results.filter((r) => r.plugin.name === plugin.name && r.action === null);
}

export class ShowInfo extends Action {
  static override label = 'Show scene info';
  static override icon = 'info';
  static override doc = 'Logs what the collectors found about the scene.';
  process(context: Context, _plugin: PluginClass, { log }: ProcessApi) {
    log.info('Scene %s by %s, %d instances', context.data.currentFile, context.data.user, context.length);
  }
}

export class ShowProcessed extends Action {
  static override label = 'Count processed pairs';
  static override on = 'processed';
  static override icon = 'check-square';
  process(context: Context, plugin: PluginClass, { log }: ProcessApi) {
    const count = resultsOf(context, plugin).length;
    log.info(`${plugin.name} processed ${count} ${count === 1 ? 'pair' : 'pairs'}.`);
  }
}

export class ShowNotProcessed extends Action {
  static override label = 'Explain (not run yet)';
  static override on = 'notProcessed';
  static override icon = 'hourglass';
  process(_context: Context, plugin: PluginClass, { log }: ProcessApi) {
    log.info(`${plugin.name} has not run yet: press Validate.`);
  }
}

export class Celebrate extends Action {
  static override label = 'Celebrate';
  static override on = 'succeeded';
  static override icon = 'thumbs-up';
  process(_context: Context, _plugin: PluginClass, { log }: ProcessApi) {
    log.info('Every check passed.');
  }
}

export class SelectFailed extends Action {
  static override label = 'Select failed instances';
  static override on = 'failed';
  static override icon = 'hand-pointer-o';
  static override doc = 'Logs the instances this plug-in failed on (a host would select them).';
  process(context: Context, plugin: PluginClass, { log }: ProcessApi) {
    const failed = resultsOf(context, plugin).filter((r) => !r.success);
    log.info('Failed: %s', failed.map((r) => r.instance?.name ?? 'Context').join(', '));
  }
}

export class ReviewWarnings extends Action {
  static override label = 'Review warnings';
  static override on = 'warning';
  static override icon = 'exclamation-triangle';
  process(_context: Context, _plugin: PluginClass, { log }: ProcessApi) {
    log.warning('Warnings are advice: publishing goes on.');
  }
}

export class OpenReport extends Action {
  static override label = 'Open report';
  static override on = 'failedOrWarning';
  static override icon = 'file-text';
  process(_context: Context, plugin: PluginClass, { log }: ProcessApi) {
    log.info(`Opening the report of ${plugin.name}.`);
  }
}

export class FailingAction extends Action {
  static override label = 'Failing action';
  static override icon = 'bomb';
  process() {
    throw new Error('This action always fails, to show how a failed action looks.');
  }
}

export class SlowAction extends Action {
  static override label = 'Slow action';
  static override icon = 'clock-o';
  async process(_context: Context, _plugin: PluginClass, { log, signal }: ProcessApi) {
    log.info('Working...');
    await sleep(demoDelay(1500), signal);
    log.info('Done.');
  }
}

export class InactiveAction extends Action {
  static override label = 'Inactive action';
  static override active = false;
  process() {}
}

export class BadOnAction extends Action {
  static override label = 'Malformed action';
  static override on = 'sometimes';
  process() {}
}

export const demoActions = [
  new Category('General'),
  ShowInfo,
  OpenReport,
  new Category('State'),
  ShowProcessed,
  ShowNotProcessed,
  Celebrate,
  SelectFailed,
  ReviewWarnings,
  Separator,
  new Category('Debug'),
  SlowAction,
  FailingAction,
  InactiveAction,
  BadOnAction,
  new Category('Empty'),
];
