import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { XmlRpcValue } from '../src/index.js';

const dir = join(import.meta.dirname, 'python');

export interface PythonServer {
  port: number;
  url(path?: string): string;
  stop(): void;
}

/** Starts test/python/echo_server.py (Python's SimpleXMLRPCServer) on a free port. */
export function startPythonServer(): Promise<PythonServer> {
  const child: ChildProcess = spawn('python3', [join(dir, 'echo_server.py')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`echo_server.py exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const port = Number(line);
      resolve({ port, url: (path = '/RPC2') => `http://127.0.0.1:${port}${path}`, stop: () => child.kill() });
    });
  });
}

export type PythonResult = { ok: unknown } | { fault: [number, string] } | { error: string };

/** Runs calls through one Python ServerProxy (test/python/client.py). */
export function runPythonClient(
  url: string,
  calls: { method: string; params?: unknown[] }[],
  options: { gzip?: boolean } = {},
): Promise<PythonResult[]> {
  const args = [join(dir, 'client.py'), url, ...(options.gzip ? ['--gzip'] : [])];
  const child = spawn('python3', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stdin.end(JSON.stringify(calls));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as PythonResult[]);
      else reject(new Error(`client.py exited with ${code}`));
    });
  });
}

/** XML-RPC values as tagged JSON (the scheme of test/python/tagged.py). */
export function toTagged(v: XmlRpcValue): unknown {
  if (typeof v === 'bigint') return { $int: String(v) };
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v : { $float: pyFloat(v) };
  if (v instanceof Date) return { $date: v.toISOString().replace(/[-]|\.\d+Z$/g, '') };
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(toTagged);
  if (v !== null && typeof v === 'object') {
    const inner: Record<string, unknown> = {};
    for (const k of Object.keys(v))
      Object.defineProperty(inner, k, { value: toTagged(v[k]!), enumerable: true });
    return Object.keys(v).some((k) => k.startsWith('$')) ? { $dict: inner } : inner;
  }
  return v;
}

function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

function plain(o: Record<string, unknown>): XmlRpcValue {
  const out: Record<string, XmlRpcValue> = {};
  for (const k of Object.keys(o)) {
    Object.defineProperty(out, k, {
      value: fromTagged(o[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function fromTagged(j: unknown): XmlRpcValue {
  if (Array.isArray(j)) return j.map(fromTagged);
  if (j === null || typeof j !== 'object') return j as XmlRpcValue;
  const o = j as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1) return plain(o);
  const v = o[keys[0]!] as string;
  switch (keys[0]) {
    case '$int':
      return BigInt(v) >= -(2n ** 53n) && BigInt(v) <= 2n ** 53n ? Number(v) : BigInt(v);
    case '$float':
      return Number(v.replace('inf', 'Infinity').replace('nan', 'NaN'));
    case '$date':
      return new Date(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6)}Z`);
    case '$bytes':
      return new Uint8Array(Buffer.from(v, 'base64'));
    case '$dict':
      return plain(o.$dict as Record<string, unknown>);
    default:
      return plain(o);
  }
}
