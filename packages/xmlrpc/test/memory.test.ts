// Strings kept from a decoded reply must not keep the whole reply alive (V8 cuts substrings of 13+
// characters as slices of the message). A child node with --expose-gc measures the heap for real.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('decoded strings', () => {
  it('keeping a few strings from many large replies keeps only those strings, not the replies', async () => {
    const script = join(import.meta.dirname, 'memory', 'retain.ts');
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', script], {
      cwd: join(import.meta.dirname, '..'),
    });
    const { keptChars, retainedBytes } = JSON.parse(stdout) as {
      keptChars: number;
      retainedBytes: Record<string, number>;
    };
    // 200 replies of ~250 KB: pinning them costs 6 to 50 MB. The kept strings take ~25 KB; the
    // bound leaves room for what GC and the JIT keep anyway (well under 1 MB).
    const bound = 100 * keptChars;
    expect(keptChars).toBeGreaterThanOrEqual(20_000);
    expect(Object.keys(retainedBytes)).toHaveLength(4);
    for (const [path, bytes] of Object.entries(retainedBytes)) {
      expect(bytes, `heap retained on the ${path} path`).toBeLessThan(bound);
    }
  }, 60_000);
});
