// Inside the repository, programs run on the TypeScript sources, not on dist/: the packages'
// exports and imports maps send the `pyblish-source` condition to src/*.ts, and tsx compiles it on
// load. This module says how (vitest.config.ts uses it for the processes tests start), and run as
// a script it runs node on the sources: `node --import tsx scripts/run-sources.ts [node options]
// FILE [args]` (`npm start`, `npm run bench`, `npm run soak`).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export const SOURCE_CONDITION = 'pyblish-source';

/**
 * NODE_OPTIONS for a process (and every node process it starts) to run the sources. tsx by
 * absolute URL: `--import` resolves a bare name from the working directory, and tests start
 * processes in temporary folders.
 */
export function sourceNodeOptions(): string {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return `--conditions=${SOURCE_CONDITION} --import=${tsx}`;
}

if (import.meta.filename === process.argv[1]) {
  const child = spawn(process.execPath, process.argv.slice(2), {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${sourceNodeOptions()}`.trim() },
  });
  // Ctrl-C reaches the child from the terminal (same process group); a SIGTERM is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
