// Headless Debian Chromium through playwright-core, with the flags this machine (and CI) needs,
// and the page bundle built when it is missing or older than its sources.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { DEFAULT_DIST } from '../../../gui/src/web-server.js';

export const WEB = join(import.meta.dirname, '..', '..');
export const CHROMIUM = process.env.PYBLISH_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds the page into packages/gui/dist/web unless it is newer than every source file. */
export function ensureBuilt(): void {
  const built = (() => {
    try {
      return statSync(join(DEFAULT_DIST, 'index.html')).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const sources = Math.max(newest(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs);
  if (built > sources) return;
  // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
  execFileSync('npm', ['run', 'build', '-w', '@pyblish/web'], {
    cwd: join(WEB, '..', '..'),
    stdio: 'pipe',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time, so no cookie or theme leaks between runs. */
export async function launchBrowser(
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'pyblish-web-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    acceptDownloads: true,
    viewport: { width: options.width ?? 1000, height: options.height ?? 700 },
    colorScheme: options.dark === false ? 'light' : 'dark',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh browser with one page at `url` (10 s for each step), once `ready` is on it. */
export async function openPage(url: string, ready: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(url);
  await page.getByRole('treeitem', { name: ready, exact: true }).waitFor();
  return { browser, page };
}

/** After a failing test, leaves a picture of the page behind for whoever reads the failure. */
export function screenshotFailures(page: () => Page | undefined): void {
  afterEach(async (ctx) => {
    const shown = page();
    if (ctx.task.result?.state !== 'fail' || !shown) return;
    const path = `${process.env.TMPDIR ?? '/tmp'}/pyblish-web-${ctx.task.name.replace(/\W+/g, '-')}.png`;
    await shown.screenshot({ path }).catch(() => undefined);
    console.error(`screenshot of the failure: ${path}`);
  });
}
