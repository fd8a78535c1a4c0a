// XML-RPC benchmark: our codec and transport against Python's standard library (measured in the
// same run on the same machine) and against a bare keep-alive node:http echo (the floor).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { encodeMethodCall, encodeMethodResponse, XmlRpcClient } from '@pyblish/xmlrpc';
import { structPayload } from './payload.js';

const here = import.meta.dirname;
const execFileAsync = promisify(execFile);
// The machine may be shared: each figure is the best of ROUNDS short rounds, and the figures
// compared (ours, the floor, Python's) alternate round by round so outside load hits all alike.
const ROUNDS = 6;
const ROUND_MS = 500;
const CALLERS = 4;

interface Peer {
  port: number;
  child: ChildProcess;
  next(): Promise<string>;
}

function startProcess(command: string, args: string[]): Promise<Peer> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => String((await lines.next()).value);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    next().then((line) => resolve({ port: Number(line), child, next }), reject);
  });
}

/** CPU time a bench server process has used (µs). */
async function serverCpu(server: Peer): Promise<number> {
  server.child.stdin!.write('cpu\n');
  return Number(await server.next());
}

/** CPU time per sequential call, client and server together (µs): not distorted by outside load. */
async function cpuPerCall(call: () => Promise<unknown>, server: Peer, n = 3000): Promise<number> {
  const serverBefore = await serverCpu(server);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await call();
  const client = process.cpuUsage(before);
  return (client.user + client.system + (await serverCpu(server)) - serverBefore) / n;
}

const startNode = (mode: string) =>
  startProcess(process.execPath, ['--import', 'tsx', join(here, 'server.ts'), mode]);
const startPython = () => startProcess('python3', [join(here, '..', 'test', 'python', 'echo_server.py')]);

/** One round of a measuring process; its start-up is outside the measured time. */
async function processRound(command: string, args: string[]): Promise<number> {
  const { stdout } = await execFileAsync(command, [...args, '1', String(ROUND_MS / 1000)]);
  const out = JSON.parse(stdout) as { per_second?: number; mb_per_second?: number };
  return out.per_second ?? out.mb_per_second!;
}

/** One round of the Python peer (bench/peer.py). */
const peerRound = (...args: string[]) => processRound('python3', [join(here, 'peer.py'), ...args]);
/** One round of our codec (bench/codec.ts), MB/s. */
const codecRound = (...args: string[]) =>
  processRound(process.execPath, ['--import', 'tsx', join(here, 'codec.ts'), ...args]);

/** Calls per second of `call` run sequentially for one round. */
async function sequentialRound(call: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ROUND_MS) {
    await call();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Best round of each contender, rounds interleaved. */
async function bestOf(contenders: (() => Promise<number>)[]): Promise<number[]> {
  const best = contenders.map(() => 0);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, run] of contenders.entries()) best[i] = Math.max(best[i]!, await run());
  }
  return best;
}

/** The floor: a keep-alive node:http client posting the same ping body to a bare echo server. */
function barePing(port: number): () => Promise<void> {
  const agent = new Agent({ keepAlive: true });
  const body = Buffer.from(encodeMethodCall('ping', []));
  return () =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/RPC2',
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'text/xml', 'Content-Length': body.length, Host: `127.0.0.1:${port}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            Buffer.concat(chunks).toString('utf8');
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

interface Row {
  what: string;
  ours: number;
  peerName: string;
  peer: number;
  unit: string;
  target: string;
  met: boolean;
}

const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'xmlrpc-bench-'));
const children: ChildProcess[] = [];
try {
  const payload = structPayload(1024 * 1024);
  const responseXml = encodeMethodResponse(payload);
  const payloadBytes = Buffer.byteLength(responseXml);
  const payloadFile = join(dir, 'payload.xml');
  writeFileSync(payloadFile, responseXml);

  const ours = await startNode('xmlrpc');
  const bare = await startNode('bare');
  const py = await startPython();
  children.push(ours.child, bare.child, py.child);
  const ourUrl = `http://127.0.0.1:${ours.port}/RPC2`;
  const pyUrl = `http://127.0.0.1:${py.port}/RPC2`;

  // 1. Sequential round trips.
  const client = new XmlRpcClient(ourUrl);
  const bareCall = barePing(bare.port);
  for (let i = 0; i < 300; i++) await Promise.all([client.call('ping'), bareCall()]);
  const [oursPing, floorPing, pyPing] = (await bestOf([
    () => sequentialRound(() => client.call('ping')),
    () => sequentialRound(bareCall),
    () => peerRound('ping', pyUrl),
  ])) as [number, number, number];
  rows.push({
    what: 'sequential ping round trips',
    ours: oursPing,
    peerName: 'bare node:http',
    peer: floorPing,
    unit: 'calls/s',
    target: 'within 1.25x of bare',
    met: floorPing / oursPing <= 1.25,
  });
  const oursCpu = await cpuPerCall(() => client.call('ping'), ours);
  const floorCpu = await cpuPerCall(bareCall, bare);
  rows.push({
    what: 'CPU per ping round trip',
    ours: oursCpu,
    peerName: 'bare node:http',
    peer: floorCpu,
    unit: 'µs (client+server)',
    target: '(lower is better)',
    met: true,
  });
  rows.push({
    what: 'sequential ping round trips',
    ours: oursPing,
    peerName: 'Python client+server',
    peer: pyPing,
    unit: 'calls/s',
    target: '(about 4x)',
    met: true,
  });

  // 2. Throughput: 4 callers echoing a 1 MB struct-heavy payload.
  const callers = Array.from({ length: CALLERS }, () => new XmlRpcClient(ourUrl, { timeout: 60_000 }));
  const throughputRound = async () => {
    let calls = 0;
    const start = performance.now();
    await Promise.all(
      callers.map(async (c) => {
        while (performance.now() - start < ROUND_MS * 2) {
          await c.call('echo', [payload]);
          calls++;
        }
      }),
    );
    return (calls * payloadBytes) / 1e6 / ((performance.now() - start) / 1000);
  };
  await throughputRound();
  const throughputPeer = () => peerRound('throughput', pyUrl, payloadFile, String(CALLERS));
  const [oursThroughput, pyThroughput] = (await bestOf([throughputRound, throughputPeer])) as [
    number,
    number,
  ];
  rows.push({
    what: `1 MB struct echo, ${CALLERS} callers`,
    ours: oursThroughput,
    peerName: 'Python client+server',
    peer: pyThroughput,
    unit: 'MB/s',
    target: '>= 10x Python',
    met: oursThroughput / pyThroughput >= 10,
  });
  for (const c of [client, ...callers]) c.close();

  // 3. Codec speed on the same payload. Encoding is measured to a string (Python: dumps) and to
  // the bytes a server or client sends (Python: dumps(...).encode("utf-8")), each against its kind.
  // Both sides run in fresh processes (bench/codec.ts, bench/peer.py), round after round.
  const [encode, encodeBytes, decode, pyEncode, pyEncodeBytes, pyDecode] = (await bestOf([
    () => codecRound('encode', payloadFile),
    () => codecRound('encode-bytes', payloadFile),
    () => codecRound('decode', payloadFile),
    () => peerRound('encode', payloadFile),
    () => peerRound('encode-bytes', payloadFile),
    () => peerRound('decode', payloadFile),
  ])) as [number, number, number, number, number, number];
  rows.push({
    what: 'encode to a string (methodResponse)',
    ours: encode,
    peerName: 'Python dumps',
    peer: pyEncode,
    unit: 'MB/s',
    target: '>= 10x Python',
    met: encode / pyEncode >= 10,
  });
  rows.push({
    what: 'encode to bytes (what is sent)',
    ours: encodeBytes,
    peerName: 'Python dumps+encode',
    peer: pyEncodeBytes,
    unit: 'MB/s',
    target: '>= 10x Python',
    met: encodeBytes / pyEncodeBytes >= 10,
  });
  rows.push({
    what: 'decode (methodResponse)',
    ours: decode,
    peerName: 'Python loads',
    peer: pyDecode,
    unit: 'MB/s',
    target: '>= 10x Python',
    met: decode / pyDecode >= 10,
  });

  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  console.log(
    `payload: ${(payloadBytes / 1e6).toFixed(2)} MB of XML, ${payload.length} records; best of ${ROUNDS} rounds of ${ROUND_MS} ms`,
  );
  console.table(
    rows.map((r) => ({
      measure: r.what,
      unit: r.unit,
      ours: fmt(r.ours),
      peer: r.peerName,
      'peer figure': fmt(r.peer),
      ratio: `${(r.ours / r.peer).toFixed(2)}x`,
      target: r.target,
      met: r.met ? 'yes' : 'NO',
    })),
  );
} finally {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
}
