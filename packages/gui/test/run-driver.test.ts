import { createState, plannedPairs, pluginsOfRun } from '@pyblish/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HostMirror } from '../src/host-mirror.js';
import { type DriveOptions, drivePairs, endMessage } from '../src/run-driver.js';
import type { Phase } from '../src/view-model.js';
import { ViewStateStore } from '../src/view-state.js';
import { ScriptedHost, type ScriptedPlugin } from './scripted-host.js';

const stores: ViewStateStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const collectShots: ScriptedPlugin = {
  name: 'CollectShots',
  order: 0,
  process: (host) => {
    for (const name of ['sh010', 'sh020', 'sh030']) host.create(name, 'shot');
  },
};
const collectFrames: ScriptedPlugin = { name: 'CollectFrames', order: 0.1, families: ['shot'] };
const validateNames: ScriptedPlugin = {
  name: 'ValidateNames',
  order: 1,
  families: ['shot'],
  fails: (instance) => (instance === 'sh020' ? 'sh020 is misnamed' : null),
};
const validateScene: ScriptedPlugin = { name: 'ValidateScene', order: 1.1 };
const extractShots: ScriptedPlugin = { name: 'ExtractShots', order: 2, families: ['shot'] };
const integrate: ScriptedPlugin = { name: 'Integrate', order: 3 };

/** A host collected by the driver, as Reset does. */
async function collected(plugins: ScriptedPlugin[]) {
  const host = new ScriptedHost(plugins);
  const store = new ViewStateStore(1000);
  stores.push(store);
  const mirror = new HostMirror({ store, onContext: () => {} });
  await mirror.reload(host);
  const collectors = mirror.plugins.filter((p) => p.order < 0.5);
  await drivePairs(collectors, mirror, host, options({ collecting: true, phase: 'collecting' }));
  host.pairs.length = 0;
  return { host, mirror };
}

function options(
  overrides: Partial<DriveOptions> = {},
): DriveOptions & { progress: [number, number][]; phases: Phase[] } {
  const progress: [number, number][] = [];
  const phases: Phase[] = [];
  return {
    collecting: false,
    done: 0,
    phase: 'validating',
    state: createState(),
    stopped: () => false,
    onPhase: (phase) => phases.push(phase),
    onProgress: (done, planned) => progress.push([done, planned]),
    progress,
    phases,
    ...overrides,
  };
}

/** Drives a Publish of all but the collectors; resolves to the test's stop message, if any. */
function publish(
  collected: { host: ScriptedHost; mirror: HostMirror },
  run = options(),
): Promise<string | null> {
  const plugins = pluginsOfRun(collected.mirror.plugins, 'publish', false);
  return drivePairs(plugins, collected.mirror, collected.host, run);
}

describe('the run driver', () => {
  it('stops before the extractors when a validator failed, as pyblish does', async () => {
    const scene = await collected([collectShots, validateNames, validateScene, extractShots, integrate]);
    const { host } = scene;
    const run = options();
    expect(await publish(scene, run)).toBe('Stopped due to failed validation');
    expect(host.pairs).toEqual([
      'ValidateNames:sh010',
      'ValidateNames:sh020',
      'ValidateNames:sh030',
      'ValidateScene',
    ]);
    expect([...run.state.ordersWithError]).toEqual([1]);
  });

  it('runs on into extraction and integration when validation passed, moving the phase on', async () => {
    const scene = await collected([collectShots, validateScene, extractShots, integrate]);
    const run = options();
    expect(await publish(scene, run)).toBeNull();
    expect(scene.host.pairs).toEqual([
      'ValidateScene',
      'ExtractShots:sh010',
      'ExtractShots:sh020',
      'ExtractShots:sh030',
      'Integrate',
    ]);
    expect(run.phases).toEqual(['extracting', 'integrating']);
  });

  it('lets a collector see the instances the collectors before it created, and grows the plan', async () => {
    const host = new ScriptedHost([collectShots, collectFrames]);
    const store = new ViewStateStore(1000);
    stores.push(store);
    const mirror = new HostMirror({ store, onContext: () => {} });
    await mirror.reload(host);
    const run = options({ collecting: true, phase: 'collecting' });
    await drivePairs(mirror.plugins, mirror, host, run);
    expect(host.pairs).toEqual([
      'CollectShots',
      'CollectFrames:sh010',
      'CollectFrames:sh020',
      'CollectFrames:sh030',
    ]);
    // Before collection the plan is one pair; once the shots exist, three more follow.
    expect(run.progress).toEqual([
      [0, 1],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    // Collection never changes the phase.
    expect(run.phases).toEqual([]);
  });

  it('counts progress pair by pair against the plan, on from the pairs a validated publish already did', async () => {
    const { host, mirror } = await collected([collectShots, validateScene, extractShots, integrate]);
    const plugins = pluginsOfRun(mirror.plugins, 'publish', true);
    expect(plugins.map((p) => p.id)).toEqual(['ExtractShots', 'Integrate']);
    const run = options({ done: 1, phase: 'extracting' });
    await drivePairs(plugins, mirror, host, run);
    expect(run.progress).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
  });

  it('stops between pairs when Stop is pressed, and runs nothing after', async () => {
    const scene = await collected([collectShots, validateScene, extractShots, integrate]);
    const { host } = scene;
    const run = options({ stopped: () => host.pairs.length >= 2 });
    expect(await publish(scene, run)).toBeNull();
    expect(host.pairs).toEqual(['ValidateScene', 'ExtractShots:sh010']);
    expect(run.progress.at(-1)).toEqual([2, 5]);
  });

  it('does not count the pair Stop cancelled as done', async () => {
    let stop = false;
    // Stop is pressed while the extractor runs; the host cancels it and it fails.
    const cancelled: ScriptedPlugin = {
      ...extractShots,
      process: () => {
        stop = true;
      },
      fails: () => 'Cancelled by the GUI',
    };
    const scene = await collected([collectShots, validateScene, cancelled, integrate]);
    const run = options({ stopped: () => stop });
    expect(await publish(scene, run)).toBeNull();
    expect(scene.host.pairs).toEqual(['ValidateScene', 'ExtractShots:sh010']);
    expect(run.progress.at(-1)).toEqual([1, 5]);
  });

  it('skips instances toggled off and plug-ins switched off, and plans without them', async () => {
    const scene = await collected([collectShots, validateNames, extractShots, integrate]);
    const { host, mirror } = scene;
    mirror.setToggled('instance', 'sh020-id', false);
    mirror.setToggled('plugin', 'Integrate', false);
    expect(await plannedPairs(pluginsOfRun(mirror.plugins, 'publish', false), mirror.instances)).toBe(4);
    expect(await publish(scene)).toBeNull();
    expect(host.pairs).toEqual([
      'ValidateNames:sh010',
      'ValidateNames:sh030',
      'ExtractShots:sh010',
      'ExtractShots:sh030',
    ]);
  });

  it('asks the host for the context only when a pair changed it', async () => {
    const { host, mirror } = await collected([collectShots, validateScene, extractShots]);
    const before = host.requests.length;
    await drivePairs(pluginsOfRun(mirror.plugins, 'validate', false), mirror, host, options());
    expect(host.requests.slice(before)).toEqual(['process']);
  });
});

describe('the plug-ins of a run', () => {
  it('validate runs the validators; publish all but the collectors, or after a clean validation the rest', async () => {
    const { mirror } = await collected([collectShots, validateNames, validateScene, extractShots, integrate]);
    const ids = (kind: 'validate' | 'publish', continuing: boolean) =>
      pluginsOfRun(mirror.plugins, kind, continuing).map((p) => p.id);
    expect(ids('validate', false)).toEqual(['ValidateNames', 'ValidateScene']);
    expect(ids('publish', false)).toEqual(['ValidateNames', 'ValidateScene', 'ExtractShots', 'Integrate']);
    expect(ids('publish', true)).toEqual(['ExtractShots', 'Integrate']);
  });
});

describe('the end of a run', () => {
  it('says what Validate and Publish reached, with errors or not, or why the test stopped them', () => {
    const end = (kind: 'validate' | 'publish', stopped: string | null, failed: boolean, reached: Phase) =>
      endMessage(kind, { stopped, failed, reached });
    expect(end('validate', null, false, 'validating')).toBe('Validated');
    expect(end('validate', null, true, 'validating')).toBe('Validated, with errors..');
    expect(end('publish', null, false, 'integrating')).toBe('Published');
    expect(end('publish', null, true, 'extracting')).toBe('Published, with errors..');
    // A publish of validators only (nothing to extract) validated.
    expect(end('publish', null, true, 'validating')).toBe('Validated, with errors..');
    expect(end('publish', 'Stopped due to failed validation', true, 'validating')).toBe(
      'Stopped due to failed validation',
    );
  });
});
