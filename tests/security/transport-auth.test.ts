// docs/security-cases.md, cases 1-12: transport, authentication and discovery, against the GUI process
// (its XML-RPC server and its web endpoints) and a real host process (`pyblish host`).

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { guiDiscoveryPath, HostError, readGuiDiscovery } from '@pyblish/host';
import { encodeMethodCall, ListenError } from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import {
  CLI,
  call,
  type Endpoint,
  faultOf,
  freePort,
  guiAndHostPerFile,
  guiEndpoint,
  hostEndpoint,
  http,
  PLUGINS,
  ping,
  post,
  raw,
  rawRequest,
  spawnHost,
  systemGui,
  tempDir,
} from '../support/system.js';

const system = guiAndHostPerFile();

/** A request any web page could make toward the web endpoints, with the page's secret when given. */
function web(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return http(system.gui.webPort, {
    method: options.method ?? 'GET',
    path,
    headers: { Host: `127.0.0.1:${system.gui.webPort}`, ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
  });
}
/** What the page sends: the window's secret (never the token hosts use). */
const bearer = () => ({ Authorization: `Bearer ${system.gui.windowSecret}` });

async function webAnswers(): Promise<void> {
  expect((await web('/api/report', { headers: bearer() })).status).toBe(200);
}

/** Requests counted by the host's `stats` (a refused request never reaches a handler). */
async function hostRequests(): Promise<number> {
  const stats = (await call(hostEndpoint(system.host), 'stats')) as { totalRequestCount: number };
  return stats.totalRequestCount;
}

function expectNoCors(headers: Record<string, unknown>): void {
  for (const name of Object.keys(headers)) expect(name.toLowerCase()).not.toMatch(/^access-control-/);
}

describe('cases 1-2: browser-sendable content types', () => {
  const types: Array<string | undefined> = [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    undefined,
  ];

  it('case 1: kill/quit with text/plain, form or multipart content types (or none) get 415 and the GUI stays alive', async () => {
    const e = guiEndpoint(system.gui);
    for (const method of ['kill', 'quit']) {
      for (const type of types) {
        const reply = await post(e, method, { 'Content-Type': type });
        expect(reply.status, `${method} as ${type}`).toBe(415);
        expect(faultOf(reply)).toBeNull();
      }
    }
    expect(system.gui.exits).toEqual([]);
    expect(await ping(e)).toEqual({ message: 'Hello, whomever you are' });
  });

  it('case 1: a host refuses reset/process with those content types before any handler runs', async () => {
    const e = hostEndpoint(system.host);
    const before = await hostRequests();
    for (const type of types) {
      expect((await post(e, 'reset', { 'Content-Type': type })).status).toBe(415);
      expect(
        (await post(e, encodeMethodCall('process', ['CollectShots', null, null]), { 'Content-Type': type }))
          .status,
      ).toBe(415);
    }
    expect(await hostRequests()).toBe(before + 1);
    expect(await ping(e)).toEqual({ message: 'Hello, whomever you are' });
  });

  it('case 1: the web command endpoint takes application/json only (415 for what a form can send)', async () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const reply = await web('/api/commands', {
        method: 'POST',
        headers: { ...bearer(), 'Content-Type': type },
        body: '{"type":"reset"}',
      });
      expect(reply.status, type).toBe(415);
    }
    await webAnswers();
  });

  it('case 2: the enctype="text/plain" form trick is refused on both servers, with or without a token', async () => {
    // name `<?xml version`, value `'1.0'?><methodCall>...`: the browser joins them with "=".
    const formBody = `<?xml version='1.0'?><methodCall><methodName>kill</methodName><params></params></methodCall>\r\n`;
    for (const e of system.endpoints) {
      const withToken = await post(e, formBody, { 'Content-Type': 'text/plain' });
      expect(withToken.status, e.name).toBe(415);
      const asBrowser = await post(e, formBody, {
        'Content-Type': 'text/plain',
        Authorization: undefined,
        Origin: 'https://evil.example',
      });
      expect([401, 403, 415], e.name).toContain(asBrowser.status);
      expect(await ping(e)).toBeTruthy();
    }
    expect(system.gui.exits).toEqual([]);
  });
});

describe('cases 3-6: origin, Host and CORS', () => {
  it('case 3: Origin https://evil.example and Origin null get 403; no Origin (a Python client) is served', async () => {
    for (const e of system.endpoints) {
      for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${e.port}`]) {
        const reply = await post(e, 'ping', { Origin: origin });
        expect(reply.status, `${e.name} ${origin}`).toBe(403);
        expect(faultOf(reply)).toBeNull();
      }
      expect((await post(e, 'ping')).status).toBe(200);
      expect(await ping(e)).toBeTruthy();
    }
  });

  it('case 3: the web endpoints refuse foreign and null origins and serve their own page', async () => {
    for (const origin of ['https://evil.example', 'null', `http://localhost:${system.gui.webPort + 1}`]) {
      const reply = await web('/api/report', { headers: { ...bearer(), Origin: origin } });
      expect(reply.status, origin).toBe(403);
      expect(reply.body).not.toContain('"format"');
    }
    const own = await web('/api/report', {
      headers: { ...bearer(), Origin: `http://127.0.0.1:${system.gui.webPort}` },
    });
    expect(own.status).toBe(200);
    await webAnswers();
  });

  it('case 4: a rebinding Host header is refused with 403 before the body is read', async () => {
    for (const e of system.endpoints) {
      // The head announces a body that never comes: the answer must not wait for it.
      const head = [
        `POST ${e.path} HTTP/1.1`,
        `Host: evil.example:${e.port}`,
        'Content-Type: text/xml',
        `Authorization: Bearer ${e.token}`,
        'Content-Length: 100000',
        '',
        '',
      ].join('\r\n');
      const exchange = await raw(e.port, [head], { waitMs: 3000 });
      expect(exchange.status, e.name).toBe(403);
      expect(exchange.closed, e.name).toBe(true);
      expect(await ping(e)).toBeTruthy();
    }
    const page = await web('/api/report', {
      headers: { ...bearer(), Host: `evil.example:${system.gui.webPort}` },
    });
    expect(page.status).toBe(403);
    const root = await web('/', { headers: { Host: `evil.example:${system.gui.webPort}` } });
    expect(root.status).toBe(403);
    expect(root.body).not.toMatch(/<html/i);
  });

  it('case 5: Host spoof variants are refused; only 127.0.0.1:PORT and localhost:PORT pass', async () => {
    for (const e of system.endpoints) {
      const p = e.port;
      const spoofs = [
        `localhost.:${p}`,
        `localhost6:${p}`,
        `127.1:${p}`,
        `0177.0.0.1:${p}`,
        `2130706433:${p}`,
        `[::ffff:127.0.0.1]:${p}`,
        `[::1]:${p}`,
        `127.0.0.1:${p + 1}`,
        '127.0.0.1',
        'localhost',
        `127.0.0.1:${p}.evil.example`,
      ];
      for (const host of spoofs) {
        expect((await post(e, 'ping', { Host: host })).status, `${e.name} Host: ${host}`).toBe(403);
      }
      for (const host of [`127.0.0.1:${p}`, `localhost:${p}`]) {
        expect((await post(e, 'ping', { Host: host })).status, `${e.name} Host: ${host}`).toBe(200);
      }
      // No Host at all (HTTP/1.1: Node's parser answers 400; HTTP/1.0: our check answers 403).
      const body = encodeMethodCall('ping', []);
      const noHost11 = await raw(p, [rawRequest(e, body, ['Content-Type: text/xml'])]);
      expect([400, 403]).toContain(noHost11.status);
      const noHost10 = await raw(p, [
        rawRequest(e, body, ['Content-Type: text/xml']).replace('HTTP/1.1', 'HTTP/1.0'),
      ]);
      expect([400, 403]).toContain(noHost10.status);
      // Two Host headers, the first one right.
      const twice = await raw(p, [
        rawRequest(e, body, [`Host: 127.0.0.1:${p}`, `Host: evil.example:${p}`, 'Content-Type: text/xml']),
      ]);
      expect([400, 403]).toContain(twice.status);
      expect(await ping(e)).toBeTruthy();
    }
  });

  it('case 5: the web endpoints take the exact Host literals only', async () => {
    const p = system.gui.webPort;
    for (const host of [
      `localhost.:${p}`,
      `127.1:${p}`,
      `0177.0.0.1:${p}`,
      `2130706433:${p}`,
      `[::1]:${p}`,
      `127.0.0.1:${p + 1}`,
    ]) {
      expect((await web('/api/report', { headers: { ...bearer(), Host: host } })).status, host).toBe(403);
    }
    expect((await web('/api/report', { headers: { ...bearer(), Host: `localhost:${p}` } })).status).toBe(200);
    await webAnswers();
  });

  it('case 6: OPTIONS preflights and every kind of reply carry no Access-Control-Allow-* header', async () => {
    const preflight = {
      Origin: 'https://evil.example',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type, authorization',
    };
    for (const e of system.endpoints) {
      const replies = [
        await http(e.port, {
          method: 'OPTIONS',
          path: e.path,
          headers: { Host: `127.0.0.1:${e.port}`, ...preflight },
        }),
        await http(e.port, { method: 'OPTIONS', path: e.path, headers: { Host: `127.0.0.1:${e.port}` } }),
        await post(e, 'ping'),
        await post(e, 'nope'),
        await post(e, 'ping', { Authorization: undefined }),
        await post(e, 'ping', { 'Content-Type': 'text/plain' }),
        await post(e, 'ping', { Host: 'evil.example' }),
      ];
      for (const r of replies) expectNoCors(r.headers);
      expect(replies[0]!.status).toBeGreaterThanOrEqual(400);
      expect(await ping(e)).toBeTruthy();
    }
    const webReplies = [
      await web('/api/commands', { method: 'OPTIONS', headers: preflight }),
      await web('/api/report', {
        headers: { ...bearer(), Origin: `http://127.0.0.1:${system.gui.webPort}` },
      }),
      await web('/api/report'),
      await web('/'),
      await web('/api/report', { headers: { Origin: 'https://evil.example' } }),
    ];
    for (const r of webReplies) expectNoCors(r.headers);
    expect(webReplies[0]!.status).toBeGreaterThanOrEqual(400);
  });
});

describe('cases 7-8: tokens and paths', () => {
  it('case 7: a missing, wrong, wrong-length or different-case token gets 401 with no detail', async () => {
    for (const e of system.endpoints) {
      const token = e.token!;
      const flipped =
        token.replace(/[a-z]/, (c) => c.toUpperCase()) === token
          ? token.toLowerCase()
          : token.replace(/[a-z]/, (c) => c.toUpperCase());
      const wrong: Array<string | undefined> = [
        undefined,
        'Bearer nope',
        `Bearer ${token.slice(0, -1)}`,
        `Bearer ${token}x`,
        `Bearer ${flipped}`,
        `Basic ${Buffer.from(`user:${flipped}`).toString('base64')}`,
        `Token ${token}`,
        token,
      ];
      for (const auth of wrong) {
        const reply = await post(e, 'ping', { Authorization: auth });
        expect(reply.status, `${e.name} ${auth}`).toBe(401);
        expect(reply.body).not.toContain(token);
        expect(reply.body.length).toBeLessThan(40);
        expect(faultOf(reply)).toBeNull();
      }
      // Python's ServerProxy("http://user:TOKEN@127.0.0.1:PORT/...") sends Basic with the token as password.
      const basic = await post(e, 'ping', {
        Authorization: `Basic ${Buffer.from(`pyblish:${token}`).toString('base64')}`,
      });
      expect(basic.status).toBe(200);
      expect(await ping(e)).toBeTruthy();
    }
  });

  it('case 7: the right token works for several calls on one keep-alive connection', async () => {
    for (const e of system.endpoints) {
      const one = rawRequest(e, encodeMethodCall('ping', []));
      const exchange = await raw(e.port, [one, one, one], { gapMs: 50, waitMs: 500 });
      expect(exchange.text.match(/HTTP\/1\.1 200/g)?.length, e.name).toBe(3);
      expect(exchange.text.match(/Hello, whomever you are/g)?.length).toBe(3);
    }
  });

  it('case 7: the token never appears in faults, stats, replies or the GUI log', async () => {
    const e = guiEndpoint(system.gui);
    const h = hostEndpoint(system.host);
    const texts = [
      (await post(e, 'nope')).body,
      (await post(e, encodeMethodCall('show', ['x']))).body,
      (await post(h, encodeMethodCall('process', ['NoSuchPlugin', null, null]))).body,
      (await post(h, 'stats')).body,
      (await post(h, 'context')).body,
      (await post(h, 'discover')).body,
      (await post(e, encodeMethodCall('system.listMethods', []))).body,
      system.gui.logs.join('\n'),
    ];
    for (const text of texts) {
      expect(text).not.toContain(system.gui.token);
      expect(text).not.toContain(system.host.token!);
    }
  });

  it("case 7: the web endpoints want the window's secret as a bearer header: 401 without it, with a wrong one, or in a cookie", async () => {
    const secret = system.gui.windowSecret;
    expect((await web('/api/report')).status).toBe(401);
    expect((await web('/api/events')).status).toBe(401);
    const refused: Array<Record<string, string>> = [
      { Cookie: `pyblish-gui-token=${secret}` },
      { Authorization: `Bearer ${secret.toUpperCase()}` },
      { Authorization: `Bearer ${system.gui.token}` },
    ];
    for (const headers of refused) {
      const reply = await web('/api/report', { headers });
      expect(reply.status).toBe(401);
      expect(reply.body).not.toContain(secret);
    }
    // The page is served to anyone (it holds no secret), and sets no cookie.
    const page = await web(`/?token=${encodeURIComponent(secret)}`);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect((await web('/api/report', { headers: bearer() })).status).toBe(200);
  });

  it('case 8: GET /, GET /RPC2 and POSTs to unregistered paths get 404/405 and no HTML or introspection page', async () => {
    const g = guiEndpoint(system.gui);
    const h = hostEndpoint(system.host);
    const cases: Array<[Endpoint, string, string]> = [
      [g, 'GET', '/'],
      [g, 'GET', '/RPC2'],
      [g, 'POST', '/pyblish/../x'],
      [g, 'POST', '/pyblish/v1'],
      [g, 'POST', '/RPC2/'],
      [h, 'GET', '/'],
      [h, 'GET', '/pyblish'],
      [h, 'GET', '/RPC2'],
      [h, 'POST', '/'],
      [h, 'POST', '/RPC2'],
      [h, 'POST', '/pyblish/../x'],
      [h, 'POST', '/pyblish/v1'],
      [h, 'POST', '/pyblish?x=1'],
    ];
    for (const [e, method, path] of cases) {
      const body = encodeMethodCall('ping', []);
      const reply =
        method === 'GET'
          ? await http(e.port, {
              method,
              path,
              headers: { Host: `127.0.0.1:${e.port}`, Authorization: `Bearer ${e.token}` },
            })
          : await post(e, body, {}, path);
      expect([404, 405], `${e.name} ${method} ${path}`).toContain(reply.status);
      expect(reply.body).not.toMatch(/<html|<methodResponse|system\.listMethods/i);
      expect(String(reply.headers['content-type'])).toMatch(/^text\/plain/);
    }
    for (const e of system.endpoints) expect(await ping(e)).toBeTruthy();
  });
});

describe('cases 9-12: discovery file, ports and addresses', () => {
  it('case 9: the discovery file is 0600 in a 0700 directory and is removed on a clean exit', async () => {
    const runtime = join(tempDir(), 'run');
    mkdirSync(runtime, { mode: 0o755 });
    chmodSync(runtime, 0o755);
    const g = await systemGui({ env: { PYBLISH_RUNTIME_DIR: runtime } });
    const file = guiDiscoveryPath(g.port, g.env);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(lstatSync(runtime).mode & 0o777).toBe(0o700);
    const found = JSON.parse(readFileSync(file, 'utf8')) as { port: number; pid: number; token: string };
    expect(found).toMatchObject({ port: g.port, pid: process.pid, token: g.token });
    await g.close();
    expect(existsSync(file)).toBe(false);
  });

  it("case 9: a symlink or another user's file at the discovery path is refused, and its target left alone", async () => {
    const runtime = tempDir();
    chmodSync(runtime, 0o700);
    const env = { PYBLISH_RUNTIME_DIR: runtime };
    const target = join(tempDir(), 'victim.txt');
    writeFileSync(target, 'keep me\n');
    const port = await freePort();
    symlinkSync(target, guiDiscoveryPath(port, env));
    await expect(systemGui({ port, env })).rejects.toMatchObject({ code: 'DISCOVERY_INSECURE' });
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');

    const other = await freePort();
    const file = guiDiscoveryPath(other, env);
    writeFileSync(file, '{}', { mode: 0o600 });
    chownSync(file, 65534, 65534);
    await expect(systemGui({ port: other, env })).rejects.toThrow(/owned by uid 65534/);
    expect(readFileSync(file, 'utf8')).toBe('{}');
  });

  it('case 9: a host refuses a group- or world-readable discovery file, or one in a directory others can enter', async () => {
    const g = await systemGui();
    const file = guiDiscoveryPath(g.port, g.env);
    chmodSync(file, 0o640);
    expect(() => readGuiDiscovery(g.port, { env: g.env })).toThrow(HostError);
    expect(() => readGuiDiscovery(g.port, { env: g.env })).toThrow(/mode 640/);
    // The real host process says so and does not register.
    const refused = await spawnHost({ gui: g }).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toMatch(/Refusing to use .*gui-\d+\.json.*mode 640/s);
    chmodSync(file, 0o600);
    chmodSync(g.runtime, 0o711);
    expect(() => readGuiDiscovery(g.port, { env: g.env })).toThrow(/mode 711/);
    chmodSync(g.runtime, 0o700);
    expect(readGuiDiscovery(g.port, { env: g.env }).token).toBe(g.token);
    expect(g.snapshot().hosts).toEqual([]);
    expect(await ping(guiEndpoint(g))).toBeTruthy();
  });

  it('case 10: a taken port makes the GUI and a host fail loudly, with no fallback and no sharing', async () => {
    const squatter: Server = createNetServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const err = await systemGui({ port: taken }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ListenError);
      expect((err as ListenError).code).toBe('EADDRINUSE');
      expect((err as Error).message).toMatch(/already in use/);

      const result = spawnSync(
        process.execPath,
        [CLI, 'host', '--plugin-path', PLUGINS, '--port', String(taken)],
        {
          encoding: 'utf8',
          timeout: 20_000,
        },
      );
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`Port ${taken} is already in use`));
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
    // Nobody may bind next to a running GUI or host either.
    for (const port of [system.gui.port, system.gui.webPort, system.host.port]) {
      const second = createNetServer();
      const outcome = await new Promise<string>((resolve) => {
        second.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        second.listen({ port, host: '127.0.0.1' }, () => second.close(() => resolve('bound')));
      });
      expect(outcome, `port ${port}`).toBe('EADDRINUSE');
    }
    for (const e of system.endpoints) expect(await ping(e)).toBeTruthy();
  });

  it('case 11: a stale discovery file (dead PID) in front of an impostor: the host refuses and the impostor never sees the token', async () => {
    const received: Buffer[] = [];
    const sockets: Socket[] = [];
    const impostor = createNetServer((s) => {
      sockets.push(s);
      s.on('data', (d: Buffer) => received.push(d));
    });
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', r));
    const port = (impostor.address() as { port: number }).port;
    const runtime = tempDir();
    chmodSync(runtime, 0o700);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const secret = 'the-real-gui-token-that-must-not-leak';
    writeFileSync(
      join(runtime, `gui-${port}.json`),
      JSON.stringify({ port, pid: Number(dead.stdout), token: secret, startedAt: '', version: '0.1.0' }),
      { mode: 0o600 },
    );
    try {
      const env = { ...process.env, PYBLISH_RUNTIME_DIR: runtime };
      const err = await spawnHost({ gui: { port, env } }).catch((e: Error) => e);
      expect(String(err)).toMatch(/no longer running/);
      expect(Buffer.concat(received).toString('latin1')).not.toContain(secret);
      expect(received.length).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => impostor.close(() => r()));
    }
  });

  it('case 11: an answering GUI that wrote no discovery file is not trusted by an authenticated host', async () => {
    const g = await systemGui();
    // Hide the file, as a Python GUI (or another user's GUI) would have none.
    const file = guiDiscoveryPath(g.port, g.env);
    const saved = readFileSync(file, 'utf8');
    const { unlinkSync } = await import('node:fs');
    unlinkSync(file);
    const err = await spawnHost({ gui: g }).catch((e: Error) => e);
    // Refused, and the host says why: the GUI wants a token and its discovery file is missing.
    expect(String(err)).toMatch(/requires its token, and its discovery file .* is missing/);
    writeFileSync(file, saved, { mode: 0o600 });
    expect(g.snapshot().hosts).toEqual([]);
    expect(await ping(guiEndpoint(g))).toBeTruthy();
  });

  it('case 12: every server listens on 127.0.0.1 only: other local addresses are refused', async () => {
    const { networkInterfaces } = await import('node:os');
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a !== undefined && a.address !== '127.0.0.1')
      .map((a) => a!.address);
    const addresses = [...new Set(['127.0.0.2', '::1', ...others])];
    for (const port of [system.gui.port, system.gui.webPort, system.host.port]) {
      for (const address of addresses) {
        const outcome = await new Promise<string>((resolve) => {
          const s = connect({ host: address, port });
          s.once('connect', () => {
            s.destroy();
            resolve('connected');
          });
          s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        });
        expect(outcome, `${address}:${port}`).not.toBe('connected');
      }
    }
    for (const e of system.endpoints) expect(await ping(e)).toBeTruthy();
  });
});

describe('beyond the listed cases: the web endpoints', () => {
  it('serves only files inside its folder, with anti-framing and no-sniff headers', async () => {
    const root = tempDir();
    const dist = join(root, 'dist');
    mkdirSync(dist);
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>page</title>');
    const outside = join(root, 'outside-secret.txt');
    writeFileSync(outside, 'SECRET-OUTSIDE');
    const g = await systemGui({ distDir: dist });
    const get = (path: string) =>
      http(g.webPort, { method: 'GET', path, headers: { Host: `127.0.0.1:${g.webPort}` } });
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expectNoCors(page.headers);
    for (const path of [
      '/../outside-secret.txt',
      '/%2e%2e/outside-secret.txt',
      '/..%2foutside-secret.txt',
      '/..%5coutside-secret.txt',
      '/assets/..%2f..%2foutside-secret.txt',
      '/%2e%2e%2f%2e%2e%2fetc/passwd',
    ]) {
      const reply = await get(path);
      expect(reply.body, path).not.toContain('SECRET-OUTSIDE');
      expect(reply.body, path).not.toContain('root:');
    }
    // Only GET and HEAD outside /api; the token in a query string does not open /api.
    const posted = await http(g.webPort, {
      method: 'POST',
      path: '/',
      headers: { Host: `127.0.0.1:${g.webPort}`, 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(posted.status).toBe(405);
    const query = await get(`/api/report?token=${encodeURIComponent(g.windowSecret)}`);
    expect(query.status).toBe(401);
  });

  it('bounds and checks commands: oversize and unknown commands are refused without effect', async () => {
    const json = { ...bearer(), 'Content-Type': 'application/json' };
    const big = await web('/api/commands', {
      method: 'POST',
      headers: json,
      body: `"${'x'.repeat(2 << 20)}"`,
    });
    expect(big.status).toBe(400);
    for (const body of [
      '{"type":"nope"}',
      '{"type":5}',
      '{"type":"comment","text":{"a":1}}',
      'null',
      '[]',
      '{',
    ]) {
      const reply = await web('/api/commands', { method: 'POST', headers: json, body });
      expect([200, 400], body).toContain(reply.status);
      expect(JSON.parse(reply.body), body).toMatchObject({ ok: false });
    }
    expect((await web('/api/terminal?after=-1', { headers: bearer() })).status).toBe(400);
    expect(system.gui.exits).toEqual([]);
    await webAnswers();
  });
});

describe('beyond the listed cases: --allow-unauthenticated', () => {
  it('accepts calls without a token but keeps the Host, Origin and Content-Type guards, and warns', async () => {
    const g = await systemGui({ allowUnauthenticated: true });
    const h = await spawnHost({ args: ['--allow-unauthenticated'] });
    const open: Endpoint[] = [
      { ...guiEndpoint(g), token: null },
      { ...hostEndpoint(h), token: null },
    ];
    for (const e of open) {
      expect((await post(e, 'ping')).status, e.name).toBe(200);
      expect((await post(e, 'ping', { Origin: 'https://evil.example' })).status).toBe(403);
      expect((await post(e, 'ping', { Origin: 'null' })).status).toBe(403);
      expect((await post(e, 'ping', { Host: `evil.example:${e.port}` })).status).toBe(403);
      expect((await post(e, 'kill', { 'Content-Type': 'text/plain' })).status).toBe(415);
      expect(faultOf(await post(e, '__proto__'))?.code).toBe(-32601);
      expect(await ping(e)).toBeTruthy();
    }
    expect(g.exits).toEqual([]);
    expect(g.logs.join('\n')).toMatch(/authentication is off/);
    expect(h.output.join('\n')).toMatch(/authentication is off/);
    // The page still needs the GUI's token.
    expect(
      (
        await http(g.webPort, {
          method: 'GET',
          path: '/api/report',
          headers: { Host: `127.0.0.1:${g.webPort}` },
        })
      ).status,
    ).toBe(401);
  });
});
