// Opening the window: a Chromium "app" window (no tabs, no address bar) with its own profile
// when Chromium or Chrome is installed, else the desktop's default browser. Never fatal: when
// nothing opens, the caller is told why and prints the URL for the user to open.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Chromium and Chrome under their usual names (looked up on PATH) or app paths. */
const CHROMIUMS: Record<string, string[]> = {
  darwin: [
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
  other: ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
};

export interface WindowOptions {
  /** Width and height in pixels (the host's WindowSize). */
  size?: [number, number];
  /** Left and top in pixels (the host's WindowPosition). */
  position?: [number, number];
}

/** What to run: a program and its arguments. */
export interface WindowCommand {
  command: string;
  args: string[];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium to use: $PYBLISH_CHROMIUM, else the first one found; null when there is none. */
export function findChromium(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (env.PYBLISH_CHROMIUM) return env.PYBLISH_CHROMIUM;
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of CHROMIUMS[platform === 'darwin' ? 'darwin' : 'other'] ?? []) {
    if (isAbsolute(name)) {
      if (executable(name)) return name;
      continue;
    }
    for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * The command line that opens `url`: Chromium in app mode with its own profile under
 * `profileDir`, sized and placed as the host asked; else the platform's URL opener.
 */
export function windowCommand(
  url: string,
  profileDir: string,
  chromium: string | null,
  options: WindowOptions = {},
  platform: NodeJS.Platform = process.platform,
): WindowCommand {
  if (chromium) {
    const args = [
      `--app=${url}`,
      `--user-data-dir=${join(profileDir, 'chromium-profile')}`,
      '--no-first-run',
      '--no-default-browser-check',
    ];
    if (options.size) args.push(`--window-size=${options.size[0]},${options.size[1]}`);
    if (options.position) args.push(`--window-position=${options.position[0]},${options.position[1]}`);
    return { command: chromium, args };
  }
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '', url] };
  return { command: 'xdg-open', args: [url] };
}

/**
 * Opens `url` in a window. Returns the process it started, or null when none could be; a
 * program that is missing or fails to start is reported through `onFail`, never thrown.
 */
export function openWindow(
  url: string,
  profileDir: string,
  options: WindowOptions & { env?: NodeJS.ProcessEnv; onFail?(reason: string): void } = {},
): ChildProcess | null {
  const env = options.env ?? process.env;
  const chromium = findChromium(env);
  const { command, args } = windowCommand(url, profileDir, chromium, options);
  const fail = (reason: string) => options.onFail?.(reason);
  try {
    if (chromium) mkdirSync(join(profileDir, 'chromium-profile'), { recursive: true, mode: 0o700 });
    const child = spawn(command, args, { stdio: 'ignore', detached: true, env });
    child.on('error', (err) => fail(`${command}: ${err.message}`));
    // No display, say: the program starts, then gives up.
    child.on('exit', (code) => {
      if (code) fail(`${command} exited with status ${code}`);
    });
    child.unref();
    return child;
  } catch (err) {
    fail(`${command}: ${(err as Error).message}`);
    return null;
  }
}
