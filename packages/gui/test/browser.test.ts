import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findChromium, openWindow, windowCommand } from '../src/browser.js';
import { cleanup, pythonHost, testGui } from './helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  await cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyblish-browser-test-'));
  dirs.push(dir);
  return dir;
}

/** An environment in which no browser and no URL opener can be found. */
function browserless(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: tempDir(), PYBLISH_RUNTIME_DIR: tempDir() };
  delete env.PYBLISH_CHROMIUM;
  return env;
}

const URL = 'file:///run/pyblish/launch-0123.html';

describe('opening the window', () => {
  it('opens Chromium as an app window with its own profile, sized and placed as the host asked', () => {
    const { command, args } = windowCommand(URL, '/run/pyblish', '/usr/bin/chromium', {
      size: [800, 600],
      position: [40, 70],
    });
    expect(command).toBe('/usr/bin/chromium');
    expect(args).toContain(`--app=${URL}`);
    expect(args).toContain('--user-data-dir=/run/pyblish/chromium-profile');
    expect(args).toContain('--window-size=800,600');
    expect(args).toContain('--window-position=40,70');
  });

  it("uses the desktop's URL opener when there is no Chromium", () => {
    expect(windowCommand(URL, '/run', null, {}, 'linux')).toEqual({ command: 'xdg-open', args: [URL] });
    expect(windowCommand(URL, '/run', null, {}, 'darwin')).toEqual({ command: 'open', args: [URL] });
    expect(windowCommand(URL, '/run', null, {}, 'win32').args.at(-1)).toBe(URL);
  });

  it('finds Chromium on PATH, or $PYBLISH_CHROMIUM, and none on a PATH without it', () => {
    expect(findChromium({ PATH: '/usr/bin' }, 'linux')).toBe('/usr/bin/chromium');
    expect(findChromium({ PATH: tempDir() }, 'linux')).toBeNull();
    expect(findChromium({ PATH: tempDir(), PYBLISH_CHROMIUM: '/opt/c/chrome' }, 'linux')).toBe(
      '/opt/c/chrome',
    );
  });

  it('says why nothing opened when no browser exists, without throwing', async () => {
    const reason = await new Promise<string>((resolve) => {
      openWindow(URL, tempDir(), { env: browserless(), onFail: resolve });
    });
    expect(reason).toMatch(/xdg-open|open|cmd/);
  });

  it('a GUI on a machine without a browser prints the address to open and keeps working', async () => {
    const lines: string[] = [];
    const env = browserless();
    const gui = await testGui({ openBrowser: true, env, log: (line) => lines.push(line) });
    await pythonHost(gui);
    const state = await gui.waitFor((s) => s.phase === 'ready');
    expect(state.fault).toBeNull();
    // The opener fails asynchronously (spawn's error event): look for its line for a while.
    for (let i = 0; i < 250 && !lines.some((l) => l.includes(gui.url)); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(lines.find((l) => l.includes(gui.url))).toMatch(
      /^Could not open a window .*Open http:\/\/127\.0\.0\.1:\d+\/#secret=/,
    );
  });
});
