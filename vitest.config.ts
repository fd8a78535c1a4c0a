import { defineConfig } from 'vitest/config';
import { SOURCE_CONDITION, sourceNodeOptions } from './scripts/run-sources.js';

export default defineConfig({
  // Tests run the TypeScript sources: @pyblish/* resolve to src/ (vitest also passes the condition
  // to Node in its workers, so worker threads and import.meta.resolve follow it), and so do the
  // processes the tests start (bins, hosts), through NODE_OPTIONS.
  ssr: { resolve: { conditions: [SOURCE_CONDITION] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    env: { NODE_OPTIONS: sourceNodeOptions() },
    // Two cores: more workers only make socket-timing tests flaky.
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain 'N passed, N failed' closing line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-results.json' }]],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
