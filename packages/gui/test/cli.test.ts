import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../src/view-model.js';
import { PYTHON_HOST, REPO } from './helpers.js';

const BIN = join(REPO, 'packages/gui/bin/pyblish-gui.mjs');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Run {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp): Promise<void>;
  exit: Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv, command = process.execPath, prefix = [BIN]): Run {
  const child = spawn(command, [...prefix, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (c: Buffer) => {
    text += c.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exit,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        void exit.then(() => {
          if (!pattern.test(text)) reject(new Error(`exited without ${pattern}:\n${text}`));
        });
        check();
      }),
  };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function runtime(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'pyblish-gui-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { ...process.env, PYBLISH_RUNTIME_DIR: dir };
}

describe('pyblish-gui', () => {
  it('refuses to start a second GUI on the same port, and --kill replaces the running one', async () => {
    const env = runtime();
    const port = await freePort();
    const first = run(['--port', String(port), '--no-browser'], env);
    await first.waitFor(/Window: http:\/\/127\.0\.0\.1:\d+\/#secret=/);
    expect(first.output()).toMatch(/hosts find it at 127\.0\.0\.1:\d+/);

    const second = run(['--port', String(port), '--no-browser'], env);
    expect(await second.exit).toBe(1);
    expect(second.output()).toMatch(/a Pyblish GUI already runs at 127\.0\.0\.1:\d+ \(process \d+\)/);
    expect(first.child.exitCode).toBeNull();

    const third = run(['--port', String(port), '--no-browser', '--kill'], env);
    await third.waitFor(/hosts find it at/);
    expect(third.output()).toMatch(/Stopped the Pyblish GUI at port/);
    expect(await first.exit).toBe(1);
    third.child.kill('SIGTERM');
    expect(await third.exit).toBe(0);
  });

  it('fails loudly when another program holds the port', async () => {
    const squatter: Server = await new Promise((resolve) => {
      const s = createServer((socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const port = (squatter.address() as { port: number }).port;
      const gui = run(['--port', String(port), '--no-browser'], runtime());
      expect(await gui.exit).toBe(1);
      expect(gui.output()).toMatch(/port \d+ is in use by another program/);
    } finally {
      squatter.close();
    }
  });

  it('checks its farm options (--farm, PYBLISH_FARM) before it starts', async () => {
    const port = String(await freePort());
    const refused = async (args: string[], env: NodeJS.ProcessEnv, status: number, says: string) => {
      const gui = run(args, env);
      expect(await gui.exit).toBe(status);
      expect(gui.output()).toContain(says);
    };
    await Promise.all([
      refused(
        ['--port', port, '--no-browser', '--farm', 'ftp://farm:21'],
        runtime(),
        1,
        '--farm must be "local" or redis://[user:password@]HOST:PORT',
      ),
      refused(
        ['--port', port, '--no-browser'],
        { ...runtime(), PYBLISH_FARM: 'farm.studio:6379' },
        1,
        'not "farm.studio:6379"',
      ),
      refused(
        ['--port', port, '--no-browser', '--farm', 'local', '--farm-attempts', '0'],
        runtime(),
        1,
        '--farm-attempts must be a whole number, 1 or more, not "0"',
      ),
      refused(['--open-report', 'r.json', '--farm', 'local'], runtime(), 2, 'drop --farm'),
    ]);
  }, 90_000);

  it('publishes headless with --auto-publish and writes the report with --report', async () => {
    const env = runtime();
    const port = await freePort();
    const reportFile = join(env.PYBLISH_RUNTIME_DIR as string, 'report.json');
    const gui = run(
      [
        '--port',
        String(port),
        '--no-browser',
        '--allow-unauthenticated',
        '--auto-publish',
        '--report',
        reportFile,
      ],
      env,
    );
    await gui.waitFor(/hosts find it at/);
    expect(gui.output()).toMatch(/authentication is off/);
    const host = run(['--gui-port', String(port), '--heartbeat', '0.2'], env, 'python3', ['-u', PYTHON_HOST]);
    await host.waitFor(/HOST READY/);
    await expect
      .poll(
        () => {
          try {
            return (JSON.parse(readFileSync(reportFile, 'utf8')) as Report).kind;
          } catch {
            return null;
          }
        },
        { timeout: 15_000 },
      )
      .toBe('publish');
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.message).toBe('Stopped due to failed validation');
    expect(report.success).toBe(false);
    expect(report.results.some((r) => r.pluginId === 'ValidateFailure' && !r.success)).toBe(true);
    expect(report.stats.requests).toBeGreaterThan(0);
    host.child.kill('SIGKILL');
    gui.child.kill('SIGTERM');
    expect(await gui.exit).toBe(0);
  });
});
