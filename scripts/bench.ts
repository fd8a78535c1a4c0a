// Runs every package's benchmark (packages/*/bench/main.ts) one after another, so that
// figures measured in the same run are not disturbed by each other, then prints the targets of
// the speed work (issue #13) side by side from the figures the benches recorded in this run.
// `npm run bench -- gui host` runs only those packages; `--quick` asks the benches that have a
// quick mode to use it (the GUI bench measures 1,000 instances only). The benches measure the
// built packages (`npm run bench` builds first; the pyblish-source condition is not on), as a
// user runs them: the bench scripts alone are TypeScript compiled on load.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIGURES_DIR_ENV, readFigures } from './bench-figures.js';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => a !== '--quick');
const figuresDir = mkdtempSync(join(tmpdir(), 'pyblish-bench-'));
let failed = 0;
try {
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const main = join(root, 'packages', pkg, 'bench', 'main.ts');
    if (!existsSync(main) || (only.length > 0 && !only.includes(pkg))) continue;
    console.log(`\n=== ${pkg} ===`);
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--expose-gc', main, ...(quick ? ['--quick'] : [])],
      { stdio: 'inherit', cwd: root, env: { ...process.env, [FIGURES_DIR_ENV]: figuresDir } },
    );
    if (run.status !== 0) failed++;
  }
  printTargets(readFigures(figuresDir));
} finally {
  rmSync(figuresDir, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);

/** The targets of issue #13, each with what this run measured (rows whose bench did not run are left out). */
function printTargets(f: Map<string, number>): void {
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const rows: string[][] = [];
  const row = (what: string, measured: string, target: string, met: boolean | null) =>
    rows.push([what, measured, target, met === null ? '' : met ? 'met' : 'NOT MET']);
  const get = (key: string) => f.get(key);
  for (const n of [1000, 10_000]) {
    const gui = get(`gui.hostSide.${n}`);
    const headless = get(`gui.headless.${n}`);
    const floor = get(`gui.floor.${n}`);
    if (gui === undefined || headless === undefined) continue;
    row(
      `GUI publish / pyblish publish, ${fmt(n)} instances x 9`,
      `${fmt(gui / headless, 2)}x (${fmt(gui)} / ${fmt(headless)} ms)`,
      '<= 1.5x',
      gui / headless <= 1.5,
    );
    if (floor !== undefined)
      row(
        `  floor: our host alone / pyblish publish, ${fmt(n)}`,
        `${fmt(floor / headless, 2)}x (${fmt(floor)} ms)`,
        'no GUI can do better',
        null,
      );
  }
  const python = get('gui.python.1000');
  const ours = get('gui.hostSide.1000');
  if (python !== undefined && ours !== undefined)
    row(
      'GUI publish, Python host pair by pair, 1,000',
      `${fmt(python)} ms (${fmt(python / ours, 1)}x ours)`,
      'for comparison',
      null,
    );
  const ping = get('host.ping.ours');
  const bare = get('host.ping.floor');
  if (ping !== undefined && bare !== undefined)
    row(
      'host ping rate / bare node:http server',
      `${fmt(ping / bare, 2)}x (${fmt(ping)} / ${fmt(bare)} calls/s)`,
      '>= 0.8x',
      ping / bare >= 0.8,
    );
  const kept = get('host.context.1000.ours');
  const py = get('host.context.1000.python');
  const floorCtx = get('host.context.1000.floor');
  if (kept !== undefined && py !== undefined && floorCtx !== undefined) {
    row(
      'context() of 1,000: Python time / ours',
      `${fmt(py / kept, 1)}x (${fmt(kept, 1)} / ${fmt(py, 1)} ms)`,
      '>= 10x',
      py / kept >= 10,
    );
    row('  floor: Python time / the floor', `${fmt(py / floorCtx, 1)}x`, 'no host can do better', null);
    row(
      'context() of 1,000: ours / the floor',
      `${fmt(kept / floorCtx, 2)}x (${fmt(floorCtx, 1)} ms)`,
      '<= 1.5x',
      kept / floorCtx <= 1.5,
    );
  }
  const render = get('web.firstRender.10000');
  if (render !== undefined)
    row('page first render, 10,000 instances', `${fmt(render)} ms`, '< 1,000 ms', render < 1000);
  if (rows.length === 0) return;
  const head = ['target (issue #13)', 'measured in this run', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log('\n=== targets ===');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}
