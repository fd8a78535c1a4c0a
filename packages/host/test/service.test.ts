import { fileURLToPath } from 'node:url';
import { ContextPlugin, Registry } from '@pyblish/core';
import { Fault, XmlRpcClient, type XmlRpcValue } from '@pyblish/xmlrpc';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Host } from '../src/host.js';
import type { ContextJSON, InstanceJSON, PluginJSON, ResultJSON } from '../src/wire.js';

const fixtures = fileURLToPath(new URL('./fixtures/plugins', import.meta.url));

let host: Host;
let gui: XmlRpcClient;
let registry: Registry;
const signals: { signal: string; args: Record<string, unknown> }[] = [];

async function call<T = XmlRpcValue>(method: string, ...params: XmlRpcValue[]): Promise<T> {
  return (await gui.call(method, params)) as T;
}

async function fault(method: string, ...params: XmlRpcValue[]): Promise<Fault> {
  try {
    await gui.call(method, params);
  } catch (err) {
    if (err instanceof Fault) return err;
    throw err;
  }
  throw new Error(`${method} did not fail`);
}

beforeAll(async () => {
  registry = new Registry();
  registry.registerHost('node');
  registry.registerHost('test');
  registry.registerPluginPath(fixtures);
  for (const s of ['reset', 'instanceToggled', 'pluginToggled', 'custom']) {
    registry.registerCallback(s, (args) => {
      signals.push({ signal: s, args: args as Record<string, unknown> });
    });
  }
  host = new Host({ registry, offMainThread: false, log: () => {} });
  const port = await host.serve(0);
  gui = new XmlRpcClient(`http://127.0.0.1:${port}/pyblish`, { token: host.token });
});

afterAll(async () => {
  gui.close();
  await host.uninstall();
});

let plugins: PluginJSON[];
let context: ContextJSON;
const byName = (name: string) => plugins.find((p) => p.name === name)!;
const instance = (name: string) => context.children.find((i) => i.name === name)!;

async function collect(): Promise<void> {
  await call('reset');
  plugins = await call<PluginJSON[]>('discover');
  await call('process', byName('CollectFurniture') as unknown as XmlRpcValue, null, null);
  context = await call<ContextJSON>('context');
}

describe('the /pyblish service', () => {
  beforeEach(collect);

  it('stamps the context with host, port, user, time and versions, and sends only whitelisted data', () => {
    expect(context.data).toMatchObject({
      host: 'test,node',
      port: host.port,
      pyblishRPCVersion: expect.any(String),
      pyblishVersion: expect.any(String),
      nodeVersion: process.versions.node,
      user: expect.any(String),
    });
    expect(context.data.connectTime).toMatch(/^\d{8}T\d{6}Z$/);
    expect(context.data).not.toHaveProperty('secret');
    expect(context.data).not.toHaveProperty('results');
    expect(context.children.map((i) => i.name)).toEqual(['chair', 'table', 'hero']);
    expect(instance('chair')).toEqual({
      name: 'chair',
      id: expect.any(String),
      data: { name: 'chair', family: 'model' },
      children: [],
    } satisfies InstanceJSON);
  });

  it('describes plug-ins as a Python GUI reads them', () => {
    expect(plugins.map((p) => [p.name, p.type])).toEqual([
      ['CollectFurniture', 'Collector'],
      ['ValidateNaming', 'Validator'],
      ['ValidateRig', 'Validator'],
      ['ExtractModel', 'Extractor'],
      ['IntegrateAll', 'Integrator'],
    ]);
    const naming = byName('ValidateNaming');
    expect(naming).toMatchObject({
      hasRepair: true,
      process: { args: ['self', 'instance'] },
      repair: { args: ['self', 'instance'] },
      __instanceEnabled__: true,
      __contextEnabled__: false,
      instanceEnabled: true,
      version: [0, 0, 0],
      doc: 'Model names must not start with "t".',
    });
    expect(byName('CollectFurniture')).toMatchObject({
      hasRepair: false,
      process: { args: ['self', 'context'] },
      repair: { args: ['self'] },
      label: 'Collect furniture',
    });
    expect(naming.actions.map((a) => [a.__type__, a.label, a.on, a.__error__ !== null])).toEqual([
      ['category', 'Tools', 'all', false],
      ['action', 'Select invalid', 'failed', false],
      ['separator', '', 'all', false],
      ['action', 'Broken', 'sometimes', true],
    ]);
    expect(naming.actions[1]).toMatchObject({ icon: 'hand-o-up', active: true, description: null });
  });

  it('keeps plug-in errors inside the result, with records and the full plug-in', async () => {
    const naming = byName('ValidateNaming') as unknown as XmlRpcValue;
    const ok = await call<ResultJSON>('process', naming, instance('chair') as unknown as XmlRpcValue, null);
    expect(ok).toMatchObject({ success: true, error: null, instance: { name: 'chair' } });
    // Plain process answers pyblish-qml's result exactly; our extras come with pyblish.begin/poll.
    expect(Object.keys(ok).sort()).toEqual(['duration', 'error', 'instance', 'plugin', 'records', 'success']);
    expect(ok.plugin).toEqual(byName('ValidateNaming'));
    const bad = await call<ResultJSON>('process', naming, instance('table') as unknown as XmlRpcValue, null);
    expect(bad.success).toBe(false);
    expect(bad.error).toMatchObject({
      message: 'table is not named correctly',
      exc: 'Error',
      func: 'ValidateNaming.process',
    });
    expect(bad.error?.fname).toMatch(/validate\.ts$/);
    expect(bad.error?.line_number).toBeGreaterThan(0);
    expect(bad.records.map((r) => [r.levelname, r.message])).toEqual([
      ['DEBUG', 'checking table'],
      ['WARNING', 'table is badly named'],
    ]);
    expect(bad.records[0]).toMatchObject({ name: 'pyblish.ValidateNaming', args: null, exc_info: null });
    expect(typeof bad.duration).toBe('number');
  });

  it('runs an action at context level and a legacy repair', async () => {
    const naming = byName('ValidateNaming') as unknown as XmlRpcValue;
    await call('process', naming, instance('table') as unknown as XmlRpcValue, null);
    const acted = await call<ResultJSON>('process', naming, null, 'SelectInvalid');
    expect(acted).toMatchObject({ success: true, instance: null });
    expect(acted).not.toHaveProperty('action');
    expect(acted.records.map((r) => r.message)).toEqual(['selected table for ValidateNaming']);
    const repaired = await call<ResultJSON>('repair', naming, instance('table') as unknown as XmlRpcValue);
    expect(repaired).toMatchObject({ success: true, instance: { name: 'table' } });
    expect(repaired.records.map((r) => r.message)).toEqual(['repaired table']);
  });

  it('applies instanceToggled and pluginToggled in the host and passes real objects to callbacks', async () => {
    signals.length = 0;
    const hero = instance('hero');
    await call('emit', 'instanceToggled', { instance: hero.id, new_value: false, old_value: true });
    const after = await call<ContextJSON>('context');
    expect(after.children.find((i) => i.id === hero.id)?.data.publish).toBe(false);
    expect(signals[0]?.args.instance).toMatchObject({ id: hero.id, name: 'hero' });

    await call('emit', 'pluginToggled', {
      plugin: byName('ValidateRig').id,
      new_value: false,
      old_value: true,
    });
    const rig = (await call<PluginJSON[]>('discover')).find((p) => p.name === 'ValidateRig')!;
    expect(rig.active).toBe(false);
    expect(typeof signals[1]?.args.plugin).toBe('function');
    // A toggle lasts for the session only: a reset rediscovers the plug-in as it was written.
    await call('reset');
    expect((await call<PluginJSON[]>('discover')).find((p) => p.name === 'ValidateRig')?.active).toBe(true);
  });

  it('applies many signals in one pyblish.emitBatch call, in order, and names a bad entry', async () => {
    await collect();
    signals.length = 0;
    const [chair, table] = [instance('chair'), instance('table')];
    const before = await call<{ totalRequestCount: number }>('stats');
    const applied = await call('pyblish.emitBatch', [
      { signal: 'instanceToggled', kwargs: { instance: chair.id, new_value: false, old_value: true } },
      { signal: 'instanceToggled', kwargs: { instance: table.id, new_value: false, old_value: true } },
      { signal: 'instanceToggled', kwargs: { instance: table.id, new_value: true, old_value: false } },
      {
        signal: 'pluginToggled',
        kwargs: { plugin: byName('ValidateRig').id, new_value: false, old_value: true },
      },
    ]);
    expect(applied).toBe(4);
    expect(
      (await call<{ totalRequestCount: number }>('stats')).totalRequestCount - before.totalRequestCount,
    ).toBe(2);
    const after = await call<ContextJSON>('context');
    expect(after.children.find((i) => i.id === chair.id)?.data.publish).toBe(false);
    expect(after.children.find((i) => i.id === table.id)?.data.publish).toBe(true);
    expect((await call<PluginJSON[]>('discover')).find((p) => p.name === 'ValidateRig')?.active).toBe(false);
    // Each entry reached the callbacks, as four emits would have.
    expect(signals.map((s) => s.signal)).toEqual([
      'instanceToggled',
      'instanceToggled',
      'instanceToggled',
      'pluginToggled',
    ]);

    const bad = await fault('pyblish.emitBatch', [
      { signal: 'instanceToggled', kwargs: { instance: chair.id, new_value: true, old_value: false } },
      {
        signal: 'instanceToggled',
        kwargs: { instance: 'no-such-instance', new_value: true, old_value: false },
      },
    ]);
    expect(bad.faultString).toMatch(/entry 1 \(instanceToggled\): .*the 1 before it were emitted/);
    expect((await call<ContextJSON>('context')).children.find((i) => i.id === chair.id)?.data.publish).toBe(
      true,
    );
    expect((await fault('pyblish.emitBatch', ['not a struct'])).faultCode).toBe(-32602);
  });

  it('stores comments, emits unknown signals to callbacks and replaces the context argument', async () => {
    signals.length = 0;
    await call('emit', 'commented', { comment: 'first take' });
    await call('emit', 'instanceCommented', { comment: 'nice chair', name: 'chair' });
    expect(await call('emit', 'custom', { context: null, extra: 1 })).toBeNull();
    const after = await call<ContextJSON>('context');
    expect(after.data.comment).toBe('first take');
    expect(after.children.find((i) => i.name === 'chair')?.data.comment).toBe('nice chair');
    expect(signals).toHaveLength(1);
    expect(signals[0]?.args).toMatchObject({ extra: 1, context: { name: 'Context' } });
  });

  it('updates data by name (HEAD) and runs the registered test', async () => {
    await call('update', 'label', 'Big table', 'table');
    await call('update', 'comment', 'ctx', 'Context');
    const after = await call<ContextJSON>('context');
    expect(after.children.find((i) => i.name === 'table')?.data.label).toBe('Big table');
    expect(after.data.comment).toBe('ctx');
    expect(await call('test', { nextOrder: 2, ordersWithError: [1] })).toBe('failed validation');
    expect(await call('test', { nextOrder: 1, ordersWithError: [1] })).toBeNull();
    expect(await call('test', { nextOrder: 2, ordersWithError: [] })).toBeNull();
  });

  it('refuses data keys that would replace the prototype of context or instance data', async () => {
    const injected = { family: 'injected', publish: false, secret: 'x' };
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      for (const name of [null, 'table']) {
        const f = await fault('update', key, injected, name);
        expect(f.faultCode).toBe(-32602);
        expect(f.faultString).toMatch(new RegExp(`"${key}" cannot be a data key`));
      }
    }
    const after = await call<ContextJSON>('context');
    expect(after.data).not.toHaveProperty('family');
    expect(after.data).not.toHaveProperty('publish');
    expect(after.children.find((i) => i.name === 'table')?.data.family).toBe('model');
  });

  it('passes emit kwargs named __proto__ along as plain data, never as a prototype', async () => {
    signals.length = 0;
    await call('emit', 'custom', { ['__proto__']: { extra: 'injected' }, plain: 1 });
    const args = signals[0]!.args;
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(args.extra).toBeUndefined();
    expect(args.plain).toBe(1);
  });

  it('counts requests in stats', async () => {
    const before = (await call<{ totalRequestCount: number }>('stats')).totalRequestCount;
    await call('ping');
    expect((await call<{ totalRequestCount: number }>('stats')).totalRequestCount).toBe(before + 2);
  });
});

describe('the /pyblish service refuses bad calls clearly', () => {
  beforeEach(collect);

  it('serves only the documented names', async () => {
    for (const name of ['_dispatch', '__init__', 'constructor', 'session', 'service.reset', 'kill']) {
      expect((await fault(name)).faultCode).toBe(-32601);
    }
    const names = await call<string[]>('system.listMethods');
    expect(names).toEqual(
      expect.arrayContaining([
        'ping',
        'stats',
        'reset',
        'context',
        'discover',
        'process',
        'repair',
        'emit',
        'test',
      ]),
    );
    expect(names).toEqual(
      expect.arrayContaining(['pyblish.begin', 'pyblish.poll', 'pyblish.cancel', 'pyblish.liveness']),
    );
  });

  it('answers wrong shapes with -32602 and unknown ids with a message that says what to do', async () => {
    expect((await fault('process', 'a', null, null, 'extra')).faultCode).toBe(-32602);
    expect((await fault('process', 42)).faultCode).toBe(-32602);
    expect((await fault('process', { name: 'no id' })).faultString).toMatch(/string "id"/);
    expect((await fault('emit', 'instanceToggled', { instance: instance('chair').id })).faultCode).toBe(
      -32602,
    );
    expect((await fault('test', { ordersWithError: [] })).faultCode).toBe(-32602);
    const unknown = await fault('process', { id: 'NoSuchPlugin' }, null, null);
    expect(unknown.faultString).toMatch(/no plug-in with id "NoSuchPlugin".*discover\(\)/);
    const gone = await fault(
      'process',
      byName('ValidateNaming') as unknown as XmlRpcValue,
      'no-such-instance',
    );
    expect(gone.faultString).toMatch(/no instance with id.*context\(\)/);
    expect(await call('ping')).toEqual({ message: 'Hello, whomever you are' });
  });
});

describe('host authentication', () => {
  it('refuses callers without the token, with a wrong one, and accepts it as a Basic password', async () => {
    const url = `http://127.0.0.1:${host.port}/pyblish`;
    for (const client of [new XmlRpcClient(url), new XmlRpcClient(url, { token: `${host.token}x` })]) {
      await expect(client.call('ping')).rejects.toMatchObject({ code: 'HTTP_STATUS', status: 401 });
      client.close();
    }
    const basic = new XmlRpcClient(`http://gui:${host.token}@127.0.0.1:${host.port}/pyblish`);
    expect(await basic.call('ping')).toEqual({ message: 'Hello, whomever you are' });
    basic.close();
  });
});

describe('the dispatch wrapper', () => {
  it('runs every service call inside the wrapper but ping and stats, which touch no session state', async () => {
    const seen: number[] = [];
    host.setDispatchWrapper(async (fn) => {
      seen.push(1);
      return fn();
    });
    try {
      await call('ping');
      await call('stats');
      await call('context');
      await call('discover');
    } finally {
      host.setDispatchWrapper(null);
    }
    expect(seen).toHaveLength(2);
    await call('context');
    expect(seen).toHaveLength(2);
  });

  it('answers ping and stats while the application holds every call it was given', async () => {
    const held: (() => void)[] = [];
    host.setDispatchWrapper(
      (fn) =>
        new Promise((resolve, reject) => {
          held.push(() => Promise.resolve().then(fn).then(resolve, reject));
        }),
    );
    try {
      const discover = call('discover');
      expect(await call('ping')).toEqual({ message: 'Hello, whomever you are' });
      expect(await call('stats')).toMatchObject({ totalRequestCount: expect.any(Number) });
      expect(held).toHaveLength(1);
      for (const release of held) release();
      expect(Array.isArray(await discover)).toBe(true);
    } finally {
      host.setDispatchWrapper(null);
    }
  });
});

describe('a failing plug-in discovery', () => {
  it('fails the reset with a message, keeps the host usable, and recovers on a later reset', async () => {
    let fail = false;
    const reports: string[] = [];
    class Only extends ContextPlugin {
      process(): void {}
    }
    const h = new Host({
      registry: new Registry(),
      offMainThread: false,
      plugins: () => {
        if (fail) throw new Error('the plug-in server is down');
        return [Only];
      },
      onDiscoveryError: (m) => reports.push(m),
      log: () => {},
    });
    const c = new XmlRpcClient(`http://127.0.0.1:${await h.serve(0)}/pyblish`, { token: h.token });
    try {
      fail = true;
      const f = await c.call('reset').catch((e: unknown) => e as Fault);
      expect(f).toBeInstanceOf(Fault);
      expect((f as Fault).faultString).toMatch(
        /discovery failed: the plug-in server is down.*reset\(\) again/,
      );
      expect(reports).toHaveLength(1);
      expect(((await c.call('discover')) as unknown as PluginJSON[]).map((p) => p.name)).toEqual(['Only']);
      fail = false;
      expect(await c.call('reset')).toBeNull();
    } finally {
      c.close();
      await h.uninstall();
    }
  });
});

describe('an unexpected error in a service method', () => {
  it('reaches the caller as a short fault and the host log in full', async () => {
    const logged: string[] = [];
    const reg = new Registry();
    reg.registerTest(() => {
      throw new TypeError('the studio test broke at /secret/path.ts');
    });
    const h = new Host({ registry: reg, plugins: () => [], log: (m) => logged.push(m) });
    const c = new XmlRpcClient(`http://127.0.0.1:${await h.serve(0)}/pyblish`, { token: h.token });
    try {
      const f = (await c
        .call('test', [{ nextOrder: 1, ordersWithError: [] }])
        .catch((e: unknown) => e)) as Fault;
      expect(f).toMatchObject({ faultCode: -32500, faultString: 'test failed' });
      expect(logged.join('\n')).toMatch(/test failed: TypeError: the studio test broke/);
    } finally {
      c.close();
      await h.uninstall();
    }
  });
});
