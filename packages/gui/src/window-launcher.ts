// Opening the page without putting its secret where other users can read it. A program's
// command line (/proc/PID/cmdline) is readable by every local user, so the browser is not given
// the page's address: it is given a launch file, owner-only in the owner-only runtime folder,
// that sends it on to the address with the secret in the URL fragment (which no server sees).
// The file is removed once a page has connected, or when the GUI closes. Jupyter's redirect file
// is the model.

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureRuntimeDir } from '@pyblish/host';
import { openWindow, type WindowOptions } from './browser.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes `<dir>/launch-<random>.html` (0600; `dir` made or kept 0700) that goes on to `url`. */
export function writeLaunchFile(dir: string, url: string): string {
  ensureRuntimeDir(dir);
  const path = join(dir, `launch-${randomBytes(12).toString('hex')}.html`);
  const href = escapeHtml(url);
  const fd = openSync(path, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(
      fd,
      '<!doctype html>\n<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">\n' +
        `<meta http-equiv="refresh" content="0;url=${href}"><title>Opening Pyblish</title></head>\n` +
        `<body><p>Opening Pyblish&hellip; If nothing happens, <a href="${href}">open the window</a>.</p></body></html>\n`,
    );
  } finally {
    closeSync(fd);
  }
  return path;
}

export interface WindowLauncherOptions {
  /** The page's address, with its secret in the fragment. */
  url: string;
  /** The runtime folder: launch files and the window's own browser profile live there. */
  dir: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** Opens windows on the page through launch files, and cleans up after them. */
export class WindowLauncher {
  private window: ChildProcess | null = null;
  private readonly launchFiles = new Set<string>();

  constructor(private readonly options: WindowLauncherOptions) {}

  /** A window this launcher started is still running. */
  get running(): boolean {
    return this.window !== null && this.window.exitCode === null && this.window.signalCode === null;
  }

  /** Opens a window; says so (with the address to open by hand) when none could be. */
  open(window: WindowOptions = {}): void {
    const { url, dir, env, log } = this.options;
    const failed = (reason: string) => log(`Could not open a window (${reason}). Open ${url} in a browser.`);
    let file: string;
    try {
      file = writeLaunchFile(dir, url);
    } catch (err) {
      failed((err as Error).message);
      return;
    }
    this.launchFiles.add(file);
    let opened: ChildProcess | null = null;
    opened = openWindow(pathToFileURL(file).href, dir, {
      ...window,
      env,
      onFail: (reason) => {
        if (this.window === opened) this.window = null;
        failed(reason);
      },
    });
    this.window = opened;
  }

  /** A page connected: the launch files have done their work. */
  pageConnected(): void {
    for (const file of this.launchFiles) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone: removed by hand, or the folder was cleaned.
      }
    }
    this.launchFiles.clear();
  }

  /** Removes what is left and closes the window it opened. */
  close(): void {
    this.pageConnected();
    if (this.running) this.window?.kill();
  }
}
