// pyblish.farmPlan: a host builds the farm jobs of "Publish on farm" from its real Context (all
// of each instance's data, not the wire's whitelist), as @pyblish/farm's documents, and says
// plainly what cannot travel.
import { type Context, ContextPlugin, Registry } from '@pyblish/core';
import { type JobDocument, parsePlan } from '@pyblish/farm';
import { Fault, XmlRpcClient } from '@pyblish/xmlrpc';
import { beforeEach, describe, expect, it } from 'vitest';
import { Host } from '../src/host.js';
import { HostMethod } from '../src/protocol.js';
import type { ContextJSON } from '../src/wire.js';

let scene: Record<string, unknown> = {};

/** Two assets with data the wire never carries (frames, a cache path). */
class CollectShot extends ContextPlugin {
  process(context: Context): void {
    context.data.currentFile = '/shots/sh010/sh010_v003.ma';
    for (const name of ['chair', 'table'])
      context.createInstance(name, {
        family: 'model',
        frames: [1001, 1100],
        cache: `/caches/${name}.abc`,
        ...scene,
      });
  }
}

async function withHost(offMainThread: boolean, run: (client: XmlRpcClient) => Promise<void>): Promise<void> {
  const registry = new Registry();
  registry.registerPluginPath('/studio/farm-plugins');
  const host = new Host({ offMainThread, registry, plugins: () => [CollectShot], log: () => {} });
  await host.serve(0);
  const client = new XmlRpcClient(host.url!, { token: host.token });
  try {
    await client.call(HostMethod.reset, []);
    await client.call(HostMethod.process, ['CollectShot', null, null]);
    await run(client);
  } finally {
    client.close();
    await host.uninstall();
  }
}

describe('pyblish.farmPlan', () => {
  beforeEach(() => {
    scene = {};
  });

  for (const offMainThread of [true, false])
    it(`builds the jobs from the real context, every key of the data (${offMainThread ? 'worker' : 'in thread'})`, () =>
      withHost(offMainThread, async (client) => {
        const context: ContextJSON = await client.call(HostMethod.context, []);
        // The wire's whitelist leaves the cache path out; the farm job must carry it.
        expect(context.children[0]?.data.cache).toBeUndefined();
        const reply = await client.call(HostMethod.farmPlan, [null]);
        expect(reply.pluginPaths).toContain('/studio/farm-plugins');
        const plan = parsePlan(JSON.parse(reply.plan));
        expect(plan.targets).toEqual(['farm']);
        expect(plan.origin.scene).toBe('/shots/sh010/sh010_v003.ma');
        const chair = plan.jobs.find((j) => j.instances[0]?.name === 'chair') as JobDocument;
        expect(chair.kind).toBe('instances');
        expect(chair.instances[0]?.id).toBe(context.children.find((c) => c.name === 'chair')?.id);
        expect(chair.instances[0]?.data).toMatchObject({ cache: '/caches/chair.abc', frames: [1001, 1100] });
        expect(plan.jobs.at(-1)?.kind).toBe('context');
        expect((await client.call(HostMethod.farmPlan, [['farm', 'linux']])).plan).toContain('"linux"');
      }));

  it('leaves out instances switched off in the GUI', () =>
    withHost(true, async (client) => {
      const context: ContextJSON = await client.call(HostMethod.context, []);
      const table = context.children.find((c) => c.name === 'table')!;
      await client.call(HostMethod.emit, [
        'instanceToggled',
        { instance: table.id, new_value: false, old_value: true },
      ]);
      const plan = parsePlan(JSON.parse((await client.call(HostMethod.farmPlan, [])).plan));
      expect(plan.jobs.flatMap((j) => j.instances.map((i) => i.name))).toEqual(['chair', 'chair']);
    }));

  it('refuses data a job cannot carry, naming the key, and an empty publish', () => {
    scene = { written: new Date(0) };
    return withHost(true, async (client) => {
      const notSafe = await client.call(HostMethod.farmPlan, []).catch((e: unknown) => e);
      expect(notSafe).toBeInstanceOf(Fault);
      expect((notSafe as Fault).faultString).toContain('instances.chair.data.written is a Date');
      expect((notSafe as Fault).faultString).toContain('toISOString');
      await client.call(HostMethod.reset, []);
      const empty = await client.call(HostMethod.farmPlan, []).catch((e: unknown) => e);
      expect((empty as Fault).faultString).toContain('No instance is set to publish');
    });
  });
});
