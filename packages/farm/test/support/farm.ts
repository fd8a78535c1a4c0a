// Running the real thing in tests: `pyblish worker` processes on a farm, the example plug-in set
// of docs/farm.md, and a folder for what it writes.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startPyblish } from '../../../cli/test/pyblish-process.js';

export { output, pyblish, root, startPyblish } from '../../../cli/test/pyblish-process.js';

/** The plug-ins docs/farm.md shows, run by every farm test. */
export const examplePlugins = join(root, 'docs/farm-example');

/** Short lock and stall intervals, so a lost worker's job moves on within about a second. */
export const fastRecovery = ['--lock-duration', '1000', '--stalled-interval', '500', '--max-stalled', '5'];

export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  /** Everything the worker wrote to stderr so far. */
  log(): string;
  exited: Promise<number | null>;
}

// Workers serve until stopped: whatever a failing or timed-out test leaves running ends with it.
const started = new Set<ChildProcessWithoutNullStreams>();
process.on('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** Starts `pyblish worker` on the example plug-ins and waits until it serves. */
export async function startWorker(url: string, extra: string[] = []): Promise<WorkerProcess> {
  const child = startPyblish(['worker', '--farm', url, '-p', examplePlugins, ...fastRecovery, ...extra]);
  started.add(child);
  child.on('exit', () => started.delete(child));
  let text = '';
  child.stderr.on('data', (d) => {
    text += d;
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (text.includes(' serving with ')) {
        clearInterval(check);
        resolve();
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`pyblish worker exited with ${code}:\n${text}`));
    });
  });
  return { child, pid: child.pid!, log: () => text, exited };
}

export async function stopWorkers(workers: Iterable<WorkerProcess>): Promise<void> {
  await Promise.all(
    [...workers].map((w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      return w.exited;
    }),
  );
}

export function outDir(): string {
  return mkdtempSync(join(tmpdir(), 'pyblish-farm-out-'));
}

/** The instances the example integrator integrated for a publish (one marker file each). */
export function integrated(out: string, publishId: string): string[] {
  const dir = join(out, publishId, 'integrated');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
