// Opening the window: a Chromium "app" window (no tabs, no address bar) with its own profile
// when Chromium or Chrome is installed, else the desktop's default browser. Never fatal: when
// nothing opens, the URL is printed and the user opens it.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const CHROMIUMS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

function launch(command: string, args: string[]): ChildProcess | null {
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return child;
  } catch {
    return null;
  }
}

/** Opens `url` in a window; returns the process it started (null when none could be). */
export function openWindow(url: string, profileDir: string, size?: [number, number]): ChildProcess | null {
  const chromium = CHROMIUMS.find((p) => existsSync(p));
  if (chromium) {
    const profile = join(profileDir, 'chromium-profile');
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    const args = [
      `--app=${url}`,
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--no-default-browser-check',
    ];
    if (size) args.push(`--window-size=${size[0]},${size[1]}`);
    return launch(chromium, args);
  }
  if (process.platform === 'darwin') return launch('open', [url]);
  if (process.platform === 'win32') return launch('cmd', ['/c', 'start', '', url]);
  return launch('xdg-open', [url]);
}
