// On the farm (targets farm): integration must happen once per instance, however often the job
// runs. The marker is created with O_EXCL ('wx'), keyed by publish id and instance: a retry finds
// it and does nothing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Instance, InstancePlugin, Order, type ProcessApi } from '@pyblish/core';
import type { FarmData } from '@pyblish/farm';

export class IntegrateModel extends InstancePlugin {
  static override order = Order.Integrator;
  static override label = 'Integrate model';
  static override families = ['model'];
  static override targets = ['farm'];

  process(instance: Instance, { log }: ProcessApi) {
    const farm = instance.context.data.farm as FarmData;
    const dir = join(String(instance.context.data.out), farm.publishId, 'integrated');
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(
        join(dir, instance.name),
        JSON.stringify({ machine: farm.machine, attempt: farm.attempt }),
        {
          flag: 'wx',
        },
      );
      log.info(`integrated ${instance.name}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      log.warning(`${instance.name} was already integrated by an earlier attempt; left as it is`);
    }
  }
}
