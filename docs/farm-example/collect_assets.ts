// Here (targets default): one instance per asset. The data is plain JSON, so it can travel.
// Context data from the command line: assets=N, out=DIR, and for demonstrations burnMs=MS (CPU
// each extraction burns), waitMs=MS (time it waits), failing=NAME (an asset whose extraction
// always fails), group=N (assets per farm job; 1 by default).
import { type Context, ContextPlugin, Order } from '@pyblish/core';

export class CollectAssets extends ContextPlugin {
  static override order = Order.Collector;
  static override label = 'Collect assets';

  process(context: Context) {
    const count = Number(context.data.assets ?? 3);
    const group = Number(context.data.group ?? 1);
    for (let i = 0; i < count; i++) {
      const name = `asset_${String(i).padStart(4, '0')}`;
      context.createInstance(name, {
        family: 'model',
        frames: [1001, 1100],
        fail: context.data.failing === name,
        // Instances with the same farmGroup go to one farm job.
        ...(group > 1 ? { farmGroup: `g${Math.floor(i / group)}` } : {}),
      });
    }
  }
}
