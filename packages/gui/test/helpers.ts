// Shared pieces of the GUI tests: a GUI on ephemeral ports with short liveness timings, and
// real hosts (the Python standard-library host, our TypeScript host) in child processes.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Gui, type GuiOptions, startGui } from '../src/index.js';
import type { InstanceRow, PluginRow, ViewState } from '../src/view-model.js';

export const PYTHON_HOST = fileURLToPath(new URL('./python/host.py', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface TestGui extends Gui {
  runtime: string;
  env: NodeJS.ProcessEnv;
}

const cleanups: Array<() => Promise<void> | void> = [];

/** Runs every cleanup registered by the helpers (call from afterEach). */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()?.();
}

export async function testGui(options: GuiOptions = {}): Promise<TestGui> {
  const runtime = mkdtempSync(join(tmpdir(), 'pyblish-gui-test-'));
  const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime };
  const gui = await startGui({
    port: 0,
    allowUnauthenticated: true,
    env,
    flushMs: 5,
    ...(process.env.GUI_TEST_LOG ? { log: (line: string) => process.stderr.write(`GUI: ${line}\n`) } : {}),
    liveness: { tickMs: 100, probeAfterMs: 1000, busyAfterMs: 500, timeouts: { probe: 1000, query: 10_000 } },
    ...options,
  });
  cleanups.push(async () => {
    await gui.close();
    rmSync(runtime, { recursive: true, force: true });
  });
  return Object.assign(gui, { runtime, env });
}

export interface HostProcess {
  port: number;
  proc: ChildProcess;
  output: string[];
  /** Resolves with the first output line matching. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  send(line: string): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Follows a host process's output: `line` waits for a line matching (failing at once when the
 * process exits first), `kill` ends it and waits for the exit, `exited` has its exit code.
 */
export function watch(proc: ChildProcess, lineTimeoutMs = 15_000) {
  const output: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    output.push(...lines);
    for (const w of [...waiters]) w();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  void exited.then(() => {
    for (const w of [...waiters]) w();
  });
  const line = (pattern: RegExp, timeoutMs = lineTimeoutMs) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = output.find((l) => pattern.test(l));
        if (found !== undefined) {
          done();
          resolve(found);
        } else if (proc.exitCode !== null || proc.signalCode !== null) {
          done();
          reject(new Error(`the host exited before printing ${pattern}:\n${output.join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} from the host within ${timeoutMs} ms:\n${output.join('\n')}`));
      }, timeoutMs);
      const done = () => {
        waiters.delete(check);
        clearTimeout(timer);
      };
      waiters.add(check);
      check();
    });
  const send = (text: string) => {
    proc.stdin?.write(`${text}\n`);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return { proc, output, line, send, kill, exited };
}

function randomStart(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

/** Starts the Python standard-library host; it registers with the GUI and calls show. */
export async function pythonHost(
  gui: { port: number; token?: string },
  args: string[] = [],
): Promise<HostProcess> {
  const proc = spawn(
    'python3',
    // Tests run beside other GUIs: start each host's port search somewhere else.
    [
      '-u',
      PYTHON_HOST,
      '--gui-port',
      String(gui.port),
      '--heartbeat',
      '0.2',
      '--port-start',
      String(randomStart()),
      ...args,
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const host = watch(proc);
  cleanups.push(() => host.kill());
  const ready = await host.line(/^HOST READY \d+/);
  return { ...host, port: Number(ready.split(' ')[2]) };
}

export const TEST_PLUGINS = fileURLToPath(new URL('./fixtures/plugins', import.meta.url));

/**
 * Starts our TypeScript host through the CLI (`pyblish host`) with the test plug-ins (the same
 * as the Python host's, unless others are given), registered with the GUI; resolves once the GUI
 * shows it.
 */
export async function tsHost(
  gui: TestGui,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  plugins = TEST_PLUGINS,
): Promise<HostProcess> {
  const before = new Set(gui.snapshot().hosts.map((h) => h.port));
  const cli = join(REPO, 'packages/cli/bin/pyblish.mjs');
  const proc = spawn(
    process.execPath,
    [cli, 'host', '--register', '--gui-port', String(gui.port), '--plugin-path', plugins, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...gui.env, ...env } },
  );
  const host = watch(proc);
  cleanups.push(() => host.kill());
  const shown = await Promise.race([
    gui.waitFor((s) => s.hosts.some((h) => h.current && !before.has(h.port)), 30_000),
    host.line(/^\0never/, 30_000),
  ]);
  const port = (shown as ReturnType<TestGui['snapshot']>).hosts.find((h) => h.current)?.port ?? 0;
  return { ...host, port };
}

export function instanceByName(state: ViewState, name: string): InstanceRow {
  const row = state.instances.find((i) => i.name === name);
  if (!row) throw new Error(`no instance ${name} in ${state.instances.map((i) => i.name).join(', ')}`);
  return row;
}

export function pluginByName(state: ViewState, name: string): PluginRow {
  const row = state.plugins.find((p) => p.name === name);
  if (!row) throw new Error(`no plug-in ${name} in ${state.plugins.map((p) => p.name).join(', ')}`);
  return row;
}

/** Sends a command and fails the test when the GUI refuses it. */
export async function command(gui: Gui, c: Parameters<Gui['controller']['command']>[0]): Promise<void> {
  const reply = await gui.controller.command(c);
  if (!reply.ok) throw new Error(`${c.type} refused: ${reply.error.message}`);
}

export const settled = (s: ViewState) => s.phase === 'ready' || s.phase === 'finished';
