// A collector the host-side run and reply tests share: three shots in a fresh context.
import { type Context, ContextPlugin } from '@pyblish/core';

export class CollectShots extends ContextPlugin {
  static override order = 0;
  process(context: Context): void {
    for (const name of ['sh010', 'sh020', 'sh030']) context.createInstance(name, { family: 'shot' });
  }
}
