import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../src/view-model.js';
import { cleanup, command, instanceByName, pluginByName, pythonHost, testGui, tsHost } from './helpers.js';

afterEach(cleanup);

describe('when hosts misbehave', () => {
  it('ends a publish in a clear error when the host dies mid-run, and works again after a restart', async () => {
    const gui = await testGui();
    const host = await pythonHost(gui, ['--long', '60']);
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.progress.currentPlugin === 'ExtractSlowly');
    await host.kill();
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.phase).toBe('finished');
    expect(s.fault?.code).toBe('HOST_LOST');
    expect(s.fault?.message).toBe(
      `The host at port ${host.port} stopped answering. Restart it and it will show again.`,
    );
    expect(s.hosts[0]?.status).toBe('lost');
    expect(s.plugins.every((p) => p.status !== 'processing')).toBe(true);
    const report = gui.report();
    expect(report.fault?.code).toBe('HOST_LOST');
    expect(report.success).toBe(false);
    expect(report.results.length).toBeGreaterThan(0);
    // Commands against the lost host say so.
    const reply = await gui.controller.command({ type: 'publish' });
    expect(reply.ok).toBe(false);

    const again = await pythonHost(gui);
    await gui.controller.idle();
    const after = gui.snapshot();
    expect(after.phase).toBe('ready');
    expect(after.fault).toBeNull();
    expect(after.hosts.find((h) => h.current)).toMatchObject({ port: again.port, status: 'alive' });
  });

  it('writes a complete report file after each run, also when the host died', async () => {
    const gui0 = await testGui();
    await gui0.close();
    const reportFile = join(gui0.runtime, 'report.json');
    const gui = await testGui({ reportFile });
    const host = await pythonHost(gui, ['--long', '60']);
    await gui.controller.idle();
    let report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.kind).toBe('reset');
    expect(report.finalPhase).toBe('ready');
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.progress.currentPlugin === 'ExtractSlowly');
    await host.kill();
    await gui.controller.idle();
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.format).toBe('pyblish-report');
    expect(report.kind).toBe('publish');
    expect(report.fault?.code).toBe('HOST_LOST');
    expect(report.finishedAt).not.toBeNull();
    expect(report.instances.map((i) => i.name)).toContain('Richard05');
    expect(report.plugins.map((p) => p.name)).toContain('ExtractSlowly');
    // Collection and validation pairs are in, with their records.
    const names = new Set(report.results.map((r) => r.pluginId));
    expect(names.has('CollectInstances')).toBe(true);
    expect(names.has('ValidateNames')).toBe(true);
    expect(report.results.find((r) => r.pluginId === 'CollectInstances')?.records[0]?.message).toBe(
      'Collected 4 instances',
    );
  });

  it('still writes the report when the GUI quits mid-run', async () => {
    const base = await testGui();
    await base.close();
    const reportFile = join(base.runtime, 'quit-report.json');
    const gui = await testGui({ reportFile });
    await pythonHost(gui, ['--long', '60']);
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.progress.currentPlugin === 'ExtractSlowly');
    await gui.close();
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.kind).toBe('publish');
    expect(report.fault).toEqual({ code: 'GUI_CLOSED', message: 'The GUI was closed during the run.' });
    expect(report.finishedAt).not.toBeNull();
  });

  it('ends a reset whose host call fails in a fault banner, and stays usable', async () => {
    const gui = await testGui();
    await pythonHost(gui, ['--fail-discover']);
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.phase).toBe('finished');
    expect(s.fault?.code).toBe('HOST_FAULT');
    expect(s.fault?.message).toMatch(/refused discover/);
    expect(gui.report().fault?.code).toBe('HOST_FAULT');
    // Not wedged: the next command is taken (and fails the same way).
    await command(gui, { type: 'reset' });
    await gui.controller.idle();
    expect(gui.snapshot().fault?.code).toBe('HOST_FAULT');
  });

  it('reports a host busy for longer than the heartbeat interval as busy, never lost, and stays responsive', async () => {
    const gui = await testGui();
    await pythonHost(gui, ['--long', '2.5']);
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.hosts[0]?.status === 'busy');
    // How long it has been busy counts up while it works (its heartbeats go on: silentFor stays low).
    await gui.waitFor((s) => s.hosts[0]?.status === 'busy' && s.hosts[0].busyFor >= 2000);
    expect(gui.snapshot().hosts[0]?.silentFor).toBeLessThan(1000);
    // Still answering commands while the host works.
    const busy = await gui.controller.command({ type: 'publish' });
    expect(busy).toEqual({ ok: false, error: { code: 'BUSY', message: 'Busy' } });
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.message).toBe('Published');
    expect(s.fault).toBeNull();
    expect(s.hosts[0]?.status).toBe('alive');
    expect(s.hosts[0]?.busyFor).toBe(0);
  });

  it('rejects a double Publish: one iterator per host', async () => {
    const gui = await testGui();
    await pythonHost(gui);
    await gui.controller.idle();
    const [first, second] = await Promise.all([
      gui.controller.command({ type: 'publish' }),
      gui.controller.command({ type: 'publish' }),
    ]);
    expect(first).toEqual({ ok: true });
    expect(second).toEqual({ ok: false, error: { code: 'BUSY', message: 'Busy' } });
    await gui.controller.idle();
    // Each validator ran once per instance, not twice.
    expect(pluginByName(gui.snapshot(), 'ValidateNames').passed).toBe(3);
  });

  it('stops a run between pairs when asked', async () => {
    const gui = await testGui();
    await pythonHost(gui, ['--long', '0.5']);
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.progress.currentPlugin === 'ExtractSlowly');
    await command(gui, { type: 'stop' });
    expect(gui.snapshot().phase).toBe('stopping');
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.phase).toBe('finished');
    expect(s.message).toBe('Stopped');
    expect(pluginByName(s, 'IntegrateAll').processed).toBe(false);
  });
});

describe('many hosts', () => {
  it('knows two hosts at once, shows the last one and switches between them', async () => {
    const gui = await testGui();
    const first = await pythonHost(gui, ['--label', 'First']);
    await gui.controller.idle();
    const second = await pythonHost(gui, ['--label', 'Second']);
    await gui.controller.idle();
    let s = gui.snapshot();
    expect(s.hosts.map((h) => [h.label, h.current]).sort()).toEqual([
      ['First', false],
      ['Second', true],
    ]);
    expect(s.window.title).toBe('Second');
    expect(first.port).not.toBe(second.port);
    expect(s.instances[0]?.data.port).toBe(second.port);
    await command(gui, { type: 'switchHost', key: String(first.port) });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(s.phase).toBe('ready');
    expect(s.instances[0]?.data.port).toBe(first.port);
    expect(s.hosts.find((h) => h.current)?.port).toBe(first.port);
  });

  it('shows a host that asks during a run on another one once the run ends', async () => {
    // A TypeScript host first (Stop cancels its long plug-in at once), then a Python one.
    const gui = await testGui();
    const first = await tsHost(gui, ['--title', 'First'], { PYBLISH_TEST_LONG_MS: '60000' });
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'publish' });
    await gui.waitFor((s) => s.progress.currentPlugin?.includes('ExtractSlowly') === true);
    const second = await pythonHost(gui, ['--label', 'Second']);
    // The run goes on against the first host...
    let s = gui.snapshot();
    expect(s.phase).toBe('extracting');
    expect(s.hosts.find((h) => h.current)?.port).toBe(first.port);
    await command(gui, { type: 'stop' });
    // ...then the second one is shown and collected.
    await gui.waitFor((state) => state.phase === 'ready' && state.instances[0]?.data.port === second.port);
    s = gui.snapshot();
    expect(s.hosts.find((h) => h.current)?.port).toBe(second.port);
    expect(s.window.title).toBe('Second');
  });

  it('picks up live hosts again when the GUI restarts on the same port', async () => {
    const gui = await testGui();
    const port = gui.port;
    const host = await pythonHost(gui);
    await gui.controller.idle();
    await gui.close();
    const restarted = await testGui({ port });
    // The host's heartbeats reach the new GUI on their own...
    await restarted.waitFor((s) => s.hosts.some((h) => h.port === host.port && h.status === 'alive'));
    expect(restarted.snapshot().phase).toBe('noHost');
    // ...and show works without restarting the host.
    host.send('show');
    await host.line(/^SHOWN/);
    await restarted.controller.idle();
    const s = restarted.snapshot();
    expect(s.phase).toBe('ready');
    expect(s.instances.map((i) => i.name)).toContain('Richard05');
  });
});
