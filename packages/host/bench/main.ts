// Host benchmark: our /pyblish service against a Python standard-library host with an equivalent
// service (bench/python_host.py), each in its own process, measured in the same run with the same
// client. Ours is the CLI host serving bench/plugins.
// - process() calls per second for a trivial plug-in (the result carries the plug-in in full)
// - context() time and bytes for 1,000 and 10,000 instances, unchanged since the last call (our
//   host sends its kept reply again) and right after a change (it builds it again)
// - ping() calls per second at one keep-alive connection, from a load generator in a process of
//   its own (bench/load.mjs), against a bare keep-alive node:http server sending the same bytes
// Our host is measured twice: served from a worker (the default; liveness survives blocking
// plug-ins) and on the main thread, so the worker's cost is visible. A floor is measured too: a
// bare node:http server answering with the bytes our host sent for the same call (bench/floor.mjs),
// so "floor vs Python" is the best ratio any host served over node:http could reach here.
// The hosts take turns, round after round, and each figure is the median of its rounds: load from
// other jobs on the machine then hits every host alike, and the ratios stay fair.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decodeMethodResponse, encodeMethodCall, XmlRpcClient } from '@pyblish/xmlrpc';
import { median, recordFigures } from '../../../scripts/bench-figures.js';

const PROCESS_CALLS = 3000;
const ROUNDS = 6;
const CONTEXT_RUNS = 25;
const BATCH = 32;
const cli = fileURLToPath(new URL('../../cli/bin/pyblish.mjs', import.meta.url));
const benchPlugins = fileURLToPath(new URL('./plugins', import.meta.url));

interface Target {
  name: string;
  port: number;
  token?: string;
  populate(n: number): Promise<void>;
  /** A change to the session that leaves context() as it was (our host builds it again after it). */
  touch(): Promise<void>;
  stop(): void;
}

/** Our host in its own process, as the Python one is: the CLI host serving the bench plug-ins. */
async function tsHost(name: string, extra: string[]): Promise<Target> {
  const child = spawn(
    process.execPath,
    [cli, 'host', '--port', '0', '--plugin-path', benchPlugins, ...extra],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    let url = '';
    child.once('exit', (code) => reject(new Error(`the host exited with ${code}`)));
    lines.on('line', (line) => {
      const served = /serving (\S+)/.exec(line);
      const tok = /token (\S+)/.exec(line);
      if (served) url = served[1]!;
      if (tok) resolve({ url, token: tok[1]! });
    });
  });
  const client = new XmlRpcClient(url, { token });
  return {
    name,
    port: Number(new URL(url).port),
    token,
    async populate(n) {
      await client.call('update', ['benchInstances', n, 'Context']);
      await client.call('process', ['CollectBench', null, null]);
    },
    async touch() {
      await client.call('update', ['benchTouched', Date.now(), 'Context']);
    },
    stop() {
      client.close();
      child.kill();
    },
  };
}

async function pythonHost(): Promise<Target> {
  const script = fileURLToPath(new URL('./python_host.py', import.meta.url));
  const child = spawn('python3', [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const port = (JSON.parse(line) as { port: number }).port;
  const client = new XmlRpcClient(`http://127.0.0.1:${port}/pyblish`);
  return {
    name: 'Python',
    port,
    async populate(n) {
      await client.call('bench_populate', [n]);
    },
    // It builds every reply afresh anyway.
    touch: async () => undefined,
    stop() {
      client.close();
      child.kill();
    },
  };
}

/** The floor (bench/floor.mjs), replaying what `source` answers to process() and context(). */
async function floorHost(source: Target): Promise<Target> {
  const script = fileURLToPath(new URL('./floor.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => String((await lines.next()).value);
  const port = Number(await next());
  const dir = mkdtempSync(join(tmpdir(), 'host-bench-floor-'));
  const replay = async (method: string, params: unknown[]) => {
    const file = join(dir, method);
    writeFileSync(file, (await post(source, method, params)).body);
    child.stdin!.write(`${method} ${file}\n`);
    await next();
  };
  await replay('process', trivial);
  await replay('ping', []);
  return {
    name: 'floor',
    port,
    populate: () => replay('context', []),
    touch: async () => undefined,
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function clientOf(t: Target): XmlRpcClient {
  return new XmlRpcClient(`http://127.0.0.1:${t.port}/pyblish`, t.token ? { token: t.token } : {});
}

/** Calls per second of `call`, the targets taking turns for ROUNDS rounds of `calls` calls each. */
async function rates(
  targets: Target[],
  calls: number,
  call: (client: XmlRpcClient) => Promise<unknown>,
  warmup: number,
): Promise<number[]> {
  const clients = targets.map(clientOf);
  const runs: number[][] = targets.map(() => []);
  try {
    for (const client of clients) for (let i = 0; i < warmup; i++) await call(client);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, client] of clients.entries()) {
        const started = performance.now();
        for (let n = 0; n < calls; n++) await call(client);
        runs[i]!.push(calls / ((performance.now() - started) / 1000));
      }
    }
  } finally {
    for (const client of clients) client.close();
  }
  return runs.map(median);
}

const trivial = [{ id: 'Trivial' }, null, null];
const processCall = (client: XmlRpcClient) => client.call('process', trivial);
/** Our batching extension: `system.multicall` with BATCH process calls per request. */
const batch = Array.from({ length: BATCH }, () => ({ methodName: 'process', params: trivial }));
const batchCall = (client: XmlRpcClient) => client.call('system.multicall', [batch]);

/**
 * One call over a fresh connection: time until the last byte of the reply (the host's cost;
 * decoding is the client's and the same for every host), and the body (no gzip).
 */
function post(t: Target, method: string, params: unknown[]): Promise<{ ms: number; body: Buffer }> {
  const body = encodeMethodCall(method, params as never);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path: '/pyblish',
        method: 'POST',
        headers: {
          'Content-Type': 'text/xml',
          'Content-Length': Buffer.byteLength(body),
          ...(t.token && { Authorization: `Bearer ${t.token}` }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ ms: performance.now() - started, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function contextOnce(t: Target): Promise<{ ms: number; bytes: number }> {
  const { ms, body } = await post(t, 'context', []);
  const value = decodeMethodResponse(body) as { children: unknown[] };
  if (!Array.isArray(value.children)) throw new Error(`${t.name}: context() without children`);
  return { ms, bytes: body.length };
}

/**
 * The median context() cost of each target, the targets taking turns; `changed`: each call
 * right after a change (untimed), so a host that keeps its reply must build it again.
 */
async function contextCosts(
  targets: Target[],
  n: number,
  changed: boolean,
): Promise<{ ms: number; bytes: number }[]> {
  const runs: { ms: number; bytes: number }[][] = targets.map(() => []);
  for (const t of targets) {
    await t.populate(n);
    await contextOnce(t);
  }
  for (let i = 0; i < CONTEXT_RUNS; i++) {
    for (const [j, t] of targets.entries()) {
      if (changed) await t.touch();
      runs[j]!.push(await contextOnce(t));
    }
  }
  return runs.map((r) => ({ ms: median(r.map((x) => x.ms)), bytes: r[0]!.bytes }));
}

const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));
const PING_ROUNDS = 5;

/** ping() calls per second at one keep-alive connection, measured by load.mjs in its own process. */
function pingRate(t: Target): number {
  const spec = {
    port: t.port,
    path: '/pyblish',
    body: encodeMethodCall('ping', []),
    headers: t.token ? { Authorization: `Bearer ${t.token}` } : {},
    connections: 1,
    ms: 1500,
  };
  const out = execFileSync(process.execPath, [LOAD, JSON.stringify(spec)]);
  const { rate, errors } = JSON.parse(out.toString()) as { rate: number; errors: number };
  if (errors > 0) throw new Error(`${t.name}: ${errors} ping calls failed`);
  return rate;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const python = await pythonHost();
  const worker = await tsHost('TS (worker)', []);
  const inThread = await tsHost('TS (main thread)', ['--in-thread']);
  const targets: Target[] = [worker, inThread, python];
  try {
    // Last, so it replays what the worker host answers after populate().
    targets.push(await floorHost(worker));
    const rows: [string, number[], 'higher' | 'lower' | 'info', number][] = [];
    const plain = await rates(targets, Math.ceil(PROCESS_CALLS / ROUNDS), processCall, 200);
    rows.push(['process() calls/s, trivial plug-in', plain, 'higher', 0]);
    // Python hosts cannot batch (pyblish-qml registers no multicall): compare with their plain rate.
    const batched = await rates([worker, inThread], Math.ceil(PROCESS_CALLS / ROUNDS / BATCH), batchCall, 10);
    rows.push([
      `process() calls/s, batches of ${BATCH} *`,
      [...batched.map((r) => r * BATCH), plain[2]!, Number.NaN],
      'higher',
      0,
    ]);
    const context1000: number[][] = [];
    for (const n of [1000, 10_000]) {
      const costs = await contextCosts(targets, n, false);
      const changed = await contextCosts(targets, n, true);
      if (n === 1000)
        context1000.push(
          costs.map((c) => c.ms),
          changed.map((c) => c.ms),
        );
      rows.push([`context() ms, ${fmt(n)} instances`, costs.map((c) => c.ms), 'lower', 1]);
      rows.push([`context() ms, ${fmt(n)}, after a change`, changed.map((c) => c.ms), 'lower', 1]);
      rows.push([`context() bytes, ${fmt(n)} instances`, costs.map((c) => c.bytes), 'info', 0]);
    }
    // ping: our host both ways and the bare server, taking turns (the Python host closes each
    // connection after a reply: no keep-alive to measure).
    const floor = targets[3]!;
    const pinged = [worker, inThread, floor];
    const pings = pinged.map(() => [] as number[]);
    for (let round = 0; round < PING_ROUNDS; round++)
      for (const [i, t] of pinged.entries()) pings[i]!.push(pingRate(t));
    const [pingWorker, pingThread, pingBare] = pings.map(median);
    const pingRates = [pingWorker!, pingThread!, Number.NaN, pingBare!];
    rows.push(['ping() calls/s, 1 connection', pingRates, 'higher', 0]);

    const head = [
      'metric',
      ...targets.map((t) => t.name),
      'worker vs Python',
      'main thread vs Python',
      'floor vs Python',
    ];
    const widths = [36, 12, 17, 10, 10, 17, 22, 16];
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ');
    console.log(
      'Host /pyblish service vs a Python standard-library host (each in its own process; same client, same run;\nthe hosts take turns, medians of the rounds)\n',
    );
    console.log(line(head));
    for (const [label, [w, m, p, f], better, digits] of rows) {
      const ratio = (x: number) =>
        Number.isNaN(x) || Number.isNaN(p!)
          ? '—'
          : better === 'higher'
            ? `${fmt(x / p!, 1)}x`
            : better === 'lower'
              ? `${fmt(p! / x, 1)}x`
              : `${fmt(x / p!, 2)} size`;
      const value = (x: number) => (Number.isNaN(x) ? '—' : fmt(x, digits));
      console.log(line([label, value(w!), value(m!), value(p!), value(f!), ratio(w!), ratio(m!), ratio(f!)]));
    }
    const [w, m] = plain;
    console.log(
      `\nworker hop cost on process(): ${fmt((1 - w! / m!) * 100, 0)}% fewer calls/s than serving on the main thread`,
    );
    const [pingOurs, , , pingFloor] = pingRates;
    const [kept, changed] = context1000;
    console.log(
      `ping: our host (served from its worker) ${fmt(pingOurs! / pingFloor!, 2)}x the bare node:http server ` +
        `(${fmt(pingOurs!)} against ${fmt(pingFloor!)} calls/s; target >= 0.8x)`,
    );
    console.log(
      `context() of 1,000 instances: ours ${fmt(kept![2]! / kept![0]!, 1)}x as fast as Python unchanged ` +
        `(${fmt(changed![2]! / changed![0]!, 1)}x after a change; target >= 10x), ` +
        `${fmt(kept![0]! / kept![3]!, 2)}x the floor's time (target within 1.5x)`,
    );
    recordFigures('host', {
      'host.ping.ours': pingOurs!,
      'host.ping.floor': pingFloor!,
      'host.context.1000.ours': kept![0]!,
      'host.context.1000.changed': changed![0]!,
      'host.context.1000.python': kept![2]!,
      'host.context.1000.floor': kept![3]!,
    });
    console.log(
      'ratios: higher is better for us (Python time / our time, our rate / Python rate); target >= 10x',
    );
    console.log(
      "floor: bare node:http replaying our host's reply bytes (no decode, no work); no node:http host can beat it",
    );
  } finally {
    for (const t of targets) t.stop();
  }
}

await main();
