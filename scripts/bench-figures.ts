// The figures a package's benchmark hands to `npm run bench` for its summary of targets: each
// bench records what it measured under a name, and scripts/bench.ts reads them all at the end.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the benches of one `npm run bench` put their figures (set by scripts/bench.ts). */
export const FIGURES_DIR_ENV = 'PYBLISH_BENCH_FIGURES';

export const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Records `figures` of the bench `name` (nothing when the bench runs on its own). */
export function recordFigures(name: string, figures: Record<string, number>): void {
  const dir = process.env[FIGURES_DIR_ENV];
  if (dir) writeFileSync(join(dir, `${name}.json`), JSON.stringify(figures));
}

/** Every figure recorded in `dir`. */
export function readFigures(dir: string): Map<string, number> {
  const all = new Map<string, number>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    for (const [key, value] of Object.entries(JSON.parse(readFileSync(join(dir, file), 'utf8'))))
      if (typeof value === 'number') all.set(key, value);
  }
  return all;
}
