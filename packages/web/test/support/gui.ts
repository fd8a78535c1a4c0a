// The real GUI process (startGui from @pyblish/gui) on ephemeral ports with short liveness
// timings, and real TypeScript hosts serving the demo plug-ins (`pyblish host --demo`).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Gui, type GuiOptions, startGui } from '@pyblish/gui';
import type { ViewState } from '@pyblish/gui/view-model';
import { WEB } from './browser.js';

const CLI = join(WEB, '..', 'cli', 'bin', 'pyblish.mjs');

export interface TestGui {
  gui: Gui;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** The GUI for page tests; `demoDelayMs` is how long the demo's slow steps take (default 1 s). */
export async function startTestGui({
  demoDelayMs,
  ...options
}: GuiOptions & { demoDelayMs?: number } = {}): Promise<TestGui> {
  const runtime = mkdtempSync(join(tmpdir(), 'pyblish-web-e2e-'));
  // The slow extractor takes a second by default (long enough to watch its records stream, short
  // enough for the suite); the runtime directory isolates the token file.
  const delay = String(demoDelayMs ?? 1000);
  const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime, PYBLISH_DEMO_DELAY: delay };
  const gui = await startGui({
    port: 0,
    env,
    flushMs: 5,
    liveness: { tickMs: 100, probeAfterMs: 800, busyAfterMs: 1500, timeouts: { probe: 800, query: 20_000 } },
    ...options,
  });
  return {
    gui,
    env,
    async close() {
      await gui.close();
      rmSync(runtime, { recursive: true, force: true });
    },
  };
}

export interface DemoHost {
  port: number;
  proc: ChildProcess;
  output: string[];
  kill(): Promise<void>;
}

/** Starts `pyblish host --demo --register` and resolves once the GUI shows it. */
export async function startDemoHost(t: TestGui, title: string): Promise<DemoHost> {
  const before = new Set(t.gui.snapshot().hosts.map((h) => h.port));
  const proc = spawn(
    process.execPath,
    [CLI, 'host', '--demo', '--register', '--gui-port', String(t.gui.port), '--title', title],
    { stdio: ['ignore', 'pipe', 'pipe'], env: t.env },
  );
  const output: string[] = [];
  proc.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  proc.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const shown = (s: ViewState) =>
    s.hosts.some((h) => h.current && !before.has(h.port)) && s.phase === 'ready';
  const state = await Promise.race([
    t.gui.waitFor(shown, 30_000),
    exited.then(() => {
      throw new Error(`the demo host exited before the GUI showed it:\n${output.join('')}`);
    }),
  ]);
  return {
    port: state.hosts.find((h) => h.current)?.port ?? 0,
    proc,
    output,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
