// On the farm (targets farm): the heavy part. Writing the same file again is harmless, so a retry
// after a lost worker does no damage.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Instance, InstancePlugin, Order, type ProcessApi } from '@pyblish/core';
import type { FarmData } from '@pyblish/farm';

/** Keeps the CPU busy for `ms` of this process's CPU time (a stand-in for real extraction work). */
function burn(ms: number): number {
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const end = cpu() + ms;
  let x = 0;
  while (cpu() < end) for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + i);
  return x;
}

export class ExtractModel extends InstancePlugin {
  static override order = Order.Extractor;
  static override label = 'Extract model';
  static override families = ['model'];
  static override targets = ['farm'];

  async process(instance: Instance, { log, signal }: ProcessApi) {
    const { context } = instance;
    const farm = context.data.farm as FarmData;
    burn(Number(context.data.burnMs ?? 0));
    // Waiting (on a renderer, a copy) is not blocking: the worker keeps its lock meanwhile.
    await new Promise((resolve) => setTimeout(resolve, Number(context.data.waitMs ?? 0)));
    signal.throwIfAborted();
    if (instance.data.fail) throw new Error(`Cannot extract ${instance.name}: its geometry has no faces.`);
    const dir = join(String(context.data.out), farm.publishId, 'extracted');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${instance.name}.json`);
    writeFileSync(
      `${file}.${process.pid}.tmp`,
      JSON.stringify({ name: instance.name, frames: instance.data.frames }),
    );
    renameSync(`${file}.${process.pid}.tmp`, file);
    instance.data.extracted = file;
    log.info(`extracted ${instance.name} on ${farm.machine} (attempt ${farm.attempt})`);
  }
}
