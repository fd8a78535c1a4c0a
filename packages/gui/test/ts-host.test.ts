import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, command, instanceByName, pluginByName, testGui, tsHost } from './helpers.js';

afterEach(cleanup);

describe('the GUI drives our TypeScript host (authenticated)', () => {
  it('collects, fails validation, toggles, acts, repairs and publishes', async () => {
    const gui = await testGui({ allowUnauthenticated: false });
    await tsHost(gui);
    await gui.controller.idle();
    let s = gui.snapshot();
    expect(s.phase).toBe('ready');
    expect(s.hosts[0]?.authenticated).toBe(true);
    expect(s.capabilities).toEqual(
      expect.arrayContaining(['pyblish.begin', 'pyblish.poll', 'pyblish.cancel']),
    );
    expect(s.instances.map((i) => i.name)).toEqual([
      'Context',
      'Richard05',
      'Steven11',
      'Peter01',
      'Failure 1',
    ]);
    expect(pluginByName(s, 'CollectMore').passed).toBe(1);

    const before = gui.report().stats;
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    const after = gui.report().stats;
    // The host runs the whole validation and sends its results in batches: fewer requests than pairs.
    expect(after.pairs - before.pairs).toBeGreaterThan(3);
    expect(after.requests - before.requests).toBeLessThan(after.pairs - before.pairs);
    s = gui.snapshot();
    expect(s.message).toBe('Validated, with errors..');
    expect(pluginByName(s, 'ValidateFailure').status).toBe('failed');
    expect(instanceByName(s, 'Failure 1').status).toBe('failed');
    expect(pluginByName(s, 'ValidateNames').status).toBe('warning');
    expect(instanceByName(s, 'Peter01').processed).toBe(false);

    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    expect(gui.snapshot().message).toBe('Stopped due to failed validation');

    // The optional validator, switched on in the GUI, reaches the host and runs.
    await command(gui, { type: 'toggle', id: pluginByName(s, 'ValidateOptional').id, value: true });
    const failing = pluginByName(s, 'ValidateFailure');
    expect(failing.actions.find((a) => a.id.includes('FixFailure'))?.available).toBe(true);
    await command(gui, { type: 'repair', pluginId: failing.id });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(s.message).toBe('ValidateFailure: repaired');
    expect(pluginByName(s, 'ValidateFailure').hasError).toBe(false);

    const print = failing.actions.find((a) => a.label === 'Print instances');
    await command(gui, { type: 'action', pluginId: failing.id, actionId: print?.id ?? '' });
    await gui.controller.idle();
    expect(gui.snapshot().message).toBe('Print instances: done');
    expect(
      gui.store
        .terminalAfter(0)
        .some((e) => e.type === 'record' && e.record.message.startsWith('Instances: Richard05')),
    ).toBe(true);

    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(s.message).toBe('Published');
    expect(pluginByName(s, 'ValidateOptional').passed).toBe(1);
    expect(pluginByName(s, 'IntegrateAll').passed).toBe(1);
    expect(gui.report().success).toBe(true);
  });

  it('stops inside a running plug-in: the host cancels it', async () => {
    const gui = await testGui({ allowUnauthenticated: false });
    await tsHost(gui, [], { PYBLISH_TEST_LONG_MS: '60000' });
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.progress.currentPlugin?.includes('ExtractSlowly') === true);
    // Live records: "Extracting Steven11" reaches the terminal while the plug-in still runs.
    await gui.waitFor(() =>
      gui.store
        .terminalAfter(0)
        .some((e) => e.type === 'record' && e.record.message === 'Extracting Steven11'),
    );
    await command(gui, { type: 'stop' });
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.message).toBe('Stopped');
    expect(pluginByName(s, 'ExtractSlowly').hasError).toBe(true);
    expect(pluginByName(s, 'IntegrateAll').processed).toBe(false);
  });

  // The plug-in blocks the host's thread for longer than the GUI's query timeout (2 s here):
  // calls waiting on that thread must not time out while liveness (served by the host's
  // server thread) says the host is busy.
  it('tells busy from dead while a plug-in blocks the host thread', async () => {
    const gui = await testGui({
      allowUnauthenticated: false,
      liveness: { tickMs: 100, probeAfterMs: 1000, busyAfterMs: 500, timeouts: { probe: 1000, query: 2000 } },
    });
    await tsHost(gui, [], { PYBLISH_TEST_LONG_MS: '4000', PYBLISH_TEST_BLOCK: '1' });
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.hosts[0]?.status === 'busy');
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.fault).toBeNull();
    expect(s.message).toBe('Published');
  });
});
