// docs/security-cases.md, cases 30-36: stalled and vanishing clients, dying and busy hosts, a dying GUI,
// concurrency, keep-alive and clocks, against the GUI process and real hosts.

import { execFile } from 'node:child_process';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Registry } from '@pyblish/core';
import { Host, HostError } from '@pyblish/host';
import {
  createServer,
  encodeMethodCall,
  MethodRegistry,
  TransportError,
  XmlRpcClient,
} from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import {
  call,
  guiAndHostPerFile,
  guiEndpoint,
  hostEndpoint,
  http,
  PLUGINS,
  ping,
  raw,
  rawRequest,
  spawnHost,
  systemGui,
  until,
} from '../support/system.js';

const PEER = fileURLToPath(new URL('./python/peer.py', import.meta.url));
const LONG_MS = 1500;
const run = promisify(execFile);

const system = guiAndHostPerFile({ env: { SECURITY_LONG_MS: String(LONG_MS) } });

interface RecordLike {
  message: string;
}
interface ResultLike {
  success: boolean;
  records: RecordLike[];
  error: { message: string } | null;
}

/** Writes `text` one byte every `gapMs` until the server closes the socket; resolves when it does. */
function dribble(port: number, text: string, gapMs: number): { closed: Promise<void>; stop(): void } {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return;
    socket.write(text[i++]!);
  }, gapMs);
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve();
    });
    socket.on('error', () => undefined);
  });
  return {
    closed,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe('cases 30-31: stalled and vanishing clients', () => {
  it('case 30: slow-loris headers and a body that never comes do not delay other callers; stalled headers are dropped', async () => {
    const targets: Array<[number, string, string]> = [
      [system.gui.port, '/', system.gui.token],
      [system.host.port, '/pyblish', system.host.token!],
      [system.gui.webPort, '/api/commands', system.gui.windowSecret],
    ];
    const stalls = targets.map(([port, path, token]) => ({
      headers: dribble(
        port,
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Pad: ${'a'.repeat(1000)}`,
        100,
      ),
      body: dribble(
        port,
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          'Content-Type: text/xml\r\nContent-Length: 100\r\n\r\n<?x',
        1,
      ),
    }));
    try {
      for (let round = 0; round < 5; round++) {
        const answers = await Promise.all(system.endpoints.flatMap((e) => [ping(e), ping(e)]));
        for (const a of answers) expect(a).toEqual({ message: 'Hello, whomever you are' });
        // pyblish-qml's nil, or our request for the settings of a host known from heartbeats only.
        expect([null, { settingsWanted: true }]).toContainEqual(
          (await call(guiEndpoint(system.gui), 'heartbeat', [system.host.port])) ?? null,
        );
        expect(
          (
            await http(system.gui.webPort, {
              method: 'GET',
              path: '/api/report',
              headers: {
                Host: `127.0.0.1:${system.gui.webPort}`,
                Authorization: `Bearer ${system.gui.windowSecret}`,
              },
            })
          ).status,
        ).toBe(200);
      }
      // The XML-RPC servers drop header dribblers at their header timeout (10 s).
      await Promise.all(stalls.slice(0, 2).map((s) => s.headers.closed));
    } finally {
      for (const s of stalls) {
        s.headers.stop();
        s.body.stop();
      }
    }
    // The same server code with short timeouts drops both kinds quickly.
    const methods = new MethodRegistry().register('ping', () => 'pong');
    const server = await createServer({
      port: 0,
      routes: { '/': methods },
      headersTimeout: 300,
      requestTimeout: 600,
    });
    try {
      const headers = dribble(
        server.port,
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${'X: y\r\n'.repeat(100)}`,
        20,
      );
      const body = await raw(
        server.port,
        [
          `POST / HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n<`,
        ],
        { waitMs: 5000 },
      );
      expect(body.closed).toBe(true);
      expect([408, null]).toContain(body.status);
      await headers.closed;
    } finally {
      await server.close();
    }
    for (const e of system.endpoints) expect(await ping(e)).toBeTruthy();
  }, 25_000);

  it('case 31: hit and run: show() sent then disconnected leaves the GUI serving', async () => {
    const other = await systemGui();
    const e = guiEndpoint(other);
    for (let i = 0; i < 5; i++) {
      const socket = connect({ host: '127.0.0.1', port: other.port });
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.end(rawRequest(e, encodeMethodCall('show', [40_000 + i, { WindowTitle: 'hit and run' }])));
      socket.destroy();
    }
    for (let i = 0; i < 10; i++) expect(await ping(e)).toBeTruthy();
    expect(other.exits).toEqual([]);
    const reply = await other.controller.command({ type: 'publish' });
    expect(reply.ok).toBe(false);
  });

  it('case 31: a client that disconnects mid-process leaves no stuck worker: the host serves the next pair', async () => {
    const e = hostEndpoint(system.host);
    await call(e, 'reset');
    const socket = connect({ host: '127.0.0.1', port: system.host.port });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(rawRequest(e, encodeMethodCall('process', ['WaitLong', null, null])));
    await until(async () => ((await call(e, 'pyblish.liveness')) as { busy: boolean }).busy, 5000);
    socket.destroy();
    expect(await ping(e)).toBeTruthy();
    // The abandoned pair ends (finished or aborted), then the next one runs.
    await until(async () => !((await call(e, 'pyblish.liveness')) as { busy: boolean }).busy, LONG_MS + 5000);
    const next = (await call(e, 'process', ['CollectShots', null, null])) as unknown as ResultLike;
    expect(next.success).toBe(true);
  });
});

describe('cases 32-34: hosts and GUIs that die or block', () => {
  it('case 32: a host that exits normally mid-publish ends the run in a clear error; the GUI stays responsive', async () => {
    const g = await systemGui();
    const h = await spawnHost({ gui: g, env: { SECURITY_SLOW_MS: '300' } });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    expect(await g.controller.command({ type: 'publish' })).toEqual({ ok: true });
    await g.waitFor((s) => s.progress.currentPlugin === 'ExtractSlowly', 15_000);
    await h.kill('SIGTERM');
    expect(await h.exited).toBe(0);
    const s = await g.waitFor((x) => x.phase === 'finished' && x.fault !== null, 10_000);
    expect(s.fault?.code).toBe('HOST_LOST');
    expect(s.plugins.some((p) => p.status === 'processing')).toBe(false);
    expect(await g.controller.command({ type: 'reset' })).toMatchObject({
      ok: false,
      error: { code: 'HOST_LOST' },
    });
    expect(g.report().fault?.code).toBe('HOST_LOST');
    expect(await ping(guiEndpoint(g))).toBeTruthy();
  });

  it('case 32: a host SIGKILLed inside a plain process call (the pyblish-qml protocol) ends the run in HOST_LOST', async () => {
    const g = await systemGui({ naive: true });
    const h = await spawnHost({ gui: g, env: { SECURITY_SLOW_MS: '400' } });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    expect(await g.controller.command({ type: 'publish' })).toEqual({ ok: true });
    await g.waitFor((s) => s.progress.currentPlugin === 'ExtractSlowly', 15_000);
    await h.kill('SIGKILL');
    const s = await g.waitFor((x) => x.phase === 'finished' && x.fault !== null, 10_000);
    expect(s.fault?.code).toBe('HOST_LOST');
    expect(g.report().fault?.code).toBe('HOST_LOST');
    expect(await ping(guiEndpoint(g))).toBeTruthy();
  });

  it('case 33: a plug-in that blocks the host main thread: ping and liveness still answer, the GUI says busy, the result arrives', async () => {
    // Directly: the host's server runs off the main thread.
    const blocked = await spawnHost({ env: { SECURITY_BLOCK_MS: '2500' } });
    const e = hostEndpoint(blocked);
    const begun = call(e, 'pyblish.begin', ['BlockCpu', null, null]);
    await until(async () => ((await call(e, 'pyblish.liveness')) as { busy: boolean }).busy, 5000);
    for (let i = 0; i < 5; i++) {
      expect(await ping(e)).toEqual({ message: 'Hello, whomever you are' });
      expect(await call(e, 'pyblish.liveness')).toMatchObject({ busy: true });
    }
    const callId = (await begun) as string;
    const poll = (await call(e, 'pyblish.poll', [callId, 0, 10_000])) as {
      done: boolean;
      result: ResultLike | null;
    };
    const final = poll.done ? poll : ((await call(e, 'pyblish.poll', [callId, 0, 10_000])) as typeof poll);
    expect(final.result?.success).toBe(true);

    // Through the GUI: busy, never lost, and the run finishes.
    const g = await systemGui();
    await spawnHost({ gui: g, env: { SECURITY_BLOCK_MS: '2500', SECURITY_SLOW_MS: '1' } });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    expect(await g.controller.command({ type: 'toggle', id: 'BlockCpu', value: true })).toEqual({ ok: true });
    expect(await g.controller.command({ type: 'publish' })).toEqual({ ok: true });
    await g.waitFor((s) => s.progress.currentPlugin === 'BlockCpu' && s.hosts[0]?.status === 'busy', 15_000);
    expect(await g.controller.command({ type: 'publish' })).toEqual({
      ok: false,
      error: { code: 'BUSY', message: 'Busy' },
    });
    expect(await ping(guiEndpoint(g))).toBeTruthy();
    const done = await g.waitFor((s) => s.phase === 'finished', 15_000);
    expect(done.fault).toBeNull();
    expect(done.hosts[0]?.status).not.toBe('lost');
    expect(done.plugins.find((p) => p.id === 'BlockCpu')?.succeeded).toBe(true);
    expect(g.exits).toEqual([]);
  }, 40_000);

  it('case 34: with the GUI gone a host backs off, show() fails fast and clearly, and a restarted GUI is picked up', async () => {
    const g = await systemGui({ allowUnauthenticated: true });
    const port = g.port;
    const registry = new Registry();
    registry.registerPluginPath(PLUGINS);
    const inProcess = new Host({
      registry,
      guiPort: port,
      allowUnauthenticated: true,
      heartbeatIntervalMs: 50,
      heartbeatMaxBackoffMs: 400,
      log: () => undefined,
    });
    try {
      await inProcess.show({ WindowTitle: 'Survivor' });
      await g.waitFor((s) => s.phase === 'ready', 15_000);
      await g.close();

      // Something holds the port and hangs up on every connection: count the heartbeat attempts.
      let attempts = 0;
      const sink = createNetServer((s) => {
        attempts++;
        s.destroy();
      });
      await new Promise<void>((r) => sink.listen(port, '127.0.0.1', r));
      await new Promise((r) => setTimeout(r, 2000));
      // Every 50 ms would be about 40 attempts; backing off to 400 ms makes it about 8.
      expect(attempts).toBeGreaterThan(1);
      expect(attempts).toBeLessThan(16);
      const failure = await inProcess.show().catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(HostError);
      expect((failure as HostError).code).toBe('GUI_UNREACHABLE');
      expect((failure as Error).message).toMatch(/Start one first/);
      await new Promise<void>((r) => sink.close(() => r()));

      const again = await systemGui({ port, allowUnauthenticated: true });
      await again.waitFor(
        (s) => s.hosts.some((h) => h.port === inProcess.port && h.status === 'alive'),
        10_000,
      );
      await inProcess.show({ WindowTitle: 'Survivor' });
      const s = await again.waitFor((x) => x.phase === 'ready', 15_000);
      expect(s.window.title).toBe('Survivor');
    } finally {
      await inProcess.uninstall();
    }
  });

  it('case 34: an authenticated host picks up a restarted GUI and its new token without a restart', async () => {
    const g = await systemGui();
    const h = await spawnHost({ gui: g });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    const { port, env } = g;
    await g.close();
    const again = await systemGui({ port, env: { PYBLISH_RUNTIME_DIR: env.PYBLISH_RUNTIME_DIR } });
    expect(again.token).not.toBe(g.token);
    await again.waitFor(
      (s) => s.hosts.some((x) => x.port === h.port && x.status === 'alive' && x.authenticated),
      15_000,
    );
    expect(h.proc.exitCode).toBeNull();
  });
});

describe('cases 35-36: concurrency, keep-alive and clocks', () => {
  it('case 35: fifty parallel pings during a long process are all answered', async () => {
    const e = hostEndpoint(system.host);
    await call(e, 'reset');
    const long = call(e, 'process', ['WaitLong', null, null]);
    await until(async () => ((await call(e, 'pyblish.liveness')) as { busy: boolean }).busy, 5000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? ping(e) : ping(guiEndpoint(system.gui)))),
    );
    for (const a of answers) expect(a).toEqual({ message: 'Hello, whomever you are' });
    expect(((await long) as unknown as ResultLike).success).toBe(true);
  });

  it('case 35: a second process while one runs is queued, never interleaved', async () => {
    const e = hostEndpoint(system.host);
    const [first, second] = (await Promise.all([
      call(e, 'process', ['WaitLong', null, null]),
      call(e, 'process', ['WaitLong', null, null]),
    ])) as unknown as ResultLike[];
    const times = (r: ResultLike) => r.records.map((x) => Number(x.message.split(' ')[1]));
    const [start1, end1] = times(first!);
    const [start2, end2] = times(second!);
    expect(first!.success && second!.success).toBe(true);
    // One after the other, whichever went first.
    expect(start2! >= end1! || start1! >= end2!).toBe(true);
  }, 20_000);

  it('case 35: hosts racing find_available_port never get the same port; a double publish is refused', async () => {
    const ports = (await Promise.all(
      Array.from({ length: 20 }, () => call(guiEndpoint(system.gui), 'find_available_port', [42_000])),
    )) as number[];
    expect(new Set(ports).size).toBe(20);
    const g = await systemGui();
    await spawnHost({ gui: g });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    const [a, b] = await Promise.all([
      g.controller.command({ type: 'publish' }),
      g.controller.command({ type: 'publish' }),
    ]);
    expect(a).toEqual({ ok: true });
    expect(b).toEqual({ ok: false, error: { code: 'BUSY', message: 'Busy' } });
    const s = await g.waitFor((x) => x.phase === 'finished', 15_000);
    expect(s.plugins.find((p) => p.id === 'ValidateNoisyLog')?.passed).toBe(3);
  });

  it('case 36: many sequential calls on one Python ServerProxy connection succeed against both servers', async () => {
    for (const [port, token, path] of [
      [system.host.port, system.host.token!, '/pyblish'],
      [system.gui.port, system.gui.token, '/RPC2'],
    ] as const) {
      // Asynchronously: the GUI answers from this very process.
      const { stdout, stderr } = await run('python3', [PEER, String(port), token, 'keepalive', '100', path], {
        timeout: 30_000,
      });
      expect(stderr).toBe('');
      expect(JSON.parse(stdout)).toEqual({ answered: 100 });
    }
  });

  it('case 36: a reply cut off mid-body is a TRUNCATED transport error, never a hang or a partial parse', async () => {
    const half = encodeMethodCall('x', []).replace('methodCall', 'methodResponse');
    const liar = createNetServer((s) => {
      s.once('data', () => {
        s.write(
          `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 5000\r\n\r\n${half.slice(0, 40)}`,
        );
        setTimeout(() => s.destroy(), 50);
      });
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    const c = new XmlRpcClient(`http://127.0.0.1:${(liar.address() as { port: number }).port}/`, {
      timeout: 5000,
    });
    try {
      const err = await c.call('ping').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).code).toBe('TRUNCATED');
    } finally {
      c.close();
      await new Promise<void>((r) => liar.close(() => r()));
    }
  });

  it('case 36: a wall-clock jump does not make a live host look dead (liveness uses a monotonic clock)', async () => {
    const g = await systemGui();
    const h = await spawnHost({ gui: g });
    await g.waitFor((s) => s.phase === 'ready', 15_000);
    const realNow = Date.now;
    try {
      // An hour forward, then back (suspend/resume, NTP): longer than every liveness timeout.
      Date.now = () => realNow() + 3_600_000;
      await new Promise((r) => setTimeout(r, 800));
      Date.now = () => realNow() - 3_600_000;
      await new Promise((r) => setTimeout(r, 800));
    } finally {
      Date.now = realNow;
    }
    const s = g.snapshot();
    expect(s.hosts.find((x) => x.port === h.port)?.status).toBe('alive');
    expect(s.fault).toBeNull();
    expect(await g.controller.command({ type: 'validate' })).toEqual({ ok: true });
    expect((await g.waitFor((x) => x.phase === 'finished', 15_000)).fault).toBeNull();
  });
});
