import { afterEach, describe, expect, it } from 'vitest';
import { HostMirror } from '../src/host-mirror.js';
import { ViewStateStore } from '../src/view-state.js';
import { ScriptedHost } from './scripted-host.js';

const stores: ViewStateStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function mirrorOf(options: { naive?: boolean } = {}) {
  const store = new ViewStateStore(1000);
  stores.push(store);
  const contexts: string[] = [];
  const mirror = new HostMirror({
    store,
    onContext: (c) => contexts.push(String(c.data.label)),
    ...options,
  });
  return { store, mirror, contexts };
}

/** A mirror of a scripted host just reset, and a count of the host's context() calls. */
async function reloaded(plugins: ConstructorParameters<typeof ScriptedHost>[0] = [], naive = false) {
  const host = new ScriptedHost(plugins);
  const { store, mirror } = mirrorOf({ naive });
  await mirror.reload(host);
  const contextCalls = () => host.requests.filter((r) => r === 'context').length;
  return { host, store, mirror, contextCalls };
}

const result = (contextRevision?: number) => ({
  success: true,
  plugin: {} as never,
  instance: null,
  error: null,
  records: [],
  duration: 0,
  ...(contextRevision !== undefined && { contextRevision }),
});

describe('the host mirror', () => {
  it('mirrors a reset host: the context row first, instances in the host order, plug-ins sorted by order', async () => {
    const host = new ScriptedHost([
      { name: 'Extract', order: 2 },
      { name: 'CollectB', order: 0 },
      { name: 'Validate', order: 1, families: ['shot'] },
      { name: 'CollectA', order: 0 },
    ]);
    const { store, mirror, contexts } = mirrorOf();
    const context = await mirror.reload(host);
    expect(host.requests).toEqual(['reset', 'context', 'discover']);
    expect(context.id).toBe(host.contextId);
    // Stable: two plug-ins of one order keep the host's order.
    expect(mirror.plugins.map((p) => p.id)).toEqual(['CollectB', 'CollectA', 'Validate', 'Extract']);
    expect(store.pluginRows().map((r) => r.id)).toEqual(['CollectB', 'CollectA', 'Validate', 'Extract']);
    expect(mirror.plugin('Validate')).toMatchObject({ instanceEnabled: true, families: ['shot'] });
    host.create('sh020', 'shot');
    host.create('sh010', 'shot');
    await mirror.refetch(host, true);
    expect(store.instanceRows().map((r) => r.label)).toEqual(['Scripted scene', 'sh020', 'sh010']);
    expect(mirror.instances.map((i) => i.id)).toEqual(['sh020-id', 'sh010-id']);
    // The report hears of the context each time it is read.
    expect(contexts).toEqual(['Scripted scene', 'Scripted scene', 'Scripted scene']);
  });

  it('drops instances the host removed and appends new ones, keeping the rows it had', async () => {
    const host = new ScriptedHost([]);
    const { store, mirror } = mirrorOf();
    await mirror.reload(host);
    host.create('a', 'shot');
    host.create('b', 'shot');
    await mirror.refetch(host, true);
    store.updateInstance('b-id', { comment: 'kept' });
    host.remove('a');
    host.create('c', 'shot');
    await mirror.refetch(host, false);
    expect(mirror.instances.map((i) => i.id)).toEqual(['b-id', 'c-id']);
    expect(store.instanceRows().map((r) => r.id)).toEqual([host.contextId, 'b-id', 'c-id']);
    expect(store.instance('b-id')?.comment).toBe('kept');
    expect(store.instance('a-id')).toBeUndefined();
  });

  it("takes the host's publish flags while collecting, and keeps the user's toggles afterwards", async () => {
    const host = new ScriptedHost([]);
    const { store, mirror } = mirrorOf();
    await mirror.reload(host);
    host.create('sh010', 'shot', { publish: false });
    await mirror.refetch(host, true);
    expect(mirror.instance('sh010-id')?.data.publish).toBe(false);
    expect(store.instance('sh010-id')?.toggled).toBe(false);
    // The user toggles it on; a later refetch (not collecting) must not undo that.
    store.updateInstance('sh010-id', { toggled: true });
    mirror.setToggled('instance', 'sh010-id', true);
    await mirror.refetch(host, false);
    expect(mirror.instance('sh010-id')?.data.publish).toBe(true);
    expect(store.instance('sh010-id')?.toggled).toBe(true);
    // A new collection takes the host's flag again.
    await mirror.refetch(host, true);
    expect(mirror.instance('sh010-id')?.data.publish).toBe(false);
  });

  it('refetches the context after a pair only when its revision changed', async () => {
    const { host, mirror, contextCalls } = await reloaded();
    const before = contextCalls();
    await mirror.afterPair(host, result(1), false);
    await mirror.afterPair(host, result(1), false);
    await mirror.afterPair(host, result(1), true);
    expect(contextCalls() - before).toBe(1);
    await mirror.afterPair(host, result(2), false);
    expect(contextCalls() - before).toBe(2);
  });

  it('forgets the revision on a reset: a collector making the revision of the last run still changed the context', async () => {
    const host = new ScriptedHost([]);
    const { mirror } = mirrorOf();
    for (const reset of [1, 2]) {
      await mirror.reload(host);
      host.create(`shot${reset}`, 'shot');
      // A fresh context counts from 0 again: after one new instance its revision is 1 both times.
      await mirror.afterPair(host, result(1), true);
      expect(mirror.instances.map((i) => i.id)).toEqual([`shot${reset}-id`]);
    }
  });

  it('refetches after every collector of a host without revisions, and not after other pairs', async () => {
    const { host, mirror, contextCalls } = await reloaded();
    const before = contextCalls();
    await mirror.afterPair(host, result(), true);
    await mirror.afterPair(host, result(), true);
    await mirror.afterPair(host, result(), false);
    expect(contextCalls() - before).toBe(2);
  });

  it('refetches after every pair when naive, as pyblish-qml did', async () => {
    const { host, mirror } = await reloaded([], true);
    const before = host.requests.length;
    await mirror.afterPair(host, result(0), false);
    await mirror.afterPair(host, result(0), false);
    expect(host.requests.slice(before)).toEqual(['context', 'context']);
  });

  it('refetches after an action unless its result says nothing changed', async () => {
    const { host, mirror } = await reloaded();
    const before = host.requests.length;
    await mirror.afterAction(host, result(3));
    await mirror.afterAction(host, result(3));
    await mirror.afterAction(host, result());
    expect(host.requests.slice(before)).toEqual(['context', 'context']);
  });

  it('counts the instances each plug-in applies to, and whether any of them is toggled on', async () => {
    const host = new ScriptedHost([
      { name: 'ValidateShot', order: 1, families: ['shot'] },
      { name: 'ValidateRig', order: 1, families: ['rig'] },
      { name: 'ValidateScene', order: 1 },
    ]);
    const { store, mirror } = mirrorOf();
    await mirror.reload(host);
    host.create('sh010', 'shot');
    host.create('sh020', 'shot');
    host.create('rig', 'rig', { publish: false });
    await mirror.refetch(host, true);
    await mirror.refreshCompatibility();
    expect(store.plugin('ValidateShot')).toMatchObject({ compatibleCount: 2, hasCompatible: true });
    expect(store.plugin('ValidateRig')).toMatchObject({ compatibleCount: 1, hasCompatible: false });
    expect(store.plugin('ValidateScene')).toMatchObject({ compatibleCount: 1, hasCompatible: true });
  });

  it('runs plug-ins as their rows are toggled, and instances as the user toggled them', async () => {
    const host = new ScriptedHost([{ name: 'ExtractOptional', order: 2 }]);
    const { store, mirror } = mirrorOf();
    await mirror.reload(host);
    host.create('sh010', 'shot');
    await mirror.refetch(host, true);
    store.updatePlugin('ExtractOptional', { toggled: false });
    mirror.applyPluginToggles();
    expect(mirror.plugin('ExtractOptional')?.active).toBe(false);
    mirror.setToggled('instance', 'sh010-id', false);
    expect(mirror.instance('sh010-id')?.data.publish).toBe(false);
  });
});
