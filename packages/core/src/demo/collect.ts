// Demo collectors: they find the "scene" and create the instances the other plug-ins work on.
import {
  type Context,
  ContextPlugin,
  type Instance,
  InstancePlugin,
  Order,
  type ProcessApi,
} from '../plugin-api.js';

export class CollectSceneInfo extends ContextPlugin {
  static override order = Order.Collector - 0.1;
  static override label = 'Collect scene info';
  static override doc = 'Records the user, the date and the scene file in the context.';
  process(context: Context, { log }: ProcessApi) {
    context.data.user ??= process.env.USER ?? 'artist';
    context.data.date = new Date().toISOString();
    context.data.currentFile ??= '/projects/demo/scenes/forest_v012.ma';
    context.data.sceneSaved ??= false;
    log.info('Scene: %s', context.data.currentFile);
  }
}

const DEMO_INSTANCES: [string, Record<string, unknown>][] = [
  ['Peter01', { family: 'model', publish: false }],
  ['Richard05', { family: 'model' }],
  ['tree01', { family: 'model', label: 'tree01 (bad name)' }],
  ['Steven11', { family: 'rig' }],
  ['Piraya12', { family: 'rig', families: ['animation'] }],
  ['MainCamera', { family: 'camera' }],
  ['Warning03', { family: 'camera' }],
  ['HeroLook', { family: 'look', category: 'Shading' }],
];

export class CollectInstances extends ContextPlugin {
  static override order = Order.Collector;
  static override label = 'Collect instances';
  static override doc = `Creates one instance per publishable asset of the scene.

    Peter01 starts switched off; HeroLook is grouped under the "Shading" category.`;
  process(context: Context, { log }: ProcessApi) {
    for (const [name, data] of DEMO_INSTANCES) {
      context.createInstance(name, { ...data });
      log.debug('Created %s (%s)', name, data.family);
    }
    log.info('Collected %d instances.', DEMO_INSTANCES.length);
  }
}

export class CollectCameraSettings extends InstancePlugin {
  static override order = Order.Collector + 0.1;
  static override families = ['camera'];
  static override label = 'Collect camera settings';
  static override doc = 'Reads camera settings; runs on instances an earlier collector created.';
  process(instance: Instance, { log }: ProcessApi) {
    instance.data.focalLength = instance.name === 'Warning03' ? null : 35;
    instance.data.frameRange = [1001, 1100];
    log.info('%s: focal length %s', instance.name, instance.data.focalLength ?? 'unset');
  }
}

export class CollectRenderLayers extends ContextPlugin {
  static override order = Order.Collector + 0.2;
  static override label = 'Collect render layers';
  static override doc = 'Fails by throwing a plain object rather than an Error; collection goes on.';
  process(_context: Context, { log }: ProcessApi) {
    log.warning('The render layer setup is not readable.');
    throw { reason: 'renderSetup unavailable', code: 42 };
  }
}

export class CollectStudioTasks extends ContextPlugin {
  static override order = Order.Collector + 0.3;
  static override targets = ['studio'];
  static override label = 'Collect studio tasks';
  static override doc = 'Only runs with the "studio" target (pyblish publish --demo --target studio).';
  process(context: Context, { log }: ProcessApi) {
    context.data.task = 'layout';
    log.info('Task: layout');
  }
}
