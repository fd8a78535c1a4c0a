// Peer processes for interop tests: JSON-line events on stdout, killed after each test.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../..', import.meta.url));
export const fakeGui = fileURLToPath(new URL('../python/fake_gui.py', import.meta.url));
export const beginClient = fileURLToPath(new URL('../python/begin_client.py', import.meta.url));

export const children: ChildProcess[] = [];

export function killChildren(): void {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
}

export type Event = { event: string } & Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: a JSON summary from Python, checked field by field below
export type Summary = Record<string, any>;

/** Starts a process and collects its JSON-line events; `next(name)` waits for one. */
export function startPeer(command: string, args: string[]) {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const events: Event[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line));
    } catch {
      return;
    }
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  async function next(name: string, ms = 30_000): Promise<Event> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = events.find((e) => e.event === name);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `no "${name}" event from ${args[0]}; events ${JSON.stringify(events)}; stderr ${stderr}`,
        );
      }
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }
  return { child, events, next, exited, stderr: () => stderr };
}
