// What the page shows of hosts and of the artist's edits, end to end (the real GUI process, real
// hosts, the built page in headless Chromium): hosts met again after a GUI restart, toggles kept
// across Reset with their way back, toggles on their way to a slow Python host, and the comment
// boxes after a run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Gui, startGui } from '@pyblish/gui';
import type { ViewState } from '@pyblish/gui/view-model';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Browser, ensureBuilt, launchBrowser, WEB } from './support/browser.js';
import { startDemoHost } from './support/gui.js';

const PYTHON_HOST = join(WEB, '..', 'gui', 'test', 'python', 'host.py');
const WAIT = { timeout: 30_000, interval: 50 };
const eventually = (check: () => Promise<void> | void) => vi.waitFor(check, WAIT);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A GUI (Python hosts need --allow-unauthenticated) on `port`, with short liveness timings. */
async function gui(env: NodeJS.ProcessEnv, port = 0): Promise<Gui> {
  const started = await startGui({
    port,
    env,
    flushMs: 5,
    allowUnauthenticated: true,
    liveness: { tickMs: 100, probeAfterMs: 800, busyAfterMs: 1500, timeouts: { probe: 800, query: 20_000 } },
  });
  cleanups.push(() => started.close());
  return started;
}

function runtime(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'pyblish-web-edits-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { ...process.env, PYBLISH_RUNTIME_DIR: dir, PYBLISH_DEMO_DELAY: '20' };
}

/** The Python standard-library host (pyblish-qml 0.8's protocol), registered and shown. */
async function pythonHost(
  guiPort: number,
  args: string[] = [],
): Promise<{ port: number; proc: ChildProcess }> {
  const proc = spawn(
    'python3',
    [
      '-u',
      PYTHON_HOST,
      '--gui-port',
      String(guiPort),
      '--heartbeat',
      '0.2',
      '--port-start',
      String(20_000 + Math.floor(Math.random() * 20_000)),
      ...args,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  cleanups.push(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d;
      const ready = /HOST READY (\d+)/.exec(out);
      if (ready) resolve(Number(ready[1]));
    });
    proc.once('exit', () => reject(new Error(`the Python host exited:\n${out}`)));
  });
  return { port, proc };
}

async function openPage(url: string): Promise<Page> {
  ensureBuilt();
  const browser: Browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const page = await browser.context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(url);
  return page;
}

const tree = (page: Page, name: 'Instances' | 'Plug-ins') => page.getByRole('tree', { name });
const row = (page: Page, list: 'Instances' | 'Plug-ins', name: string) =>
  tree(page, list).getByRole('treeitem', { name, exact: true });
const footerMessage = (page: Page) => page.locator('footer output').first().textContent();

/** A GUI with the demo host shown, and the page open on it. */
async function demoPage(): Promise<{ g: Gui; page: Page }> {
  const env = runtime();
  const g = await gui(env);
  const host = await startDemoHost({ gui: g, env, close: async () => {} }, 'Maya (demo)');
  cleanups.push(() => host.kill());
  return { g, page: await openPage(g.url) };
}

const shownOn = (port: number) => (s: ViewState) =>
  s.hosts.find((h) => h.current)?.port === port && (s.phase === 'ready' || s.phase === 'finished');

describe('hosts after a GUI restart', () => {
  it('are listed by their titles (or honestly as a port), the banner says so, and choosing one shows it', async () => {
    const env = runtime();
    const first = await gui(env);
    const port = first.port;
    const ours = await startDemoHost({ gui: first, env, close: async () => {} }, 'Maya (demo)');
    cleanups.push(() => ours.kill());
    const python = await pythonHost(port);
    await first.waitFor(shownOn(python.port), 30_000);
    await first.close();

    const restarted = await gui(env, port);
    // Both come back by their heartbeats; ours also tells its settings when asked.
    await restarted.waitFor(
      (s) => s.hosts.length === 2 && s.hosts.some((h) => h.named && h.label === 'Maya (demo)'),
      30_000,
    );
    const page = await openPage(restarted.url);
    const banner = page.getByRole('alert');
    await eventually(async () =>
      expect(await banner.textContent()).toMatch(/2 hosts are running, but none is shown yet/),
    );
    const picker = page.getByRole('combobox', { name: 'Host' });
    // Listed by port: ours was given one from 9001 up, the Python host asked from 20000 up.
    const options = await picker.locator('option').allTextContents();
    expect(options).toEqual([
      'Choose a host to show..',
      expect.stringMatching(new RegExp(`^Maya \\(demo\\) \\(:${ours.port}, pid \\d+\\)$`)),
      `Host at port ${python.port}`,
    ]);
    expect(await picker.inputValue()).toBe('');

    await picker.selectOption(String(ours.port));
    await restarted.waitFor(shownOn(ours.port), 30_000);
    await eventually(async () => expect(await footerMessage(page)).toBe('Ready'));
    await row(page, 'Instances', 'Piraya12').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);

    await picker.selectOption(String(python.port));
    await restarted.waitFor(shownOn(python.port), 30_000);
    await row(page, 'Instances', 'Richard05').waitFor();
  }, 120_000);
});

describe('toggles', () => {
  it('are kept across Reset for the host, said on the page, with a "Reset toggles" way back', async () => {
    const { g, page } = await demoPage();
    const piraya = row(page, 'Instances', 'Piraya12');
    await piraya.locator('.check').click();
    await eventually(async () => expect(await piraya.getAttribute('aria-checked')).toBe('false'));
    const kept = page.getByRole('status').filter({ hasText: 'from the scene' });
    await eventually(async () =>
      expect(await kept.textContent()).toMatch(/1 toggle differs from the scene's defaults/),
    );

    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await eventually(async () => expect(await footerMessage(page)).toBe('Ready'));
    await g.controller.idle();
    await eventually(async () => expect(await piraya.getAttribute('aria-checked')).toBe('false'));
    expect(await kept.textContent()).toMatch(/keeps them for this host across Reset/);

    await kept.getByRole('button', { name: 'Reset toggles' }).click();
    await eventually(async () => expect(await piraya.getAttribute('aria-checked')).toBe('true'));
    await kept.waitFor({ state: 'detached' });
  }, 90_000);
});

describe('a section of thousands of toggles to a Python host', () => {
  it('shows its progress in the footer, and toggling the section back cancels what has not gone', async () => {
    const env = runtime();
    const g = await gui(env);
    await pythonHost(g.port, ['--instances', '3000']);
    await g.waitFor((s) => s.phase === 'ready' && s.instances.length === 3001, 30_000);
    const page = await openPage(g.url);
    const section = row(page, 'Instances', 'bench');
    await section.locator('.check').click();
    const delivery = page.getByRole('status').filter({ hasText: 'Sending toggles to the host' });
    await eventually(async () =>
      expect(await delivery.textContent()).toMatch(
        /Sending toggles to the host: [\d,]+ of 3,00\d.*toggle them back to cancel/,
      ),
    );
    await section.locator('.check').click();
    await delivery.waitFor({ state: 'detached', timeout: 60_000 });
    await eventually(async () => expect(await section.getAttribute('aria-checked')).toBe('true'));
    expect(g.snapshot().instances.every((i) => i.toggled)).toBe(true);
  }, 120_000);
});

describe('the comment boxes after a run', () => {
  it('are editable for the context and an instance alike, and say when the host gets the comment', async () => {
    const { g, page } = await demoPage();
    await page.getByRole('button', { name: 'Validate', exact: true }).click();
    await g.waitFor((s) => s.phase === 'finished', 30_000);

    await page.getByRole('button', { name: 'Comment', exact: true }).click();
    const context = page.getByRole('textbox', { name: 'Comment text' });
    expect(await context.getAttribute('readonly')).toBeNull();
    expect(await context.getAttribute('aria-description')).toBe(
      'The host gets it before the next run starts.',
    );

    await row(page, 'Instances', 'Piraya12').click();
    await page.keyboard.press('Enter');
    const details = page.getByRole('region', { name: 'Piraya12' });
    await details.getByText('Comment', { exact: true }).click();
    const instance = details.getByRole('textbox', { name: 'Comment on Piraya12' });
    expect(await instance.getAttribute('readonly')).toBeNull();
    expect(await instance.getAttribute('aria-description')).toBe(
      'The host gets it before the next run starts.',
    );
    expect(await details.textContent()).toContain('The host gets it before the next run starts.');
    await instance.fill('Re-check the scale');
    await eventually(() =>
      expect(g.snapshot().instances.find((i) => i.name === 'Piraya12')?.comment).toBe('Re-check the scale'),
    );
  }, 90_000);
});
