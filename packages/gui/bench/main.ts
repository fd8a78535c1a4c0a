// End-to-end publish benchmark: the GUI process drives a whole publish over the protocol.
// One collector makes N instances; nine no-op instance plug-ins (validators, extractors, an
// integrator) then run on each, so a publish is 9 x N pairs and measures protocol and GUI cost.
// Measured in the same run:
// - ours against our TypeScript host (begin waits for a quick pair: one request each; the context
//   refetched only on change)
// - the same without begin's wait (begin, then poll: two requests per pair, as before)
// - the same GUI in "naive" mode (context after every pair, as pyblish-qml did)
// - ours against the Python standard-library test host (plain process, pyblish-qml's wire)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Gui, startGui } from '../src/index.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BENCH_PLUGINS = fileURLToPath(new URL('../test/fixtures/bench-plugins', import.meta.url));
const PYTHON_HOST = fileURLToPath(new URL('../test/python/host.py', import.meta.url));

type HostKind = 'ts' | 'python';
/** ours; ours with begin, then poll (beginWaitMs 0); pyblish-qml's way. */
type Mode = 'ours' | 'begin+poll' | 'naive';

const MODE_LABEL: Record<Mode, string> = {
  ours: 'ours',
  'begin+poll': 'begin, then poll',
  naive: 'naive (context after every pair)',
};

interface Row {
  label: string;
  instances: number;
  pairs: number;
  ms: number;
  requests: number;
  collectMs: number;
}

async function publish(gui: Gui): Promise<void> {
  const reply = await gui.controller.command({ type: 'publish' });
  if (!reply.ok) throw new Error(reply.error.message);
  await gui.controller.idle();
  const message = gui.report().message;
  if (message !== 'Published') throw new Error(`publish ended with "${message}"`);
}

async function measure(kind: HostKind, instances: number, mode: Mode): Promise<Row> {
  const runtime = mkdtempSync(join(tmpdir(), 'pyblish-gui-bench-'));
  const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime, PYBLISH_BENCH_INSTANCES: String(instances) };
  const gui = await startGui({
    port: 0,
    allowUnauthenticated: kind === 'python',
    env,
    naive: mode === 'naive',
    ...(mode === 'begin+poll' && { beginWaitMs: 0 }),
    flushMs: 30,
  });
  let child: ChildProcess | null = null;
  try {
    const started = performance.now();
    child =
      kind === 'ts'
        ? spawn(
            process.execPath,
            [
              join(REPO, 'packages/cli/bin/pyblish.mjs'),
              'host',
              '--register',
              '--gui-port',
              String(gui.port),
              '--plugin-path',
              BENCH_PLUGINS,
            ],
            { env, stdio: 'ignore' },
          )
        : spawn(
            'python3',
            [
              PYTHON_HOST,
              '--gui-port',
              String(gui.port),
              '--instances',
              String(instances),
              '--plugins',
              '10',
            ],
            { env, stdio: 'ignore' },
          );
    await gui.waitFor((s) => s.phase === 'ready' && s.instances.length === instances + 1, 600_000);
    const collectMs = performance.now() - started;
    // Small runs are dominated by warm-up (a fresh host process compiles its code): publish
    // once untimed first. Publishing again re-runs every plug-in on the same collection.
    if (instances <= 1000) await publish(gui);
    const before = gui.report().stats.requests;
    const pairsBefore = gui.report().results.length;
    const t0 = performance.now();
    await publish(gui);
    const ms = performance.now() - t0;
    const report = gui.report();
    const pairs = report.results.length - pairsBefore;
    return {
      label: `${MODE_LABEL[mode]}, ${kind === 'ts' ? 'TypeScript' : 'Python'} host`,
      instances,
      pairs,
      ms,
      requests: report.stats.requests - before,
      collectMs,
    };
  } finally {
    child?.kill('SIGKILL');
    await gui.close();
    rmSync(runtime, { recursive: true, force: true });
  }
}

function table(rows: Row[]): void {
  const head = [
    'GUI / host',
    'instances',
    'pairs',
    'publish ms',
    'requests',
    'req/pair',
    'ms/pair',
    'show->ready ms',
  ];
  const body = rows.map((r) => [
    r.label,
    String(r.instances),
    String(r.pairs),
    r.ms.toFixed(0),
    String(r.requests),
    (r.requests / r.pairs).toFixed(2),
    (r.ms / r.pairs).toFixed(3),
    r.collectMs.toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

const rows: Row[] = [];
for (const n of [100, 300, 1000, 10_000]) rows.push(await measure('ts', n, 'ours'));
for (const n of [100, 1000]) rows.push(await measure('ts', n, 'begin+poll'));
// Naive mode refetches all N instances after each of the 9 x N pairs (quadratic): 1,000 takes
// minutes, so it is measured at 100 and 300, enough to show the growth and the ratio.
for (const n of [100, 300]) rows.push(await measure('ts', n, 'naive'));
for (const n of [100, 1000]) rows.push(await measure('python', n, 'ours'));
rows.push(await measure('python', 100, 'naive'));

console.log(
  'Publish of N instances through 10 plug-ins (1 collector + 9 per-instance), driven over XML-RPC.\n',
);
table(rows);
const find = (label: string, n: number) => rows.find((r) => r.label.startsWith(label) && r.instances === n);
const ours = find('ours, TypeScript', 300) ?? find('ours, TypeScript', 1000);
const naive = find('naive (context after every pair), TypeScript', 300);
const small = find('ours, TypeScript', 100);
const big = find('ours, TypeScript', 10_000);
if (ours && naive) {
  console.log(
    `\n300 instances: ours ${(naive.ms / ours.ms).toFixed(1)}x faster than refetching the context after every pair, ` +
      `with ${ours.requests} requests against ${naive.requests} (but no context in any of them).`,
  );
}
if (small && big) {
  console.log(
    `Cost growth 100 -> 10,000 instances (100x the pairs): ${(big.ms / small.ms).toFixed(0)}x the time ` +
      `(${(small.ms / small.pairs).toFixed(3)} -> ${(big.ms / big.pairs).toFixed(3)} ms per pair).`,
  );
}
const py = find('ours, Python', 1000);
const pyNaive = find('naive (context after every pair), Python', 100);
const py100 = find('ours, Python', 100);
const ours1000 = find('ours, TypeScript', 1000);
const twoStep = find('begin, then poll, TypeScript', 1000);
if (ours1000 && twoStep) {
  console.log(
    `1,000 instances: begin waiting for quick pairs ${(twoStep.ms / ours1000.ms).toFixed(2)}x as fast as begin, then poll ` +
      `(${(ours1000.requests / ours1000.pairs).toFixed(2)} against ${(twoStep.requests / twoStep.pairs).toFixed(2)} requests per pair).`,
  );
}
if (py && ours1000) {
  console.log(
    `1,000 instances: the TypeScript host ${(py.ms / ours1000.ms).toFixed(2)}x as fast as the Python host.`,
  );
}
if (py100 && pyNaive)
  console.log(`Python host, 100 instances: ours ${(pyNaive.ms / py100.ms).toFixed(1)}x faster than naive.`);
