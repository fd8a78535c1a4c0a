// Demo extractors: write (pretend) files; one is slow and honours cancellation.
import {
  type Context,
  ContextPlugin,
  type Instance,
  InstancePlugin,
  Order,
  type ProcessApi,
} from '../plugin-api.js';
import { demoDelay, sleep } from './_util.js';

export class ExtractModel extends InstancePlugin {
  static override order = Order.Extractor;
  static override families = ['model', 'rig'];
  static override label = 'Extract model';
  process(instance: Instance, { log }: ProcessApi) {
    instance.data.extracted = `/tmp/pyblish-demo/${instance.name}.abc`;
    log.info('Wrote %s', instance.data.extracted);
  }
}

export class ExtractPlayblast extends ContextPlugin {
  static override order = Order.Extractor + 0.1;
  static override label = 'Extract playblast (slow)';
  static override doc = 'Takes a while (PYBLISH_DEMO_DELAY shortens it); stops when cancelled.';
  async process(context: Context, { log, signal }: ProcessApi) {
    const frames = 5;
    const step = demoDelay(1500) / frames;
    for (let frame = 1; frame <= frames; frame++) {
      await sleep(step, signal);
      log.info('Frame %d/%d', frame, frames);
    }
    context.data.playblast = '/tmp/pyblish-demo/playblast.mov';
  }
}

export class ExtractReview extends InstancePlugin {
  static override order = Order.Extractor + 0.2;
  static override families = ['camera'];
  static override optional = true;
  static override label = 'Extract review';
  process(instance: Instance, { log }: ProcessApi) {
    if (instance.name === 'Warning03') log.warning('%s: review made with a default lens.', instance.name);
    log.info('Review for %s', instance.name);
  }
}
