// The page's smaller manners, against the scripted stand-in for the GUI process: where focus goes,
// what the terminal filter keeps, plurals, plug-in docs with markup, and the footer's words.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Browser, ensureBuilt, openPage } from './support/browser.js';
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
  ({ browser, page } = await openPage(fixture.url, 'model_asset_00000'));
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
    // In view, where the list was left: not scrolled back to the top, not blank.
    const inView = () => {
      const r = document.activeElement?.getBoundingClientRect();
      const list = document.querySelector('[role="tree"][aria-label="Instances"]')?.getBoundingClientRect();
      return Boolean(r && list && r.top >= list.top - 1 && r.bottom <= list.bottom + 1);
    };
    expect(await page.evaluate(inView)).toBe(true);
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

  it("renders a plug-in doc's few tags itself and never the host's HTML", async () => {
    fixture.patch({
      plugins: [
        {
          id: 'extract',
          doc: 'Writes <b>every</b> frame.<br>See <a href="https://pyblish.com" onclick="window.__owned = 1">pyblish.com</a>. <script>window.__owned = 2</script><img src="x" onerror="window.__owned = 3">Frames go to <shot>/frames.',
        },
      ],
    });
    await page
      .getByRole('tree', { name: 'Plug-ins' })
      .getByRole('treeitem', { name: 'Extract frames', exact: true })
      .getByRole('button', { name: 'Details of Extract frames' })
      .click();
    const doc = page.getByRole('region', { name: 'Extract frames' }).locator('.doc');
    await doc.waitFor();
    expect(await doc.textContent()).toBe('Writes every frame.See pyblish.com. Frames go to <shot>/frames.');
    expect(await doc.locator('b').textContent()).toBe('every');
    const link = doc.getByRole('link', { name: 'pyblish.com' });
    expect(await link.getAttribute('href')).toBe('https://pyblish.com');
    expect(await link.getAttribute('onclick')).toBeNull();
    expect(await doc.locator('script, img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __owned?: number }).__owned)).toBeUndefined();
    await page.keyboard.press('Escape');
  });
});

describe('the footer', () => {
  const words = ['Reset', 'Validate', 'Publish', 'Stop'];
  const shown = () =>
    Promise.all(
      words.map((name) =>
        page
          .locator('footer')
          .getByRole('button', { name, exact: true })
          .evaluate((b) => ({
            // biome-ignore lint/performance/useDomNodeTextContent: the words shown, which CSS decides
            text: (b as HTMLElement).innerText.trim(),
            icon: b.querySelector('svg') !== null,
          })),
      ),
    );

  it('says what its buttons do where there is room, and keeps their icons and names where there is not', async () => {
    try {
      await page.setViewportSize({ width: 1000, height: 700 });
      expect(await shown()).toEqual(words.map((text) => ({ text, icon: true })));
      // Still room for the status message beside them.
      expect(
        await page.locator('footer output').evaluate((e) => e.getBoundingClientRect().width),
      ).toBeGreaterThan(150);
      // pyblish-qml's default window: icons only, the names stay for keyboard and screen-reader users.
      await page.setViewportSize({ width: 430, height: 600 });
      expect(await shown()).toEqual(words.map(() => ({ text: '', icon: true })));
    } finally {
      await page.setViewportSize({ width: 1000, height: 700 });
    }
  });
});
