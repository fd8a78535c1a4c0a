import { describe, expect, it } from 'vitest';
import {
  Context,
  ContextPlugin,
  collect,
  createState,
  type Instance,
  InstancePlugin,
  Order,
  type ProcessApi,
  publish,
  publishIter,
  Registry,
  type Result,
  validate,
} from '../src/index.js';

const order: string[] = [];
class Collect extends ContextPlugin {
  static override order = Order.Collector;
  process(context: Context) {
    order.push('collect');
    context.createInstance('a', { family: 'model' });
    context.createInstance('off', { family: 'model', publish: false });
  }
}
class CollectMore extends InstancePlugin {
  static override order = Order.Collector + 0.1;
  static override families = ['model'];
  process(instance: Instance) {
    order.push(`collectMore:${instance.name}`);
  }
}
class Validate extends InstancePlugin {
  static override order = Order.Validator;
  process(instance: Instance) {
    order.push(`validate:${instance.name}`);
    if (instance.context.data.failValidation) throw new Error('invalid');
  }
}
class ValidateCameras extends InstancePlugin {
  static override order = Order.Validator + 0.1;
  static override families = ['camera'];
  process() {
    order.push('cameras');
  }
}
class Extract extends ContextPlugin {
  static override order = Order.Extractor;
  process() {
    order.push('extract');
  }
}
class Integrate extends InstancePlugin {
  static override order = Order.Integrator;
  process(instance: Instance, { log }: ProcessApi) {
    order.push(`integrate:${instance.name}`);
    log.info('done');
  }
}
class Inactive extends ContextPlugin {
  static override order = Order.Extractor;
  static override active = false;
  process() {
    order.push('inactive');
  }
}
class StudioOnly extends ContextPlugin {
  static override order = Order.Extractor;
  static override targets = ['studio'];
  process() {
    order.push('studio');
  }
}
const plugins = [Collect, CollectMore, Validate, ValidateCameras, Extract, Integrate, Inactive, StudioOnly];

async function run(options: Parameters<typeof publish>[0] = {}) {
  order.length = 0;
  const registry = options.registry ?? new Registry();
  return publish({ plugins, registry, ...options });
}

describe('convenience publish', () => {
  it('runs collectors first, then every stage in order, skipping unpublished instances and inactive plug-ins', async () => {
    const context = await run();
    expect(context.length).toBe(2);
    expect(order).toEqual(['collect', 'collectMore:a', 'validate:a', 'extract', 'integrate:a']);
    const results = context.data.results as Result[];
    expect(results.every((r) => r.success)).toBe(true);
    expect(results.at(-1)!.progress).toBe(1);
  });

  it('stops after validation when a validator failed, and says so', async () => {
    const state = createState();
    const context = new Context({ failValidation: true });
    await run({ context, state });
    expect(order).toEqual(['collect', 'collectMore:a', 'validate:a']);
    expect(state.stopped).toBe('Stopped due to failed validation');
  });

  it('uses the registered test instead of the default one', async () => {
    const registry = new Registry();
    registry.registerTest(({ nextOrder }) => (nextOrder >= 2 ? 'a rule of ours' : null));
    const state = createState();
    await run({ registry, state });
    expect(order.at(-1)).toBe('validate:a');
    expect(state.stopped).toBe('Stopped due to a rule of ours');
  });

  it('runs plug-ins of the given targets only', async () => {
    await run({ targets: ['studio'] });
    expect(order).toEqual(['studio']);
    await run({ targets: ['default', 'studio'] });
    expect(order).toContain('studio');
  });

  it('yields each result as it is produced, with a progress that reaches 1', async () => {
    order.length = 0;
    const seen: string[] = [];
    for await (const result of publishIter({ plugins, registry: new Registry() })) {
      seen.push(`${result.plugin.name}:${order.length}`);
      expect(result.progress).toBeGreaterThan(0);
    }
    expect(seen).toEqual(['Collect:1', 'CollectMore:2', 'Validate:3', 'Extract:4', 'Integrate:5']);
  });

  it('runs one stage with collect and validate, into the same context', async () => {
    order.length = 0;
    const registry = new Registry();
    const context = await collect({ plugins, registry });
    expect(order).toEqual(['collect', 'collectMore:a']);
    await validate({ plugins, registry, context });
    expect(order.slice(2)).toEqual(['validate:a']);
  });

  it('emits published at the end and collected after collect', async () => {
    const registry = new Registry();
    const signals: string[] = [];
    registry.registerCallback('published', ({ context }) => signals.push(`published:${context.length}`));
    registry.registerCallback('collected', () => signals.push('collected'));
    await run({ registry });
    await collect({ plugins, registry });
    expect(signals).toEqual(['published:2', 'collected']);
  });

  it('stops before the next pair when its signal aborts', async () => {
    const controller = new AbortController();
    const state = createState();
    order.length = 0;
    for await (const result of publishIter({
      plugins,
      registry: new Registry(),
      signal: controller.signal,
      state,
    })) {
      if (result.plugin === Collect) controller.abort();
    }
    expect(order).toEqual(['collect']);
    expect(state.stopped).toBe('Stopped');
  });

  it('discovers from the registry when no plug-ins are given', async () => {
    const registry = new Registry();
    registry.registerPlugin(Collect);
    const context = await publish({ registry });
    expect(context.length).toBe(2);
  });
});
