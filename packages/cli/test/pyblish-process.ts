// Runs the real `pyblish` bin (tsx, Node's loaders) as a child process, as a user would.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '../../..');
const bin = join(root, 'packages/cli/bin/pyblish.mjs');

/** Starts `pyblish ARGS` from the repository root with no PYBLISH_PLUGINPATH from the caller. */
export function startPyblish(
  args: string[],
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [bin, ...args], {
    cwd: root,
    env: { ...process.env, PYBLISH_PLUGINPATH: '', PYBLISH_DEMO_DELAY: '20', ...env },
  });
}

/** What a started `pyblish` prints so far (`text()`), and its exit code once it ends (`code`). */
export function output(child: ChildProcessWithoutNullStreams) {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  return { code, text: () => ({ stdout, stderr }) };
}

/** Runs `pyblish ARGS` to the end. */
export async function pyblish(args: string[], env: Record<string, string> = {}) {
  const run = output(startPyblish(args, env));
  const code = await run.code;
  return { code, ...run.text() };
}

/** The first ```LANGUAGE block of a repository document whose text starts with `start` (any block when ''). */
export function example(document: string, language: string, start = ''): string {
  const text = readFileSync(join(root, document), 'utf8');
  for (const [, code] of text.matchAll(new RegExp(`\`\`\`${language}\n([\\s\\S]*?)\`\`\``, 'g'))) {
    if (code!.startsWith(start)) return code!;
  }
  throw new Error(`${document} has no \`\`\`${language} block starting with "${start}"`);
}

/** The first ```ts block of a repository document whose text starts with `start` (any block when ''). */
export const tsExample = (document: string, start = ''): string => example(document, 'ts', start);
