import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, command, instanceByName, pluginByName, pythonHost, testGui } from './helpers.js';

afterEach(cleanup);

describe('the GUI drives a Python standard-library host', () => {
  it('collects on show: instances from the collectors, plug-ins in order, ready', async () => {
    const gui = await testGui();
    await pythonHost(gui);
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.phase).toBe('ready');
    expect(s.message).toBe('Ready');
    expect(s.instances.map((i) => i.name)).toEqual([
      'Context',
      'Richard05',
      'Steven11',
      'Peter01',
      'Failure 1',
    ]);
    expect(s.instances[0]?.isContext).toBe(true);
    expect(instanceByName(s, 'Peter01').toggled).toBe(false);
    expect(instanceByName(s, 'Steven11').category).toBe('Characters');
    expect(s.plugins.map((p) => p.name)).toEqual([
      'CollectContextInfo',
      'CollectInstances',
      'CollectMore',
      'ValidateNames',
      'ValidateFailure',
      'ValidateOptional',
      'ExtractSlowly',
      'IntegrateAll',
    ]);
    // The instance collector ran on what the context collector created (cooperative collection).
    expect(pluginByName(s, 'CollectMore').passed).toBe(1);
    // Two context collectors, then CollectMore on Richard05 (Peter01 is off): the plan grew to 3.
    expect(s.progress).toMatchObject({ done: 3, planned: 3 });
    expect(s.window.title).toBe('Pyblish (Python)');
    expect(s.window.hiddenSections).toEqual(['Collect']);
    expect(s.hosts).toHaveLength(1);
    expect(s.hosts[0]?.status).toBe('alive');
    expect(s.terminalSeq).toBeGreaterThan(0);
  });

  it('tells the page how many instances each plug-in applies to, not which, and hides one with none toggled', async () => {
    const gui = await testGui();
    await pythonHost(gui);
    await gui.controller.idle();
    let s = gui.snapshot();
    expect(pluginByName(s, 'CollectMore')).toMatchObject({ compatibleCount: 2, hasCompatible: true }); // family A
    expect(pluginByName(s, 'ValidateFailure').compatibleCount).toBe(1);
    expect(pluginByName(s, 'CollectContextInfo').compatibleCount).toBe(1); // the context
    for (const row of s.plugins) expect(row).not.toHaveProperty('compatible');
    await command(gui, { type: 'toggle', id: instanceByName(s, 'Steven11').id, value: false });
    s = gui.snapshot();
    expect(pluginByName(s, 'ExtractSlowly')).toMatchObject({ compatibleCount: 1, hasCompatible: false });
  });

  it("counts toggles still being delivered when a run starts in no run's requests", async () => {
    const gui = await testGui();
    await pythonHost(gui);
    await gui.controller.idle();
    const before = gui.report().stats;
    const id = instanceByName(gui.snapshot(), 'Richard05').id;
    // Each toggle is an emit to the host, delivered one after the other: most are still queued
    // when the validation begins.
    for (let i = 0; i < 10; i++) await command(gui, { type: 'toggle', id, value: i % 2 === 1 });
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    const after = gui.report().stats;
    // A Python host takes one request per pair (plain process, no revisions to refetch on).
    expect(after.requests - before.requests).toBe(after.pairs - before.pairs);
  });

  it('validates, stops after the failed validation, repairs and re-publishes without a reset', async () => {
    const gui = await testGui();
    const host = await pythonHost(gui);
    await gui.controller.idle();
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    let s = gui.snapshot();
    expect(s.phase).toBe('finished');
    expect(s.message).toBe('Validated, with errors..');
    const failing = pluginByName(s, 'ValidateFailure');
    expect(failing.status).toBe('failed');
    expect(instanceByName(s, 'Failure 1').status).toBe('failed');
    expect(pluginByName(s, 'ValidateNames').status).toBe('warning'); // "Failure 1" has a space
    expect(pluginByName(s, 'ValidateOptional').status).toBe('skipped'); // optional, off
    expect(instanceByName(s, 'Peter01').status).toBe('skipped'); // toggled off
    expect(pluginByName(s, 'ExtractSlowly').processed).toBe(false);
    // Peter01 is toggled off: never processed.
    expect(instanceByName(s, 'Peter01').processed).toBe(false);
    // pyblish-base's traceback tuple: the failing source line is the source, not the exception.
    expect(gui.report().results.find((r) => r.error)?.error).toMatchObject({
      func: 'process',
      source: 'raise AssertionError("%s is broken: repair it" % instance.name)',
      exc: null,
    });

    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(s.message).toBe('Stopped due to failed validation');
    expect(pluginByName(s, 'ExtractSlowly').status).toBe('skipped');
    expect(gui.report().success).toBe(false);

    await command(gui, { type: 'repair', pluginId: failing.id });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(pluginByName(s, 'ValidateFailure').hasError).toBe(false);
    expect(instanceByName(s, 'Failure 1').hasError).toBe(false);

    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(s.message).toBe('Published');
    expect(pluginByName(s, 'ValidateFailure').status).toBe('succeeded');
    expect(pluginByName(s, 'ExtractSlowly').passed).toBe(1);
    expect(pluginByName(s, 'IntegrateAll').passed).toBe(1);
    expect(s.progress.done).toBe(s.progress.planned);
    await host.line(/^EMIT published/);
    const report = gui.report();
    expect(report.success).toBe(true);
    expect(report.kind).toBe('publish');
    expect(report.finalPhase).toBe('finished');
    expect(report.stats.requests).toBeGreaterThan(0);
  });

  it('toggles an instance and an optional plug-in, in the GUI and in the host', async () => {
    const gui = await testGui();
    const host = await pythonHost(gui);
    await gui.controller.idle();
    let s = gui.snapshot();
    const peter = instanceByName(s, 'Peter01');
    const optional = pluginByName(s, 'ValidateOptional');
    const context = s.instances[0];
    expect((await gui.controller.command({ type: 'toggle', id: context?.id ?? '' })).ok).toBe(false);
    await command(gui, { type: 'toggle', id: peter.id });
    await command(gui, { type: 'toggle', id: optional.id, value: true });
    await host.line(/^EMIT instanceToggled .*"new_value": true/);
    await host.line(/^EMIT pluginToggled .*"new_value": true/);
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(instanceByName(s, 'Peter01').processed).toBe(true);
    expect(pluginByName(s, 'ValidateOptional').passed).toBe(1);
    // Toggling works after a run too (the original needed a reset first).
    await command(gui, { type: 'toggle', id: peter.id, value: false });
    expect(instanceByName(gui.snapshot(), 'Peter01').toggled).toBe(false);
    // Non-optional plug-ins cannot be toggled.
    const reply = await gui.controller.command({ type: 'toggle', id: pluginByName(s, 'ValidateNames').id });
    expect(reply).toEqual({ ok: false, error: { code: 'CANNOT_TOGGLE', message: 'Cannot toggle' } });
  });

  it('runs an action offered for the plug-in state and records its result', async () => {
    const gui = await testGui();
    await pythonHost(gui);
    await gui.controller.idle();
    let plugin = pluginByName(gui.snapshot(), 'ValidateFailure');
    const fix = plugin.actions.find((a) => a.id === 'FixFailure');
    expect(fix?.available).toBe(false); // on "failed"; nothing failed yet
    expect(plugin.actions.find((a) => a.id === 'PrintContext')?.available).toBe(true);
    expect(
      (await gui.controller.command({ type: 'action', pluginId: plugin.id, actionId: 'FixFailure' })).ok,
    ).toBe(false);

    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    plugin = pluginByName(gui.snapshot(), 'ValidateFailure');
    expect(plugin.actions.find((a) => a.id === 'FixFailure')?.available).toBe(true);
    expect(plugin.actions.find((a) => a.kind === 'category')?.available).toBe(true);
    await command(gui, { type: 'action', pluginId: plugin.id, actionId: 'FixFailure' });
    await gui.controller.idle();
    let s = gui.snapshot();
    expect(s.phase).toBe('finished');
    expect(s.message).toBe('Fix it: done');
    expect(pluginByName(s, 'ValidateFailure').actionState).toBe('succeeded');
    expect(gui.store.terminalAfter(0).some((e) => e.type === 'record' && e.record.message === 'Fixed')).toBe(
      true,
    );

    await command(gui, { type: 'action', pluginId: plugin.id, actionId: 'BrokenAction' });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(s.message).toBe('Always fails: failed');
    expect(pluginByName(s, 'ValidateFailure').actionState).toBe('failed');

    // The fix holds: publishing now passes validation without a reset.
    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    expect(gui.snapshot().message).toBe('Published');
  });

  it('toggles whole sections and sends comments to the host', async () => {
    const gui = await testGui();
    const host = await pythonHost(gui);
    await gui.controller.idle();
    await command(gui, { type: 'toggleSection', list: 'instances', section: 'A', value: false });
    let s = gui.snapshot();
    expect(instanceByName(s, 'Richard05').toggled).toBe(false);
    expect(instanceByName(s, 'Steven11').toggled).toBe(true);
    // CollectMore only applies to family A, now all off: the row hides.
    expect(pluginByName(s, 'CollectMore').hasCompatible).toBe(false);
    await command(gui, { type: 'toggleSection', list: 'plugins', section: 'Validate', value: true });
    expect(pluginByName(gui.snapshot(), 'ValidateOptional').toggled).toBe(true);
    await command(gui, { type: 'comment', text: 'Looks good' });
    const steven = instanceByName(gui.snapshot(), 'Steven11');
    await command(gui, { type: 'comment', text: 'Hero rig', instanceId: steven.id });
    await host.line(/^EMIT commented .*Looks good/);
    await host.line(/^EMIT instanceCommented .*Hero rig/);
    s = gui.snapshot();
    expect(s.comment).toBe('Looks good');
    expect(instanceByName(s, 'Steven11').comment).toBe('Hero rig');
    // The comment survives a reset (written back into the new context).
    await command(gui, { type: 'reset' });
    await gui.controller.idle();
    s = gui.snapshot();
    expect(s.comment).toBe('Looks good');
    expect(s.instances[0]?.comment).toBe('Looks good');
  });

  it('continues a passed validation into Publish without running the validators again', async () => {
    const gui = await testGui();
    await pythonHost(gui);
    await gui.controller.idle();
    await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'Failure 1').id, value: false });
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    expect(gui.snapshot().message).toBe('Validated');
    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    const s = gui.snapshot();
    expect(s.message).toBe('Published');
    expect(pluginByName(s, 'ValidateNames').passed).toBe(2); // Richard05 and Steven11, once
    expect(pluginByName(s, 'IntegrateAll').passed).toBe(1);
    expect(s.progress).toMatchObject({ done: 4, planned: 4 });
    // A toggle since the validation: Publish validates again.
    await command(gui, { type: 'toggle', id: instanceByName(s, 'Peter01').id, value: true });
    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    expect(pluginByName(gui.snapshot(), 'ValidateNames').passed).toBe(3);
  });
});
