// A saved report in the browser (`pyblish-gui --open-report FILE`): the report of a real
// publish (the demo host, stopped by failed validation), shown read-only in headless Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReportViewer, type ReportViewer, writeReportFile } from '@pyblish/gui';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser } from './support/browser.js';
import { startDemoHost, startTestGui } from './support/gui.js';

let dir: string;
let file: string;
let viewer: ReportViewer;
let browser: Browser;
let page: Page;

const item = (list: 'Instances' | 'Plug-ins', name: string) =>
  page.getByRole('tree', { name: list }).getByRole('treeitem', { name, exact: true });
const button = (name: string) => page.getByRole('button', { name, exact: true });

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pyblish-web-report-'));
  file = join(dir, 'maya-publish.json');
  const t = await startTestGui();
  try {
    const host = await startDemoHost(t, 'Maya (demo)');
    const reply = await t.gui.controller.command({ type: 'publish' });
    if (!reply.ok) throw new Error(reply.error.message);
    await t.gui.controller.idle();
    writeReportFile(file, t.gui.report());
    await host.kill();
  } finally {
    await t.close();
  }
  viewer = await openReportViewer({ file });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(viewer.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a saved report in the browser', () => {
  it('says it is a saved report and offers nothing to run', async () => {
    const banner = page.getByRole('status').filter({ hasText: 'Saved report' });
    expect(await banner.textContent()).toMatch(
      new RegExp(
        `^Saved report: ${file.replaceAll('.', '\\.')}, from Maya \\(demo\\), started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`,
      ),
    );
    for (const name of ['Publish', 'Validate', 'Reset', 'Stop'])
      expect(await button(name).isEnabled()).toBe(false);
    expect(await page.locator('footer output').first().textContent()).toBe(
      'Stopped due to failed validation',
    );
    expect(await item('Plug-ins', 'Validate naming').getAttribute('aria-description')).toBe('Failed');
    expect(await item('Instances', 'tree01 (bad name)').getAttribute('aria-description')).toBe('Failed');
    expect(await item('Plug-ins', 'Integrate assets').getAttribute('aria-description')).toBe('Skipped');
  });

  it('shows the failed validator in the Report tab, without repairs', async () => {
    await page.getByRole('tab', { name: /Report/ }).click();
    const naming = page.getByRole('article', { name: 'Validate naming' });
    expect(await naming.textContent()).toContain('must start with a capital letter');
    await naming.getByRole('button', { name: 'tree01 (bad name)' }).waitFor();
    expect(await page.getByRole('button', { name: 'Repair' }).count()).toBe(0);
  });

  it('shows the records of the run in the Terminal', async () => {
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const log = page.getByRole('log', { name: 'Terminal' });
    // The terminal is virtual: filter it down to the lines to look for.
    const filter = page.getByRole('searchbox', { name: 'Filter terminal' });
    await filter.fill('Collected');
    await log.getByText(/Collected \d+ instances\./).waitFor();
    await filter.fill('capital letter');
    await log
      .getByText(/must start with a capital letter/)
      .first()
      .waitFor();
  });
});
