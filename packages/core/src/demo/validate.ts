// Demo validators: passing, failing (with and without repair), warning, optional, verbose.
import {
  type Context,
  ContextPlugin,
  type Instance,
  InstancePlugin,
  Match,
  Order,
  type ProcessApi,
} from '../plugin-api.js';
import { demoActions } from './_actions.js';

export class ValidateNaming extends InstancePlugin {
  static override order = Order.Validator;
  static override families = ['model', 'rig'];
  static override label = 'Validate naming';
  static override doc = `Asset names start with a capital letter.

    Lower-case names break the downstream tools.
    Repair capitalises the name.`;
  process(instance: Instance, { log }: ProcessApi) {
    log.debug('Checking %s', instance.name);
    if (!/^[A-Z]/.test(instance.name)) {
      throw new Error(`"${instance.name}" must start with a capital letter: rename it, or press Repair.`);
    }
  }
  override repair(instance: Instance, { log }: ProcessApi) {
    const fixed = instance.name.charAt(0).toUpperCase() + instance.name.slice(1);
    log.info('Renaming %s to %s', instance.name, fixed);
    instance.name = fixed;
    instance.data.label = fixed;
  }
}

export class ValidateSceneSaved extends ContextPlugin {
  static override order = Order.Validator + 0.05;
  static override label = 'Validate scene saved';
  static override doc = 'The scene has no unsaved changes. Repair saves it.';
  process(context: Context) {
    if (context.data.sceneSaved !== true) {
      throw new Error(
        `The scene ${context.data.currentFile} has unsaved changes.\nSave it (or press Repair), then validate again.`,
      );
    }
  }
  override repair(context: Context, { log }: ProcessApi) {
    context.data.sceneSaved = true;
    log.info('Saved %s', context.data.currentFile);
  }
}

export class ValidateRigControls extends InstancePlugin {
  static override order = Order.Validator + 0.1;
  static override families = ['rig'];
  static override label = 'Validate rig controls';
  static override actions = demoActions;
  static override doc = `Rig controls are at rest: no keys on frame 0.

    Offers one action for each "on" state; right-click the plug-in to see which apply.`;
  process(instance: Instance, { log }: ProcessApi) {
    if (instance.name === 'Steven11')
      log.warning('Steven11: the arm controls are not zeroed (allowed, but unusual).');
    if (instance.name === 'Piraya12')
      throw new Error('Piraya12: 12 controls have keys on frame 0. Remove them.');
  }
}

export class ValidateCameraSettings extends InstancePlugin {
  static override order = Order.Validator + 0.2;
  static override families = ['camera'];
  static override label = 'Validate camera settings';
  static override doc = 'Warns about missing camera settings; warnings do not stop publishing.';
  process(instance: Instance, { log }: ProcessApi) {
    if (instance.data.focalLength == null)
      log.warning('%s has no focal length; 35 mm will be assumed.', instance.name);
    else log.info('%s: %d mm', instance.name, instance.data.focalLength);
  }
}

export class ValidateVerbose extends ContextPlugin {
  static override order = Order.Validator + 0.3;
  static override label = 'Validate (verbose)';
  static override doc = `Logs at every level, over several lines and with terminal colours.

    See <a href="https://pyblish.com">pyblish.com</a> for the original framework.`;
  process(context: Context, { log }: ProcessApi) {
    log.debug('Debug details: %o', { instances: context.length });
    log.info('Checked:\n  - naming\n  - scene\n  - rigs\n  - cameras');
    log.info('\u001b[32mgreen\u001b[0m, \u001b[1;31mbold red\u001b[0m and <b>markup</b> & "quotes" survive.');
    log.warning('A warning.');
    log.error('An error record (the plug-in still succeeds).');
    log.critical('A critical record.');
    console.log('Printed with console.log: captured too.');
  }
}

export class ValidateLookAssignments extends InstancePlugin {
  static override order = Order.Validator + 0.4;
  static override families = ['look'];
  static override optional = true;
  static override label = 'Validate look assignments';
  static override doc = 'Optional: the user may switch it off.';
  process(instance: Instance, { log }: ProcessApi) {
    log.info('%s: every shader is assigned.', instance.name);
  }
}

export class ValidateTopology extends InstancePlugin {
  static override order = Order.Validator + 0.45;
  static override families = ['model', 'review'];
  static override match = Match.Subset;
  static override optional = true;
  static override active = false;
  static override label = 'Validate topology (off by default)';
  static override doc = 'Optional and off by default: switch it on to run it.';
  process(instance: Instance, { log }: ProcessApi) {
    log.info('%s: topology is clean.', instance.name);
  }
}

export class ValidateMayaOnly extends ContextPlugin {
  static override order = Order.Validator;
  static override hosts = ['maya'];
  static override doc = 'Only discovered when the "maya" host is registered.';
  process() {}
}

export class ValidateFutureApi extends ContextPlugin {
  static override order = Order.Validator;
  static override requires = 'pyblish>=99';
  static override doc = 'Requires a pyblish that does not exist: discovery reports it and leaves it out.';
  process() {}
}
