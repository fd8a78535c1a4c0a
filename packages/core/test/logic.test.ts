import { describe, expect, it } from 'vitest';
import {
  Context,
  createState,
  defaultTest,
  type InstanceLike,
  inRange,
  instancesByPlugin,
  iterate,
  Match,
  type PluginLike,
  pluginsByHost,
  pluginsByTargets,
  pluginsWithWork,
  pluginType,
} from '../src/index.js';

// Plain data, as a GUI has it from a host's replies: no classes involved.
function plugin(over: Partial<PluginLike> & { name: string }): PluginLike & { name: string } {
  return {
    order: 1,
    families: ['*'],
    match: Match.Intersection,
    active: true,
    targets: ['default'],
    instanceEnabled: true,
    ...over,
  };
}
function inst(id: string, data: InstanceLike['data']): InstanceLike {
  return { id, data };
}
const names = (list: { id: string }[]) => list.map((i) => i.id);

describe('plug-in type from order', () => {
  it('includes the lower bound and excludes the upper bound of each range', () => {
    expect(inRange(0.5, 1)).toBe(true);
    expect(inRange(1.5, 1)).toBe(false);
    expect(inRange(1.49, 1)).toBe(true);
    expect(pluginType(-0.5)).toBe('Collector');
    expect(pluginType(0.49)).toBe('Collector');
    expect(pluginType(0.5)).toBe('Validator');
    expect(pluginType(1.1)).toBe('Validator');
    expect(pluginType(1.5)).toBe('Extractor');
    expect(pluginType(2.5)).toBe('Integrator');
    expect(pluginType(3.5)).toBe('Other');
    expect(pluginType(-1)).toBe('Other');
  });
});

describe('family matching', () => {
  const instances = [
    inst('model', { family: 'model' }),
    inst('modelReview', { family: 'model', families: ['review'] }),
    inst('rig', { family: 'rig' }),
    inst('noFamily', { families: ['stark', 'lannister'] }),
  ];

  it('matches every instance when the plug-in lists *', () => {
    expect(
      names(instancesByPlugin(instances, plugin({ name: 'p', families: ['*'], match: Match.Exact }))),
    ).toEqual(names(instances));
  });

  it('intersection: at least one family in common', () => {
    const p = plugin({ name: 'p', families: ['review', 'rig'] });
    expect(names(instancesByPlugin(instances, p))).toEqual(['modelReview', 'rig']);
  });

  it('subset: every family of the plug-in is among the instance families', () => {
    const p = plugin({ name: 'p', families: ['model', 'review'], match: Match.Subset });
    expect(names(instancesByPlugin(instances, p))).toEqual(['modelReview']);
    const q = plugin({ name: 'q', families: ['stark'], match: Match.Subset });
    expect(names(instancesByPlugin(instances, q))).toEqual(['noFamily']);
  });

  it('exact: the two sets of families are equal', () => {
    const p = plugin({ name: 'p', families: ['model'], match: Match.Exact });
    expect(names(instancesByPlugin(instances, p))).toEqual(['model']);
    const q = plugin({ name: 'q', families: ['lannister', 'stark'], match: Match.Exact });
    expect(names(instancesByPlugin(instances, q))).toEqual(['noFamily']);
  });

  it('works on live instances of a context too', () => {
    const context = new Context();
    context.createInstance('a', { family: 'model' });
    context.createInstance('b', { family: 'rig' });
    expect(instancesByPlugin(context, plugin({ name: 'p', families: ['rig'] })).map((i) => i.name)).toEqual([
      'b',
    ]);
  });
});

describe('targets and hosts', () => {
  const plugins = [
    plugin({ name: 'default', targets: ['default'] }),
    plugin({ name: 'studio', targets: ['studio'] }),
    plugin({ name: 'both', targets: ['default', 'studio'], match: Match.Subset }),
    plugin({ name: 'any', targets: ['*'] }),
  ];

  it('keeps plug-ins whose targets match the session targets by their match mode', () => {
    expect(pluginsByTargets(plugins, ['default']).map((p) => p.name)).toEqual(['default', 'any']);
    expect(pluginsByTargets(plugins, ['default', 'studio']).map((p) => p.name)).toEqual([
      'default',
      'studio',
      'both',
      'any',
    ]);
  });

  it('keeps plug-ins whose hosts list * or a registered host', () => {
    const hosted = [
      { name: 'all', hosts: ['*'] },
      { name: 'maya', hosts: ['maya'] },
      { name: 'nuke', hosts: ['nuke'] },
    ];
    expect(pluginsByHost(hosted, ['maya']).map((p) => p.name)).toEqual(['all', 'maya']);
    expect(pluginsByHost(hosted, []).map((p) => p.name)).toEqual(['all']);
  });
});

describe('iteration', () => {
  const instances = [
    inst('a', { family: 'model' }),
    inst('off', { family: 'model', publish: false }),
    inst('b', { family: 'rig' }),
  ];

  it('yields one pair per compatible published instance and one per context plug-in, in plug-in order', () => {
    const plugins = [
      plugin({ name: 'ctx', order: 1, instanceEnabled: false, families: ['nothing'] }),
      plugin({ name: 'models', order: 1.1, families: ['model'] }),
      plugin({ name: 'all', order: 2 }),
    ];
    const pairs = [...iterate(plugins, instances, { state: createState() })];
    expect(pairs.map((p) => `${p.plugin.name}:${p.instance?.id ?? '-'}`)).toEqual([
      'ctx:-',
      'models:a',
      'all:a',
      'all:b',
    ]);
  });

  it('skips inactive plug-ins and instances whose publish flag is false', () => {
    const plugins = [plugin({ name: 'inactive', active: false }), plugin({ name: 'on' })];
    const pairs = [...iterate(plugins, instances, { state: createState() })];
    expect(pairs.map((p) => `${p.plugin.name}:${p.instance?.id}`)).toEqual(['on:a', 'on:b']);
  });

  it('sees instances added by earlier pairs (cooperative collection)', () => {
    const list: InstanceLike[] = [];
    const plugins = [
      plugin({ name: 'collect', order: 0, instanceEnabled: false }),
      plugin({ name: 'validate' }),
    ];
    const seen: string[] = [];
    for (const pair of iterate(plugins, list, { state: createState() })) {
      if (pair.plugin.name === 'collect') list.push(inst('new', { family: 'x' }));
      else seen.push(pair.instance!.id);
    }
    expect(seen).toEqual(['new']);
  });

  it('stops after the validation stage when any validator failed', () => {
    const plugins = [
      plugin({ name: 'v1', order: 1, instanceEnabled: false }),
      plugin({ name: 'v2', order: 1.4, instanceEnabled: false }),
      plugin({ name: 'extract', order: 2, instanceEnabled: false }),
      plugin({ name: 'integrate', order: 3, instanceEnabled: false }),
    ];
    const state = createState();
    const run: string[] = [];
    const it = iterate(plugins, instances, { state });
    let step = it.next();
    while (!step.done) {
      run.push(step.value.plugin.name);
      if (step.value.plugin.name === 'v1') state.ordersWithError.add(1);
      step = it.next();
    }
    expect(run).toEqual(['v1', 'v2']);
    expect(step.value).toEqual({ stopped: 'Stopped due to failed validation' });
    expect(state.stopped).toBe('Stopped due to failed validation');
  });

  it('does not stop for failed collectors or extractors', () => {
    expect(defaultTest({ nextOrder: 2, ordersWithError: [0, 2.1] })).toBeFalsy();
    expect(defaultTest({ nextOrder: 3, ordersWithError: new Set([1.49]) })).toBe('failed validation');
    expect(defaultTest({ nextOrder: 1.4, ordersWithError: [1] })).toBeFalsy();
  });

  it('asks a custom test before each plug-in and stops on its message', () => {
    const plugins = [plugin({ name: 'a', order: 0 }), plugin({ name: 'b', order: 0.2 })];
    const asked: number[] = [];
    const test = ({ nextOrder }: { nextOrder: number }) => {
      asked.push(nextOrder);
      return nextOrder > 0.1 ? 'a custom reason' : null;
    };
    const state = createState();
    const pairs = [...iterate(plugins, instances, { state, test })];
    expect(pairs.map((p) => p.plugin.name)).toEqual(['a', 'a']);
    expect(asked).toEqual([0, 0.2]);
    expect(state.stopped).toBe('Stopped due to a custom reason');
  });

  it('filters by targets when targets are given', () => {
    const plugins = [
      plugin({ name: 'd', instanceEnabled: false }),
      plugin({ name: 's', targets: ['studio'], instanceEnabled: false }),
    ];
    const pairs = [...iterate(plugins, [], { state: createState(), targets: ['studio'] })];
    expect(pairs.map((p) => p.plugin.name)).toEqual(['s']);
  });

  it('drops instance plug-ins with no compatible instance but keeps context plug-ins', () => {
    const plugins = [
      plugin({ name: 'cameras', families: ['camera'] }),
      plugin({ name: 'ctx', families: ['camera'], instanceEnabled: false }),
      plugin({ name: 'models', families: ['model'] }),
    ];
    expect(pluginsWithWork(plugins, instances).map((p) => p.name)).toEqual(['ctx', 'models']);
  });
});
