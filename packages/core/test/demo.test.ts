import { describe, expect, it } from 'vitest';
import {
  Context,
  createState,
  demoPluginPath,
  demoPlugins,
  describePlugin,
  discover,
  processPlugin,
  publishIter,
  Registry,
  type Result,
  repairPlugin,
} from '../src/index.js';

process.env.PYBLISH_DEMO_DELAY = '5';

async function publishDemo(context = new Context(), plugins = demoPlugins()) {
  const state = createState();
  const results: Result[] = [];
  for await (const r of publishIter({ plugins, context, state, registry: new Registry() })) results.push(r);
  return { results, state, context };
}

describe('demo plug-ins', () => {
  it('are discovered from their folder, reporting the incompatible one and leaving out the host-specific one', async () => {
    const found = await discover({ paths: [demoPluginPath], registry: new Registry() });
    expect(found.plugins.map((p) => p.name)).toEqual(demoPlugins().map((p) => p.name));
    expect(found.errors).toEqual([
      expect.objectContaining({
        code: 'INVALID_PLUGIN',
        name: 'ValidateFutureApi',
        reason: expect.stringMatching(/pyblish>=99/),
      }),
    ]);
    expect(found.plugins.map((p) => p.name)).not.toContain('ValidateMayaOnly');
  });

  it('create eight instances, one switched off and one with a category', async () => {
    const { context } = await publishDemo();
    expect(context.length).toBe(8);
    expect([...context].filter((i) => !i.publish).map((i) => i.name)).toEqual(['Peter01']);
    expect([...context].find((i) => i.data.category === 'Shading')?.name).toBe('HeroLook');
  });

  it('fail validation (and so stop) while a collector throwing a non-Error does not stop the run', async () => {
    const { results, state } = await publishDemo();
    const failed = results
      .filter((r) => !r.success)
      .map((r) => `${r.plugin.name}:${r.instance?.name ?? '-'}`);
    expect(failed).toEqual([
      'CollectRenderLayers:-',
      'ValidateNaming:tree01',
      'ValidateSceneSaved:-',
      'ValidateRigControls:Piraya12',
    ]);
    expect(results.find((r) => r.plugin.name === 'CollectRenderLayers')!.error!.message).toMatch(
      /renderSetup unavailable/,
    );
    expect(state.stopped).toBe('Stopped due to failed validation');
    expect(results.some((r) => r.records.some((x) => x.levelname === 'WARNING'))).toBe(true);
    expect(results.find((r) => r.plugin.name === 'ValidateVerbose')!.records.map((r) => r.message)).toContain(
      'Printed with console.log: captured too.',
    );
  });

  it('publish through extraction and integration once repaired and the failing rig is switched off', async () => {
    const { context } = await publishDemo();
    const plugin = (name: string) => demoPlugins().find((p) => p.name === name)!;
    const tree = [...context].find((i) => i.name === 'tree01')!;
    expect((await repairPlugin(plugin('ValidateNaming'), context, tree)).success).toBe(true);
    expect(tree.name).toBe('Tree01');
    expect((await repairPlugin(plugin('ValidateSceneSaved'), context)).success).toBe(true);
    [...context].find((i) => i.name === 'Piraya12')!.data.publish = false;
    // As a GUI's Publish after Repair: everything but the collectors, on the same context.
    const again = await publishDemo(
      context,
      demoPlugins().filter((p) => p.order >= 0.5),
    );
    const ran = again.results.map((r) => r.plugin.name);
    expect(again.state.stopped).toBeNull();
    expect(ran).toContain('ExtractPlayblast');
    expect(ran).toContain('IntegrateNotify');
  });

  it('offer an action for each "on" state, with categories, a separator and one malformed action', async () => {
    const info = describePlugin(demoPlugins().find((p) => p.name === 'ValidateRigControls')!);
    const ons = new Set(info.actions.filter((a) => a.type === 'action').map((a) => a.on));
    expect([...ons].sort()).toEqual(
      [
        'all',
        'failed',
        'failedOrWarning',
        'notProcessed',
        'processed',
        'sometimes',
        'succeeded',
        'warning',
      ].sort(),
    );
    expect(info.actions.some((a) => a.type === 'separator')).toBe(true);
    expect(info.actions.filter((a) => a.type === 'category').length).toBeGreaterThan(1);
    expect(info.actions.filter((a) => a.error !== null).map((a) => a.id)).toEqual(['BadOnAction']);
    const context = new Context();
    const failing = await processPlugin(
      demoPlugins().find((p) => p.name === 'ValidateRigControls')!,
      context,
      null,
      {
        action: 'FailingAction',
        registry: new Registry(),
      },
    );
    expect(failing.success).toBe(false);
  });

  it('have a slow extractor that stops when cancelled', async () => {
    process.env.PYBLISH_DEMO_DELAY = '';
    try {
      const controller = new AbortController();
      const slow = demoPlugins().find((p) => p.name === 'ExtractPlayblast')!;
      const pending = processPlugin(slow, new Context(), null, {
        signal: controller.signal,
        registry: new Registry(),
      });
      setTimeout(() => controller.abort(), 20);
      const result = await pending;
      expect(result.error?.exc).toBe('AbortError');
      expect(result.records).toEqual([]);
    } finally {
      process.env.PYBLISH_DEMO_DELAY = '5';
    }
  });
});
