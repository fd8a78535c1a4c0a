// The report of a headless publish in headless Chromium: the banner names the pyblish CLI, its
// targets and plug-in paths instead of a host, and the plug-in that failed to load is in the
// Terminal. The page helpers are the web package's (the same browser flags and bundle build).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openReportViewer, type ReportViewer } from '@pyblish/gui';
import { afterAll, expect, it } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser } from './support/browser.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

let dir: string | undefined;
let viewer: ReportViewer | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('says a headless publish report comes from the pyblish CLI, and lists what failed to load', async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'pyblish-headless-browser-'));
  const file = join(dir, 'farm.json');
  const cli = spawn(
    process.execPath,
    [join(REPO, 'packages/cli/bin/pyblish.mjs'), 'publish', '--demo', '--json', file],
    { cwd: dir, stdio: 'ignore', env: { ...process.env, PYBLISH_PLUGINPATH: '', PYBLISH_DEMO_DELAY: '1' } },
  );
  expect(await new Promise((resolve) => cli.on('close', resolve))).toBe(1);
  const report = JSON.parse(readFileSync(file, 'utf8'));

  viewer = await openReportViewer({ file });
  browser = await launchBrowser();
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(viewer.url);

  const banner = page.getByRole('status').filter({ hasText: 'Headless publish report' });
  expect(await banner.textContent()).toBe(
    `Headless publish report: ${file}, from the pyblish CLI (pyblish ${report.pyblish.version}; targets: default; plug-ins from ${report.pluginPaths.join(', ')}), written ${viewer.snapshot().savedReport?.finishedAt?.replace(/^(.{10})T(.{8}).*$/, '$1 $2 UTC')}. Read-only: nothing here runs.`,
  );
  expect(await page.getByRole('button', { name: 'Publish', exact: true }).isEnabled()).toBe(false);

  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.getByRole('searchbox', { name: 'Filter terminal' }).fill('Discovery');
  const reason = report.discovery.errors[0].reason as string;
  await page.getByRole('log', { name: 'Terminal' }).getByText(reason, { exact: false }).waitFor();
}, 60_000);
