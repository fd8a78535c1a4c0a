// Benchmark: start-up of the installed commands. The published packages are compiled, packed and
// installed from the tarballs into a temporary folder (as tests/package does), then `pyblish
// --help` and `pyblish-gui --help` run there with plain node, against a bare `node -e 0` measured
// in the same run. Budget (issue 16): no more than node -e 0 plus 100 ms.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, install, pack, userEnv } from '../../../scripts/packages.js';
import { ensureBuilt } from '../../web/test/support/browser.js';

const RUNS = 15;
const BUDGET_MS = 100;

/**
 * The median wall time of each command, in ms. Rounds take each command in turn, so a machine
 * busy with other work slows them alike.
 */
function medians(cwd: string, commands: [string, string[]][]): number[] {
  const env = userEnv();
  const times = commands.map(() => [] as number[]);
  for (let round = -1; round < RUNS; round++) {
    commands.forEach(([command, args], i) => {
      const start = performance.now();
      execFileSync(command, args, { cwd, env, stdio: 'ignore' });
      if (round >= 0) times[i]!.push(performance.now() - start); // round -1 warms the file cache
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!);
}

const root = mkdtempSync(join(tmpdir(), 'pyblish-startup-'));
try {
  const app = join(root, 'app');
  mkdirSync(app);
  mkdirSync(join(root, 'tarballs'));
  compile();
  ensureBuilt();
  install(app, pack(join(root, 'tarballs')));

  const bin = (name: string) => join(app, 'node_modules', '.bin', name);
  const [node, ...commands] = medians(app, [
    [process.execPath, ['-e', '0']],
    [bin('pyblish'), ['--help']],
    [bin('pyblish-gui'), ['--help']],
  ]) as [number, number, number];
  console.log(`Start-up of the installed commands, median of ${RUNS} runs, plain node (no loader):`);
  console.log(`  node -e 0               ${node.toFixed(0).padStart(4)} ms`);
  ['pyblish --help', 'pyblish-gui --help'].forEach((name, i) => {
    const over = commands[i]! - node;
    const verdict = over <= BUDGET_MS ? 'within' : 'OVER';
    console.log(
      `  ${name.padEnd(22)}  ${commands[i]!.toFixed(0).padStart(4)} ms  = node + ${over.toFixed(0)} ms (${verdict} the +${BUDGET_MS} ms budget)`,
    );
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
