// The whole system for the security and reliability suites: the GUI process (startGui on ephemeral
// ports, its runtime directory in a temporary folder), real hosts started through the CLI
// (`pyblish host`), and raw HTTP for requests no well-behaved client would send.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Gui, type GuiOptions, startGui } from '@pyblish/gui';
import { encodeMethodCall, XmlRpcClient, type XmlRpcValue } from '@pyblish/xmlrpc';
import { afterAll, beforeAll } from 'vitest';
import { watch } from '../../packages/gui/test/helpers.js';
import { exchange, type RawReply } from '../../packages/xmlrpc/test/helpers.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO, 'packages/cli/bin/pyblish.mjs');
export const PLUGINS = join(REPO, 'tests/security/fixtures/plugins');

const cleanups: Array<() => Promise<void> | void> = [];

/** Runs every cleanup registered by the helpers, newest first (call from afterEach/afterAll). */
export async function cleanup(): Promise<void> {
  while (cleanups.length) await cleanups.pop()?.();
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function tempDir(prefix = 'pyblish-security-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface SystemGui extends Gui {
  runtime: string;
  env: NodeJS.ProcessEnv;
  /** Lines the GUI logged. */
  logs: string[];
  /** Exit codes the GUI asked for (quit 0, kill 1); empty while it lives. */
  exits: number[];
}

/** The GUI process on ephemeral ports, authenticated, with short liveness timings. */
export async function systemGui(options: GuiOptions = {}): Promise<SystemGui> {
  const runtime = options.env?.PYBLISH_RUNTIME_DIR ?? tempDir('pyblish-security-run-');
  const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime, ...options.env };
  const logs: string[] = [];
  const exits: number[] = [];
  const gui = await startGui({
    port: 0,
    allowUnauthenticated: false,
    flushMs: 5,
    pollWaitMs: 200,
    liveness: {
      tickMs: 100,
      probeAfterMs: 1000,
      busyAfterMs: 300,
      forgetAfterMs: 60_000,
      timeouts: { probe: 1000, query: 10_000 },
    },
    log: (line) => logs.push(line),
    onExit: (code) => exits.push(code),
    ...options,
    env,
  });
  cleanups.push(() => gui.close());
  return Object.assign(gui, { runtime, env, logs, exits });
}

export interface HostProcess {
  proc: ChildProcess;
  port: number;
  /** Set for standalone hosts (`--port`), which print their token. */
  token: string | null;
  output: string[];
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export interface HostOptions {
  /** Register with this GUI (`--register`); otherwise serve standalone on a free port. */
  gui?: { port: number; env: NodeJS.ProcessEnv };
  /** Extra environment (fixture timings such as SECURITY_SLOW_MS). */
  env?: NodeJS.ProcessEnv;
  args?: string[];
}

/** A real host process: `pyblish host` serving the fixture plug-ins. */
export async function spawnHost(options: HostOptions = {}): Promise<HostProcess> {
  const args = [CLI, 'host', '--plugin-path', PLUGINS, ...(options.args ?? [])];
  if (options.gui) args.push('--register', '--gui-port', String(options.gui.port));
  else if (!args.includes('--port')) args.push('--port', '0');
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.gui?.env, ...options.env },
  });
  const watched = watch(proc, 20_000);
  cleanups.push(() => watched.kill());
  const serving = await watched.line(/serving http:\/\/127\.0\.0\.1:\d+\/pyblish/);
  const port = Number(/:(\d+)\/pyblish/.exec(serving)?.[1]);
  let token: string | null = null;
  if (!options.gui && !(options.args ?? []).includes('--allow-unauthenticated')) {
    token = (await watched.line(/^pyblish host: token /)).split(' ').pop() ?? null;
  }
  return { port, token, ...watched };
}

/** One of the two XML-RPC servers: the GUI's (hosts find it at its port) or a host's /pyblish. */
export interface Endpoint {
  name: string;
  port: number;
  path: string;
  token: string | null;
}

export const guiEndpoint = (gui: Gui): Endpoint => ({
  name: 'GUI',
  port: gui.port,
  path: '/',
  token: gui.token,
});

export const hostEndpoint = (host: HostProcess): Endpoint => ({
  name: 'host',
  port: host.port,
  path: '/pyblish',
  token: host.token,
});

/** The GUI process and a standalone host, started together, and their XML-RPC servers. */
export interface GuiAndHost {
  gui: SystemGui;
  host: HostProcess;
  /** The GUI's XML-RPC server, then the host's /pyblish. */
  endpoints: Endpoint[];
}

export async function guiAndHost(options: HostOptions = {}): Promise<GuiAndHost> {
  const [gui, host] = await Promise.all([systemGui(), spawnHost(options)]);
  return { gui, host, endpoints: [guiEndpoint(gui), hostEndpoint(host)] };
}

/**
 * One GUI and one host shared by every test of a file: started before the first test and cleaned
 * up after the last. The fields are there once the tests run.
 */
export function guiAndHostPerFile(options: HostOptions = {}): GuiAndHost {
  const system = {} as GuiAndHost;
  beforeAll(async () => {
    Object.assign(system, await guiAndHost(options));
  });
  afterAll(cleanup);
  return system;
}

export function client(e: Endpoint, options: { timeout?: number; keepAlive?: boolean } = {}): XmlRpcClient {
  const c = new XmlRpcClient(`http://127.0.0.1:${e.port}${e.path}`, {
    timeout: options.timeout ?? 10_000,
    ...(e.token !== null && { token: e.token }),
    ...(options.keepAlive !== undefined && { keepAlive: options.keepAlive }),
  });
  cleanups.push(() => c.close());
  return c;
}

/** One call on a fresh connection. */
export async function call(e: Endpoint, method: string, params: XmlRpcValue[] = []): Promise<XmlRpcValue> {
  const c = client(e, { keepAlive: false });
  try {
    return await c.call(method, params);
  } finally {
    c.close();
  }
}

/** The check every case ends with: the server still answers `ping`. */
export async function ping(e: Endpoint): Promise<XmlRpcValue> {
  return call(e, 'ping');
}

export type HttpReply = RawReply;

/** A request through node:http with exactly the headers given (no Host unless given). */
export function http(
  port: number,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
  },
): Promise<HttpReply> {
  return exchange(
    {
      port,
      method: options.method ?? 'POST',
      path: options.path ?? '/',
      headers: options.headers ?? {},
      setHost: false,
    },
    options.body,
  );
}

/** The headers a well-behaved XML-RPC client sends to `e`, with its token. */
export function goodHeaders(e: Endpoint, body: string | Buffer): Record<string, string | number> {
  return {
    Host: `127.0.0.1:${e.port}`,
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    ...(e.token !== null && { Authorization: `Bearer ${e.token}` }),
  };
}

/** POSTs `body` (default: a call of `method`) to `e` with the good headers, overridden by `headers`. */
export function post(
  e: Endpoint,
  bodyOrMethod: string | Buffer,
  headers: Record<string, string | number | undefined> = {},
  path = e.path,
): Promise<HttpReply> {
  const body =
    typeof bodyOrMethod === 'string' && !bodyOrMethod.startsWith('<')
      ? encodeMethodCall(bodyOrMethod, [])
      : bodyOrMethod;
  const all: Record<string, string | number> = {};
  for (const [k, v] of Object.entries({ ...goodHeaders(e, body), ...headers }))
    if (v !== undefined) all[k] = v;
  return http(e.port, { path, headers: all, body });
}

/** The fault in an XML-RPC fault reply, or null when the reply is not a fault. */
export function faultOf(reply: HttpReply): { code: number; message: string } | null {
  const code = /<name>faultCode<\/name>\s*<value>\s*<(?:int|i4)>(-?\d+)</.exec(reply.body);
  const message = /<name>faultString<\/name>\s*<value>\s*(?:<string>)?([^<]*)</.exec(reply.body);
  if (!code) return null;
  return { code: Number(code[1]), message: message?.[1] ?? '' };
}

export interface RawExchange {
  /** Everything the server sent. */
  text: string;
  status: number | null;
  /** The server closed the connection (rather than the wait running out). */
  closed: boolean;
}

/**
 * Writes `chunks` to a raw socket (pausing `gapMs` between them) and collects what comes back
 * until the server closes, or `waitMs` passes after the last write.
 */
export function raw(
  port: number,
  chunks: Array<string | Buffer>,
  options: { gapMs?: number; waitMs?: number } = {},
): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      socket.destroy();
      resolve({ text, status: status ? Number(status[1]) : null, closed });
    };
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        closed = true;
        finish();
      } else reject(err);
    });
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      timer = setTimeout(finish, options.waitMs ?? 2000);
    });
  });
}

/** The raw text of a request head plus body. */
export function rawRequest(
  e: Endpoint,
  body: string,
  headers: string[] = [`Host: 127.0.0.1:${e.port}`, 'Content-Type: text/xml'],
  path = e.path,
): string {
  const auth = e.token === null ? [] : [`Authorization: Bearer ${e.token}`];
  return [
    `POST ${path} HTTP/1.1`,
    ...headers,
    ...auth,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Resolves when `predicate` holds, polling every `everyMs`; rejects after `timeoutMs`. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export { encodeMethodCall };
