// The page's smaller manners, against the scripted stand-in for the GUI process: where focus goes,
// what the terminal filter keeps, plurals, plug-in docs with markup, and the footer's words.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser } from './support/browser.js';
import { type Fixture, largeState, pluginRow, startFixture } from './support/fixture.js';

let fixture: Fixture;
let browser: Browser;
let page: Page;
const eventually = (check: () => Promise<void> | void) =>
  vi.waitFor(check, { timeout: 10_000, interval: 50 });
const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

beforeAll(async () => {
  ensureBuilt();
  const state = largeState(200, 0);
  state.plugins.push(
    pluginRow('validate', 'Validate names', 1, { compatibleCount: 200 }),
    pluginRow('extract', 'Extract frames', 2, { compatibleCount: 200 }),
  );
  fixture = await startFixture(state);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(fixture.url);
  await page.getByRole('treeitem', { name: 'model_asset_00000', exact: true }).waitFor();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
});

describe('the page', () => {
  it('gives keyboard focus back to the row when Details is left with Escape', async () => {
    const tree = page.getByRole('tree', { name: 'Instances' });
    await tree.getByRole('treeitem', { name: 'model_asset_00000', exact: true }).click();
    // Down the list, away from the rows shown first.
    for (let i = 0; i < 60; i++) await page.keyboard.press('ArrowDown');
    const row = await focused();
    expect(row).toMatch(/_asset_/);
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: row ?? '' }).waitFor();
    await page.keyboard.press('Escape');
    await eventually(async () => expect(await focused()).toBe(row));
    // The keys work on from there.
    await page.keyboard.press('ArrowDown');
    await eventually(async () => expect(await focused()).not.toBe(row));
  });

  it('keeps the heading of each plug-in with a record the terminal filter matches', async () => {
    const record = (pluginId: string, message: string) =>
      ({
        type: 'record',
        pluginId,
        instanceId: null,
        record: {
          message,
          levelname: 'INFO',
          levelno: 20,
          name: pluginId,
          filename: 'plugins.ts',
          pathname: '/plugins.ts',
          lineno: 1,
          funcName: 'process',
          threadName: 'main',
          created: 0,
          msecs: 0,
        },
      }) as const;
    fixture.terminal([
      { type: 'plugin', pluginId: 'validate', label: 'Validate names' },
      { type: 'instance', pluginId: 'validate', instanceId: 'i1', label: 'rig_asset_00001' },
      record('validate', 'Name checked: mesh_01'),
      { type: 'plugin', pluginId: 'extract', label: 'Extract frames' },
      record('extract', 'Wrote 24 frames'),
    ]);
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('mesh');
    const log = page.getByRole('log', { name: 'Terminal' });
    await log.getByText('Name checked: mesh_01').waitFor();
    expect(await log.locator('.entry').allTextContents()).toEqual([
      'Validate names',
      'Name checked: mesh_01',
    ]);
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('');
    await page.getByRole('tab', { name: 'Overview' }).click();
  });

  it('counts one thing in the singular', async () => {
    fixture.patch({ plugins: [{ id: 'validate', hasError: true, status: 'failed' }] });
    await page
      .getByRole('tab', { name: /Report/ })
      .getByRole('img', { name: '1 failing plug-in' })
      .waitFor();
    fixture.patch({ state: { terminalDropped: 1 } });
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByText('1 earlier entry dropped').waitFor();
    await page.getByRole('tab', { name: 'Overview' }).click();
    fixture.patch({ plugins: [{ id: 'validate', hasError: false, status: 'idle' }] });
  });
});
