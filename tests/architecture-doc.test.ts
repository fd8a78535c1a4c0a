// docs/ARCHITECTURE.md follows a Publish click file by file; a renamed or removed module must not
// leave the map pointing at nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = new URL('../', import.meta.url).pathname;
const doc = readFileSync(join(REPO, 'docs/ARCHITECTURE.md'), 'utf8');

/** Every source, test and script file's name in the repository (not dependencies or builds). */
function fileNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist') continue;
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else names.add(entry.name);
    }
  };
  for (const top of ['packages', 'tests', 'scripts']) walk(join(REPO, top));
  return names;
}

describe('docs/ARCHITECTURE.md', () => {
  it('names only paths that exist', () => {
    const paths = [...doc.matchAll(/`(packages\/[^`\s*]+)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !existsSync(join(REPO, p)))).toEqual([]);
  });

  it('names only modules that exist, where it gives a bare file name', () => {
    const names = fileNames();
    const bare = [...doc.matchAll(/`([\w-]+\.(?:ts|tsx|mjs|py))`/g)].map((m) => m[1]!);
    expect(bare.length).toBeGreaterThan(30);
    expect([...new Set(bare)].filter((n) => !names.has(n))).toEqual([]);
  });
});
