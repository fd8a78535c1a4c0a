// "Publish on farm" in the window, end to end: the real GUI process with a real redis-server as
// its farm, a real `pyblish worker` process, our TypeScript host serving the example plug-ins of
// docs/farm.md with one asset that cannot be extracted, and the built page in headless Chromium.
import { readFileSync } from 'node:fs';
import type { Report } from '@pyblish/gui/view-model';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type FarmHost,
  farmHost,
  integrated,
  outDir,
  patientLiveness,
  redisForTests,
  startWorker,
  stopWorkers,
} from '../../gui/test/farm-host.js';
import { type Browser, ensureBuilt, launchBrowser, screenshotFailures } from './support/browser.js';
import { startTestGui, type TestGui } from './support/gui.js';

const redis = redisForTests();
let worker: Awaited<ReturnType<typeof startWorker>>;
let t: TestGui;
let page: Page;
const out = outDir();
/** What beforeAll started, undone in the reverse order (only what did start). */
const started: Array<() => Promise<unknown>> = [];

const eventually = (check: () => Promise<void> | void) =>
  vi.waitFor(check, { timeout: 60_000, interval: 50 });
const button = (name: string) => page.getByRole('button', { name, exact: true });
const message = () => page.locator('footer output').first().textContent();
const item = (list: 'Instances' | 'Plug-ins', name: string) =>
  page.getByRole('tree', { name: list }).getByRole('treeitem', { name, exact: true });

beforeAll(async () => {
  ensureBuilt();
  worker = await startWorker(redis.server.url);
  started.push(() => stopWorkers([worker]));
  t = await startTestGui({
    farm: { farm: redis.server.url, open: { attempts: 2, backoffMs: 50 } },
    liveness: patientLiveness,
  });
  started.push(() => t.close());
  // Each extraction takes a moment, so the window shows the jobs while they run.
  const host: FarmHost = await farmHost(t.gui, t.env, { assets: 3, out, failing: 'asset_0001', waitMs: 400 });
  started.push(() => host.kill());
  const browser: Browser = await launchBrowser();
  started.push(() => browser.close());
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(t.gui.url);
}, 90_000);

screenshotFailures(() => page);

afterAll(async () => {
  for (const undo of started.reverse()) await undo();
});

describe('Publish on farm, in the window', () => {
  it('shows the farm jobs as they run and the failing instance with its error and farm machine', async () => {
    await item('Instances', 'asset_0001').waitFor();
    const farm = button('Publish on farm');
    expect(await farm.getAttribute('title')).toContain(redis.server.url);
    // The footer's words while the farm works, seen as they change.
    await page.evaluate(`(() => {
      window.__said = [];
      const out = document.querySelector('footer output');
      new MutationObserver(() => window.__said.push(out.textContent)).observe(out, { childList: true, subtree: true, characterData: true });
    })()`);
    await farm.click();
    await eventually(async () =>
      expect(await message()).toBe('Published on the farm, with errors.. (1 retry)'),
    );
    const said = (await page.evaluate('window.__said')) as string[];
    expect(said).toContainEqual(expect.stringMatching(/^On the farm: [0-3] of 4 jobs done$/));
    expect(await farm.isEnabled()).toBe(true);

    expect(await item('Instances', 'asset_0001').getAttribute('aria-description')).toBe('Failed');
    expect(await item('Instances', 'asset_0000').getAttribute('aria-description')).toBe('Succeeded');
    expect(await item('Plug-ins', 'Extract model').getAttribute('aria-description')).toBe('Failed');

    // The Report: the error once, its instance, and the farm machine of its last run.
    await page.getByRole('tab', { name: /Report/ }).click();
    const card = page.getByRole('article', { name: 'Extract model' });
    await card.getByText('Cannot extract asset_0001: its geometry has no faces.').waitFor();
    await card.getByRole('button', { name: 'asset_0001' }).waitFor();
    expect(await card.getByRole('button', { name: 'asset_0000' }).count()).toBe(0);
    const machine = `:${worker.pid}`;
    expect(await card.locator('.farm-where').textContent()).toMatch(
      new RegExp(`^On the farm: \\S+${machine}, attempt 2$`),
    );
    expect(await card.textContent()).toContain('extract_model.ts:');

    // The Terminal: the farm's records as they were logged, on their machine, and the retry.
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const log = page.getByRole('log', { name: 'Terminal' });
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('asset_0002');
    await log.getByText(new RegExp(`^extracted asset_0002 on \\S+${machine} \\(attempt 1\\)$`)).waitFor();
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('runs again');
    await log
      .getByText(/^Job asset_0001 runs again on \S+ \(attempt 2\): the previous attempt failed/)
      .waitFor();
    await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('');

    // Export report: the farm's pairs, jobs and machines are in it.
    const [download] = await Promise.all([page.waitForEvent('download'), button('Export report').click()]);
    const report = JSON.parse(readFileSync((await download.path()) as string, 'utf8')) as Report;
    expect(report).toMatchObject({
      kind: 'farm',
      success: false,
      message: 'Published on the farm, with errors.. (1 retry)',
    });
    const publish = report.farm?.[0];
    expect(publish?.jobs.map((j) => j.state).sort()).toEqual(['failed', 'finished', 'finished', 'skipped']);
    const failed = report.results.filter((r) => r.farm && !r.success);
    expect(failed.map((r) => [r.pluginId, r.farm?.attempt])).toEqual([
      ['ExtractModel', 1],
      ['ExtractModel', 2],
    ]);
    expect(failed[1]?.farm?.machine).toMatch(new RegExp(`${machine}$`));
    expect(integrated(out, publish?.publishId ?? '')).toEqual(['asset_0000', 'asset_0002']);
  }, 120_000);
});
