// On the farm (targets farm), in the context job that runs after every instance job finished:
// register the publish as a whole, once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Context, ContextPlugin, Order, type ProcessApi } from '@pyblish/core';
import type { FarmData } from '@pyblish/farm';

export class IntegratePublish extends ContextPlugin {
  static override order = Order.Integrator + 0.1;
  static override label = 'Integrate publish';
  static override targets = ['farm'];

  process(context: Context, { log }: ProcessApi) {
    const farm = context.data.farm as FarmData;
    const dir = join(String(context.data.out), farm.publishId);
    mkdirSync(dir, { recursive: true });
    const assets = [...context].map((i) => i.name);
    try {
      writeFileSync(join(dir, 'publish.json'), JSON.stringify({ origin: farm.origin, assets }), {
        flag: 'wx',
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    log.info(`registered ${assets.length} assets from ${farm.origin.user}@${farm.origin.host}`);
  }
}
