// A large publish seen in the window: 1,000 instances through nine plug-ins (9,001 pairs with
// the collector), run by our host itself and reaching the GUI in batches of results. However
// fast they arrive, the page ends with every row and the footer as the GUI process has them
// (the process sends them in batched patches; the page applies each).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Gui, startGui } from '@pyblish/gui';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser, WEB } from './support/browser.js';

const INSTANCES = 1000;
const CLI = join(WEB, '..', 'cli', 'bin', 'pyblish.mjs');
const BENCH_PLUGINS = join(WEB, '..', 'gui', 'test', 'fixtures', 'bench-plugins');
const PLUGINS = [
  'Validate1',
  'Validate2',
  'Validate3',
  'Validate4',
  'Validate5',
  'Extract1',
  'Extract2',
  'Extract3',
  'Integrate1',
];

let gui: Gui;
let host: ChildProcess;
let runtime: string;
let browser: Browser;
let page: Page;

const eventually = (check: () => Promise<void> | void) =>
  vi.waitFor(check, { timeout: 60_000, interval: 100 });
const item = (list: 'Instances' | 'Plug-ins', name: string) =>
  page.getByRole('tree', { name: list }).getByRole('treeitem', { name, exact: true });
const status = (list: 'Instances' | 'Plug-ins', name: string) =>
  item(list, name).getAttribute('aria-description');
const message = () => page.locator('footer output').first().textContent();

beforeAll(async () => {
  ensureBuilt();
  runtime = mkdtempSync(join(tmpdir(), 'pyblish-web-large-'));
  const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime, PYBLISH_BENCH_INSTANCES: String(INSTANCES) };
  gui = await startGui({ port: 0, env });
  host = spawn(
    process.execPath,
    [CLI, 'host', '--register', '--gui-port', String(gui.port), '--plugin-path', BENCH_PLUGINS],
    { stdio: 'ignore', env },
  );
  await gui.waitFor((s) => s.phase === 'ready' && s.instances.length === INSTANCES + 1, 60_000);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(gui.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  host?.kill('SIGKILL');
  await gui?.close();
  rmSync(runtime, { recursive: true, force: true });
});

describe('a publish of 1,000 instances through nine plug-ins, in the window', () => {
  it('ends with every row and the footer as the GUI has them', async () => {
    await item('Instances', 'item00000').waitFor();
    expect(gui.snapshot().capabilities).toContain('pyblish.run');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await eventually(async () => expect(await message()).toBe('Published'));

    const done = gui.snapshot();
    const bar = page.getByRole('progressbar', { name: 'Progress' });
    expect(await bar.getAttribute('aria-valuetext')).toBe(
      `${done.progress.done} of ${done.progress.planned}`,
    );
    expect(done.progress.done).toBe(done.progress.planned);
    expect(done.progress.done).toBeGreaterThanOrEqual(INSTANCES * PLUGINS.length);

    // Every plug-in passed on every instance.
    for (const name of PLUGINS) {
      expect(await status('Plug-ins', name)).toBe('Succeeded');
      expect(done.plugins.find((p) => p.name === name)?.passed).toBe(INSTANCES);
    }
    // The rows on screen, and rows from the middle and the end of the list.
    expect(await status('Instances', 'item00000')).toBe('Succeeded');
    const search = page.getByRole('searchbox', { name: 'Search instances and plug-ins' });
    for (const name of ['item00500', 'item00999']) {
      await search.fill(name);
      await item('Instances', name).waitFor();
      expect(await status('Instances', name)).toBe('Succeeded');
    }
    await search.fill('');
    expect(done.instances.filter((i) => !i.isContext && i.status !== 'succeeded')).toEqual([]);
  }, 120_000);
});
