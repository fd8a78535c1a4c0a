// Demo integrators: move the extracted files into the (pretend) asset library.
import {
  type Context,
  ContextPlugin,
  type Instance,
  InstancePlugin,
  Order,
  type ProcessApi,
} from '../plugin-api.js';

export class IntegrateAssets extends InstancePlugin {
  static override order = Order.Integrator;
  static override label = 'Integrate assets';
  process(instance: Instance, { log }: ProcessApi) {
    const version = 13;
    log.info('Published %s as v%s', instance.name, String(version).padStart(3, '0'));
  }
}

export class IntegrateNotify extends ContextPlugin {
  static override order = Order.Integrator + 0.1;
  static override label = 'Notify the team';
  process(context: Context, { log }: ProcessApi) {
    const published = [...context].filter((i) => i.publish).map((i) => i.name);
    log.info('Told the team about %d new versions: %s', published.length, published.join(', '));
  }
}
