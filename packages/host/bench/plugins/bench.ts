// Plug-ins of the host benchmark: a trivial one to measure process(), and a collector that fills
// the context with `context.data.benchInstances` instances (set through update()).
import { type Context, ContextPlugin, Order } from '@pyblish/core';

export class Trivial extends ContextPlugin {
  static override order = Order.Validator;
  process(): void {}
}

export class CollectBench extends ContextPlugin {
  static override order = Order.Collector;
  process(context: Context): void {
    for (const i of [...context]) context.remove(i);
    const n = Number(context.data.benchInstances ?? 0);
    for (let i = 0; i < n; i++) {
      context.createInstance(`instance${String(i).padStart(5, '0')}`, {
        family: 'model',
        families: ['geometry'],
        publish: true,
        label: `Instance ${i}`,
        nodes: Array(5).fill('|a|b|c'),
      });
    }
  }
}
