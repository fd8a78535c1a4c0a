// What the page shows where a first hour with the GUI found rough edges (issue 15): the real GUI
// process, a demo TypeScript host and the Python standard-library host in pyblish-qml's shapes,
// and the built page in headless Chromium.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Browser, ensureBuilt, openPage, WEB } from './support/browser.js';
import { type DemoHost, startDemoHost, startTestGui, type TestGui } from './support/gui.js';

let t: TestGui;
let host: DemoHost;
let browser: Browser;
let page: Page;

const eventually = (check: () => Promise<void> | void) =>
  vi.waitFor(check, { timeout: 20_000, interval: 50 });

const item = (p: Page, list: 'Instances' | 'Plug-ins', name: string) =>
  p.getByRole('tree', { name: list }).getByRole('treeitem', { name, exact: true });
const button = (p: Page, name: string) => p.getByRole('button', { name, exact: true });
const message = (p: Page) => p.locator('footer output').first().textContent();
const idOf = (name: string) => {
  const row = t.gui.snapshot().instances.find((i) => i.name === name);
  if (!row) throw new Error(`no instance ${name}`);
  return row.id;
};

async function run(command: Parameters<TestGui['gui']['controller']['command']>[0]): Promise<void> {
  const reply = await t.gui.controller.command(command);
  if (!reply.ok) throw new Error(`${command.type}: ${reply.error.message}`);
  await t.gui.controller.idle();
}

/** The warnings a report card lists. */
async function warningsOf(p: Page, card: string): Promise<string[]> {
  await p.getByRole('tab', { name: /Report/ }).click();
  const article = p.getByRole('article', { name: card });
  await article.waitFor();
  return article.locator('.warnings li').allTextContents();
}

/** The labelled fields of the first error in a report card: File, Function, ... */
async function fieldsOf(card: Locator): Promise<Record<string, string>> {
  await card.waitFor();
  return card
    .locator('.error-block dl.fields')
    .first()
    .evaluate((dl) =>
      Object.fromEntries(
        [...dl.querySelectorAll('dt')].map((dt) => [
          dt.textContent,
          dt.nextElementSibling?.textContent ?? '',
        ]),
      ),
    );
}

beforeAll(async () => {
  ensureBuilt();
  // The demo's slow steps at their full length (1.5 s), time to press Stop in on a busy machine.
  t = await startTestGui({ demoDelayMs: 1500 });
  host = await startDemoHost(t, 'Maya (demo)');
  ({ browser, page } = await openPage(t.gui.url, 'Richard05'));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.kill();
  await t?.close();
});

describe('the page', () => {
  it('lists each warning once in the Report tab, in the window that saw the runs and in a second one', async () => {
    // Validate, repair, validate again, publish: the warning of the last validation only.
    await run({ type: 'toggle', id: idOf('Piraya12'), value: false });
    await run({ type: 'validate' });
    await run({ type: 'repair', pluginId: 'ValidateNaming' });
    await run({ type: 'repair', pluginId: 'ValidateSceneSaved' });
    await run({ type: 'validate' });
    await run({ type: 'action', pluginId: 'ValidateRigControls', actionId: 'ShowInfo' });
    await run({ type: 'publish' });
    await eventually(async () => expect(await message(page)).toBe('Published'));
    const warning = 'Warning03 has no focal length; 35 mm will be assumed.';
    expect(await warningsOf(page, 'Validate camera settings')).toEqual([warning]);

    const second = await browser.context.newPage();
    try {
      await second.goto(t.gui.url.replace(/\?.*/, ''));
      await item(second, 'Instances', 'Richard05').waitFor();
      expect(await warningsOf(second, 'Validate camera settings')).toEqual([warning]);
    } finally {
      await second.close();
    }
  });
});

describe('the footer', () => {
  const actionOf = async (plugin: string, action: string) => {
    await page.getByRole('tab', { name: 'Overview' }).click();
    await item(page, 'Plug-ins', plugin).click({ button: 'right' });
    await page
      .getByRole('menu', { name: `Actions of ${plugin}` })
      .getByRole('menuitem', { name: action })
      .click();
  };
  const progress = () => page.getByRole('progressbar', { name: 'Progress' });

  it('names the action that ran', async () => {
    await actionOf('Validate rig controls', 'Show scene info');
    await eventually(async () => expect(await message(page)).toBe('Show scene info: done'));
  });

  it('shows what a stopped action did of what it planned, not the full bar of the run before', async () => {
    await run({ type: 'validate' });
    const { done, planned } = t.gui.snapshot().progress;
    expect(done).toBe(planned);
    await eventually(async () =>
      expect(await progress().getAttribute('aria-valuetext')).toBe(`${done} of ${done}`),
    );
    await actionOf('Validate rig controls', 'Slow action');
    await eventually(async () => expect(await button(page, 'Stop').isEnabled()).toBe(true));
    await button(page, 'Stop').click();
    await eventually(async () => expect(await message(page)).toBe('Slow action: stopped'));
    expect(await progress().getAttribute('aria-valuetext')).toBe('0 of 1');
  });
});

describe('error cards', () => {
  it("point a cancelled pair's error at its plug-in, not at the host's code that cancelled it", async () => {
    await run({ type: 'reset' });
    await run({ type: 'toggle', id: idOf('Piraya12'), value: false });
    await run({ type: 'publish' });
    await run({ type: 'repair', pluginId: 'ValidateNaming' });
    await run({ type: 'repair', pluginId: 'ValidateSceneSaved' });
    await t.gui.controller.command({ type: 'publish' });
    await t.gui.waitFor((s) => s.progress.currentPlugin === 'ExtractPlayblast', 20_000);
    // Stop at once, while the slow extractor runs (a click would race it on a busy machine).
    await run({ type: 'stop' });
    await eventually(async () => expect(await message(page)).toBe('Stopped'));
    await page.getByRole('tab', { name: /Report/ }).click();
    const card = page.getByRole('article', { name: 'Extract playblast (slow)' });
    const fields = await fieldsOf(card);
    expect(fields.File).toMatch(/packages\/core\/src\/demo\/extract\.ts$/);
    expect(fields.Function).toBe('ExtractPlayblast.process');
    expect(await card.textContent()).not.toContain('service.ts');
  });

  it('label the failing source line a Python host sends as the source, not as the exception', async () => {
    // The standard-library host formats errors as pyblish-qml's Python hosts do: pyblish-base's
    // traceback tuple (file, line, function, source text), its text sent as `exc`.
    const python = spawn(
      'python3',
      [
        '-u',
        join(WEB, '..', 'gui', 'test', 'python', 'host.py'),
        ...['--gui-port', String(t.gui.port), '--gui-token', t.gui.token, '--heartbeat', '0.2'],
        ...['--port-start', String(20_000 + Math.floor(Math.random() * 20_000))],
      ],
      { stdio: 'ignore' },
    );
    try {
      await t.gui.waitFor(
        (s) => s.phase === 'ready' && s.plugins.some((p) => p.id === 'ValidateFailure'),
        20_000,
      );
      await run({ type: 'validate' });
      await page.getByRole('tab', { name: /Report/ }).click();
      const fields = await fieldsOf(page.getByRole('article', { name: 'ValidateFailure' }));
      expect(fields.Source).toBe('raise AssertionError("%s is broken: repair it" % instance.name)');
      expect(fields.Function).toBe('process');
      expect(fields).not.toHaveProperty('Exception');
    } finally {
      python.kill('SIGKILL');
    }
  });
});
