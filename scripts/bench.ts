// Runs every package's benchmark (packages/*/bench/main.ts) one after another, so that
// figures measured in the same run are not disturbed by each other.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);
let failed = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  const main = join(root, 'packages', pkg, 'bench', 'main.ts');
  if (!existsSync(main) || (only.length > 0 && !only.includes(pkg))) continue;
  console.log(`\n=== ${pkg} ===`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', main], {
    stdio: 'inherit',
    cwd: root,
  });
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
