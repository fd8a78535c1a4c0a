// Soak: many publishes in a row through the GUI process against one real host, while concurrent
// callers hammer the GUI's XML-RPC server, its web endpoints and the host, and the plug-ins throw,
// log characters XML cannot carry and run long. Reports memory at the start and end, calls served,
// errors, and checks that every publish left a complete report and nothing is stuck.
//
//   npm run soak                       1000 publishes, 50 callers
//   npm run soak -- --quick            50 publishes, 10 callers
//   npm run soak -- --publishes 200 --callers 20 --long-ms 50

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Gui, startGui } from '@pyblish/gui';
import type { Report } from '@pyblish/gui/view-model';
import { XmlRpcClient, type XmlRpcValue } from '@pyblish/xmlrpc';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(REPO, 'packages/cli/bin/pyblish.mjs');
const PLUGINS = join(REPO, 'tests/security/fixtures/plugins');

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    publishes: { type: 'string' },
    callers: { type: 'string' },
    'slow-ms': { type: 'string', default: '2' },
    'long-ms': { type: 'string', default: '30' },
    'block-ms': { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'Usage: npm run soak -- [--quick] [--publishes N] [--callers N] [--slow-ms N] [--long-ms N] [--block-ms N]\n',
  );
  process.exit(0);
}
const PUBLISHES = Number(flags.publishes ?? (flags.quick ? 50 : 1000));
const CALLERS = Number(flags.callers ?? (flags.quick ? 10 : 50));

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function hostRss(pid: number | undefined): number | null {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null; // not Linux
  }
}

function guiMemory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/** Starts `pyblish host` standalone on a free port; resolves with its port and token. */
function startHost(runtime: string): Promise<{ proc: ChildProcess; port: number; token: string }> {
  const proc = spawn(process.execPath, [CLI, 'host', '--plugin-path', PLUGINS, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYBLISH_RUNTIME_DIR: runtime,
      SECURITY_SLOW_MS: flags['slow-ms'],
      SECURITY_LONG_MS: flags['long-ms'],
      SECURITY_BLOCK_MS: flags['block-ms'],
      SECURITY_SHOTS: '3',
    },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString('utf8');
      const port = /serving http:\/\/127\.0\.0\.1:(\d+)\/pyblish/.exec(out)?.[1];
      const token = /token (\S+)/.exec(out)?.[1];
      if (port && token) resolve({ proc, port: Number(port), token });
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the host exited (${code}) before serving:\n${out}`)));
  });
}

function webGet(gui: Gui, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: gui.webPort,
        path,
        headers: { Authorization: `Bearer ${gui.windowSecret}` },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Keeps one event stream open for the whole soak, counting bytes (a slow page must not grow the GUI). */
function subscribe(gui: Gui): { bytes: () => number; close(): void } {
  let bytes = 0;
  const req = request({
    host: '127.0.0.1',
    port: gui.webPort,
    path: '/api/events',
    headers: { Authorization: `Bearer ${gui.windowSecret}` },
    agent: false,
  });
  req.on('response', (res) => res.on('data', (d: Buffer) => (bytes += d.length)));
  req.on('error', () => undefined);
  req.end();
  return { bytes: () => bytes, close: () => req.destroy() };
}

async function main(): Promise<number> {
  const runtime = mkdtempSync(join(tmpdir(), 'pyblish-soak-'));
  const reportFile = join(runtime, 'report.json');
  const host = await startHost(runtime);
  const gui = await startGui({
    port: 0,
    env: { ...process.env, PYBLISH_RUNTIME_DIR: runtime },
    reportFile,
    flushMs: 20,
    pollWaitMs: 500,
    liveness: {
      tickMs: 250,
      probeAfterMs: 2000,
      busyAfterMs: 1000,
      timeouts: { probe: 2000, query: 30_000 },
    },
  });
  const guiRpc = new XmlRpcClient(`http://127.0.0.1:${gui.port}/`, { token: gui.token, timeout: 30_000 });
  const hostRpc = new XmlRpcClient(`http://127.0.0.1:${host.port}/pyblish`, {
    token: host.token,
    timeout: 30_000,
  });
  const errors = new Map<string, number>();
  const error = (kind: string) => errors.set(kind, (errors.get(kind) ?? 0) + 1);
  const served = { gui: 0, web: 0, host: 0 };
  let publishing = true;
  let stream: ReturnType<typeof subscribe> | null = null;
  try {
    // Register the host as it would itself (show with its token), then wait for collection.
    await guiRpc.call('show', [host.port, { WindowTitle: 'Soak', token: host.token }]);
    await gui.waitFor((s) => s.phase === 'ready', 30_000);
    stream = subscribe(gui);

    // The callers: every kind of read-only request the servers take.
    const calls: Array<() => Promise<unknown>> = [
      () => guiRpc.call('ping').then(() => served.gui++),
      () => guiRpc.call('heartbeat', [host.port]).then(() => served.gui++),
      () => guiRpc.call('find_available_port', [50_000]).then(() => served.gui++),
      () => webGet(gui, '/api/report').then((s) => (s === 200 ? served.web++ : error(`web HTTP ${s}`))),
      // A page catching up after a reconnect asks for what it missed, not for everything.
      () =>
        webGet(gui, `/api/terminal?after=${Math.max(0, gui.snapshot().terminalSeq - 100)}`).then((s) =>
          s === 200 ? served.web++ : error(`web HTTP ${s}`),
        ),
      () => hostRpc.call('ping').then(() => served.host++),
      () => hostRpc.call('pyblish.liveness').then(() => served.host++),
      () => hostRpc.call('stats').then(() => served.host++),
    ];
    const callers = Array.from({ length: CALLERS }, async (_, i) => {
      let n = i;
      while (publishing) {
        try {
          await calls[n++ % calls.length]!();
        } catch (err) {
          error(`caller: ${(err as Error).message.slice(0, 80)}`);
        }
      }
    });

    // Warm-up publish, then memory at the start.
    let expectedPairs = -1;
    const started = performance.now();
    let start = guiMemory();
    let startHostRss = hostRss(host.proc.pid);
    let reportsChecked = 0;
    const heaps: number[] = [];
    for (let i = 0; i <= PUBLISHES; i++) {
      if (i === 1) {
        start = guiMemory();
        startHostRss = hostRss(host.proc.pid);
      }
      const reset = await gui.controller.command({ type: 'reset' });
      if (!reset.ok) error(`reset: ${reset.error.code}`);
      await gui.waitFor((s) => s.phase === 'ready', 60_000);
      for (const id of ['WaitLong', 'BlockCpu'])
        await gui.controller.command({ type: 'toggle', id, value: true });
      const published = await gui.controller.command({ type: 'publish' });
      if (!published.ok) {
        error(`publish: ${published.error.code}`);
        continue;
      }
      await gui.controller.waitFor(() => gui.snapshot().phase === 'finished', 120_000);
      await gui.controller.idle();
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
      if (expectedPairs < 0) expectedPairs = report.results.length;
      const complete =
        report.kind === 'publish' &&
        report.finishedAt !== null &&
        report.fault === null &&
        report.results.length === expectedPairs &&
        report.results.length === report.stats.pairs &&
        report.results.some((r) => r.pluginId === 'WaitLong') &&
        report.results.some((r) => r.pluginId === 'ExtractThrows' && !r.success);
      if (!complete)
        error(
          `report of publish ${i} incomplete (${report.kind}, ${report.results.length} pairs, fault ${report.fault?.code ?? 'none'})`,
        );
      if (i >= 1) reportsChecked++;
      if (i > 0 && i % 100 === 0) {
        // Heap after a full collection at each checkpoint: a plateau, not a climb, is what to see.
        const heap = guiMemory().heap;
        heaps.push(heap);
        process.stdout.write(
          `  ${i} publishes, ${Math.round((performance.now() - started) / 1000)} s, GUI heap ${mb(heap)}\n`,
        );
      }
    }
    publishing = false;
    await Promise.all(callers);
    const seconds = (performance.now() - started) / 1000;

    // Nothing stuck: the GUI is idle, the host is not busy, both still answer.
    const state = gui.snapshot();
    const liveness = (await hostRpc.call('pyblish.liveness')) as { busy: boolean };
    const stuck: string[] = [];
    if (state.phase !== 'finished') stuck.push(`GUI phase ${state.phase}`);
    if (state.plugins.some((p) => p.status === 'processing')) stuck.push('a plug-in row still processing');
    if (state.hosts[0]?.status !== 'alive') stuck.push(`host status ${state.hosts[0]?.status}`);
    if (liveness.busy) stuck.push('host still busy');
    const pong = (await guiRpc.call('ping')) as { message?: XmlRpcValue };
    if (!pong.message) stuck.push('GUI ping');
    const end = guiMemory();
    const endHostRss = hostRss(host.proc.pid);
    const errorCount = [...errors.values()].reduce((a, b) => a + b, 0);

    const rows: Array<[string, string]> = [
      ['publishes (after 1 warm-up)', String(PUBLISHES)],
      ['concurrent callers', String(CALLERS)],
      ['duration', `${seconds.toFixed(1)} s`],
      ['pairs per publish', String(expectedPairs)],
      [
        'reports checked / complete',
        `${reportsChecked} / ${reportsChecked - [...errors.keys()].filter((k) => k.startsWith('report')).length}`,
      ],
      ['calls served: GUI XML-RPC', String(served.gui)],
      ['calls served: GUI web', String(served.web)],
      ['calls served: host', String(served.host)],
      [
        'host requests (stats)',
        String(((await hostRpc.call('stats')) as { totalRequestCount: number }).totalRequestCount),
      ],
      ['event stream received', mb(stream.bytes())],
      ['GUI rss start -> end', `${mb(start.rss)} -> ${mb(end.rss)}`],
      ['GUI heap start -> end', `${mb(start.heap)} -> ${mb(end.heap)}`],
      ['GUI heap at checkpoints', heaps.length === 0 ? 'n/a' : heaps.map(mb).join(', ')],
      [
        'GUI terminal entries made / kept',
        `${state.terminalSeq} / ${state.terminalSeq - state.terminalDropped}`,
      ],
      [
        'host rss start -> end',
        startHostRss === null || endHostRss === null ? 'n/a' : `${mb(startHostRss)} -> ${mb(endHostRss)}`,
      ],
      ['errors', String(errorCount)],
      ['stuck state', stuck.length === 0 ? 'none' : stuck.join('; ')],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(
      `\nSoak summary\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`,
    );
    for (const [kind, n] of errors) process.stdout.write(`  error x${n}: ${kind}\n`);
    return errorCount === 0 && stuck.length === 0 ? 0 : 1;
  } finally {
    publishing = false;
    stream?.close();
    guiRpc.close();
    hostRpc.close();
    await gui.close();
    host.proc.kill();
    rmSync(runtime, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`soak: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
