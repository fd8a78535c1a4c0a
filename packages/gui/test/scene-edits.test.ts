// The artist's edits between runs, against real hosts: comments stay with the host they were
// typed for, toggles are remembered per host across Reset until "reset toggles", and a section
// of thousands of toggles is one request to our host (many to a Python host, which can be
// cancelled by toggling back while they go).
import { type Context, ContextPlugin, InstancePlugin, Registry } from '@pyblish/core';
import { Host } from '@pyblish/host';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  command,
  instanceByName,
  pluginByName,
  pythonHost,
  settled,
  testGui,
  tsHost,
} from './helpers.js';

afterEach(cleanup);

/** The `EMIT signal {kwargs}` lines a Python test host printed. */
function emitted(output: string[], signal: string): Array<Record<string, unknown>> {
  const prefix = `EMIT ${signal} `;
  return output.filter((l) => l.startsWith(prefix)).map((l) => JSON.parse(l.slice(prefix.length)));
}

describe('comments', () => {
  it('stay with the host they were typed for: a host shown next never gets another host’s comment', async () => {
    const gui = await testGui();
    const first = await tsHost(gui);
    await gui.controller.idle();
    await command(gui, { type: 'comment', text: 'Approved by the lead for the first scene' });

    const second = await pythonHost(gui);
    await gui.waitFor((s) => s.hosts.find((h) => h.current)?.port === second.port && settled(s));
    await gui.controller.idle();
    // Let anything that would have gone out go out.
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    expect(emitted(second.output, 'commented')).toEqual([]);
    expect(gui.snapshot().comment).toBe('');

    await command(gui, { type: 'comment', text: 'Second scene' });
    await command(gui, { type: 'switchHost', key: String(first.port) });
    await gui.waitFor((s) => s.hosts.find((h) => h.current)?.port === first.port && settled(s));
    expect(gui.snapshot().comment).toBe('Approved by the lead for the first scene');
    await command(gui, { type: 'switchHost', key: String(second.port) });
    await gui.waitFor((s) => s.hosts.find((h) => h.current)?.port === second.port && settled(s));
    await gui.controller.idle();
    expect(gui.snapshot().comment).toBe('Second scene');
    expect(emitted(second.output, 'commented').map((k) => k.comment)).not.toContain(
      'Approved by the lead for the first scene',
    );
  });
});

describe('toggles', () => {
  it('are remembered per host across Reset, by instance family and name and by plug-in, until reset', async () => {
    const gui = await testGui();
    const python = await pythonHost(gui);
    await gui.controller.idle();
    let s = gui.snapshot();
    expect(s.changedToggles).toBe(0);
    await command(gui, { type: 'toggle', id: instanceByName(s, 'Richard05').id, value: false });
    await command(gui, { type: 'toggle', id: pluginByName(s, 'ValidateOptional').id });
    expect(gui.snapshot().changedToggles).toBe(2);
    const optionalDefault = pluginByName(s, 'ValidateOptional').toggled;

    await command(gui, { type: 'reset' });
    await gui.waitFor((v) => v.phase === 'ready');
    await gui.controller.idle();
    s = gui.snapshot();
    expect(instanceByName(s, 'Richard05').toggled).toBe(false);
    expect(pluginByName(s, 'ValidateOptional').toggled).toBe(!optionalDefault);
    expect(s.changedToggles).toBe(2);
    // The host was told again after its reset: its new Richard05 is off too.
    const richard = instanceByName(s, 'Richard05').id;
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    expect(
      emitted(python.output, 'instanceToggled').some((k) => k.instance === richard && k.new_value === false),
    ).toBe(true);

    // Another host with instances of the same names keeps its own defaults.
    const ours = await tsHost(gui);
    await gui.waitFor((v) => v.hosts.find((h) => h.current)?.port === ours.port && settled(v));
    s = gui.snapshot();
    expect(instanceByName(s, 'Richard05').toggled).toBe(true);
    expect(s.changedToggles).toBe(0);

    await command(gui, { type: 'switchHost', key: String(python.port) });
    await gui.waitFor((v) => v.hosts.find((h) => h.current)?.port === python.port && v.phase === 'ready');
    await gui.controller.idle();
    expect(instanceByName(gui.snapshot(), 'Richard05').toggled).toBe(false);
    await command(gui, { type: 'resetToggles' });
    s = gui.snapshot();
    expect(instanceByName(s, 'Richard05').toggled).toBe(true);
    expect(pluginByName(s, 'ValidateOptional').toggled).toBe(optionalDefault);
    expect(s.changedToggles).toBe(0);
    await command(gui, { type: 'reset' });
    await gui.waitFor((v) => v.phase === 'ready');
    await gui.controller.idle();
    expect(instanceByName(gui.snapshot(), 'Richard05').toggled).toBe(true);
  });
});

const MANY = 3000;

class CollectMany extends ContextPlugin {
  static override order = 0;
  process(context: Context) {
    for (let i = 0; i < MANY; i++) context.createInstance(`item${i}`, { family: 'bench' });
  }
}

class ValidateBench extends InstancePlugin {
  static override order = 1;
  static override families = ['bench'];
  process() {}
}

describe('a section of thousands of toggles', () => {
  it('reaches our host in one request', async () => {
    const gui = await testGui();
    const registry = new Registry();
    registry.registerPlugin(CollectMany);
    registry.registerPlugin(ValidateBench);
    const host = new Host({ registry, guiPort: gui.port, allowUnauthenticated: true, log: () => {} });
    try {
      await host.show({ WindowTitle: 'Bench' });
      await gui.waitFor((s) => s.phase === 'ready' && s.instances.length === MANY + 1, 30_000);
      const before = host.service.requestCount;
      await command(gui, { type: 'toggleSection', list: 'instances', section: 'bench', value: false });
      await command(gui, { type: 'validate' });
      await gui.controller.idle();
      const during = host.service.requestCount - before;
      // The toggles (one request), then the run: listMethods, no pairs (nothing is toggled on).
      expect(during).toBeLessThan(10);
      let off = 0;
      for (const i of host.service.session.context) if (i.data.publish === false) off++;
      expect(off).toBe(MANY);
    } finally {
      await host.uninstall();
    }
  });

  it('goes to a Python host one emit at a time, told as progress, and toggling back cancels what has not gone', async () => {
    const gui = await testGui();
    const python = await pythonHost(gui, ['--instances', String(MANY)]);
    await gui.waitFor((s) => s.phase === 'ready' && s.instances.length === MANY + 1, 30_000);
    await gui.controller.idle();
    const deliveries: Array<{ sent: number; total: number }> = [];
    const unsubscribe = gui.store.subscribe({
      patch: (p) => {
        if (p.state?.delivery) deliveries.push(p.state.delivery);
      },
    });
    await command(gui, { type: 'toggleSection', list: 'instances', section: 'bench', value: false });
    await gui.waitFor((s) => (s.delivery?.sent ?? 0) > 10);
    await command(gui, { type: 'toggleSection', list: 'instances', section: 'bench', value: true });
    await gui.waitFor((s) => s.delivery === null, 60_000);
    unsubscribe();
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries[0]?.total).toBeGreaterThanOrEqual(MANY);
    // Fewer than one off and one on per instance went: the offs not yet sent were taken back.
    const toggled = emitted(python.output, 'instanceToggled');
    expect(toggled.length).toBeLessThan(2 * MANY);
    // And the host ends where the page is: every instance on.
    const last = new Map(toggled.map((k) => [k.instance, k.new_value]));
    expect([...last.values()].every((v) => v === true)).toBe(true);
    expect(gui.snapshot().instances.every((i) => i.toggled)).toBe(true);
  });
});
