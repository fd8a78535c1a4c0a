import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { GuiMethod, guiDiscoveryPath, readGuiDiscovery } from '@pyblish/host';
import { Fault, TransportError, XmlRpcClient } from '@pyblish/xmlrpc';
import { afterEach, describe, expect, it } from 'vitest';
import { expectServedAsDeclared } from '../../xmlrpc/test/helpers.js';
import { PortAllocator } from '../src/ports.js';
import type { Report } from '../src/view-model.js';
import { cleanup, pythonHost, testGui } from './helpers.js';

afterEach(cleanup);

function client(port: number, token?: string, path = ''): XmlRpcClient {
  return new XmlRpcClient(
    `http://127.0.0.1:${port}${path}`,
    token ? { token, timeout: 5000 } : { timeout: 5000 },
  );
}

async function fault(promise: Promise<unknown>): Promise<Fault> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Fault) return err;
    throw err;
  }
  throw new Error('expected a fault');
}

/** Something listening that answers every request 401, as a host whose token the GUI lacks. */
async function answering(): Promise<{ port: number; requests: () => number; close(): void }> {
  let requests = 0;
  const server = createHttpServer((_req, res) => {
    requests++;
    res.writeHead(401, { 'Content-Length': 0 }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const done = () => {
    server.closeAllConnections();
    server.close();
  };
  const entry = { port: (server.address() as { port: number }).port, requests: () => requests, close: done };
  cleanupServers.push(done);
  return entry;
}

const cleanupServers: Array<() => void> = [];
afterEach(() => {
  for (const close of cleanupServers.splice(0)) close();
});

function listen(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
  });
}

describe('the 9090 server', () => {
  it('answers ping on /, /RPC2 and /pyblish', async () => {
    const gui = await testGui();
    for (const path of ['', '/', '/RPC2', '/pyblish']) {
      expect(await client(gui.port, undefined, path).call('ping')).toEqual({
        message: 'Hello, whomever you are',
      });
    }
  });

  it('serves every method GuiMethod declares, and no other, as declared, on /, /RPC2 and /pyblish', async () => {
    const gui = await testGui();
    for (const path of ['/', '/RPC2', '/pyblish']) {
      const c = client(gui.port, undefined, path);
      await expectServedAsDeclared(c, Object.values(GuiMethod));
      c.close();
    }
  });

  it('never hands out a port twice, nor one in use on the machine', async () => {
    const gui = await testGui();
    const squatter = await listen();
    const busy = (squatter.address() as { port: number }).port;
    try {
      const c = client(gui.port);
      const [a, b] = await Promise.all([
        c.call('find_available_port', [busy]),
        c.call('find_available_port', [busy]),
      ]);
      expect(a).not.toBe(busy);
      expect(b).not.toBe(busy);
      expect(a).not.toBe(b);
      // Handed out moments ago: still reserved even though nobody bound it yet.
      const c2 = await c.call('find_available_port', [a as number]);
      expect([a, b]).not.toContain(c2);
    } finally {
      squatter.close();
    }
  });

  it('holds only the newest reservations, so asking in a loop cannot use up the ports', async () => {
    // Six ports up to 65535 and four reservations held: without the cap the seventh ask finds none.
    const ports = new PortAllocator(() => [], 60_000, 4);
    const got: (number | null)[] = [];
    for (let i = 0; i < 12; i++) got.push(await ports.next(65_530));
    expect(got).not.toContain(null);
    for (let i = 4; i < got.length; i++) expect(got.slice(i - 4, i)).not.toContain(got[i]);
  });

  it('checks its arguments and leaves the GUI alone on bad ones', async () => {
    const gui = await testGui();
    const c = client(gui.port);
    expect((await fault(c.call('find_available_port', [80]))).faultCode).toBe(-32602);
    expect((await fault(c.call('find_available_port', [70000]))).faultCode).toBe(-32602);
    expect((await fault(c.call('show', ['9001', {}]))).faultCode).toBe(-32602);
    expect((await fault(c.call('show', [0, {}]))).faultCode).toBe(-32602);
    expect((await fault(c.call('show', [9001, 'notastruct']))).faultCode).toBe(-32602);
    expect((await fault(c.call('show', [9001, { WindowSize: 'big' }]))).faultCode).toBe(-32602);
    const farm = await fault(c.call('show', [9001, { Farm: 'ftp://farm:21' }]));
    expect(farm.faultCode).toBe(-32602);
    expect(farm.faultString).toContain('Farm must be "local" or a farm URL');
    expect((await fault(c.call('heartbeat', ['abc']))).faultCode).toBe(-32602);
    expect((await fault(c.call('show', []))).faultCode).toBe(-32602);
    expect(gui.snapshot().phase).toBe('noHost');
    expect(gui.snapshot().hosts).toEqual([]);
  });

  it('wants the token from the discovery file unless told to allow unauthenticated hosts', async () => {
    const gui = await testGui({ allowUnauthenticated: false });
    const found = readGuiDiscovery(gui.port, { env: gui.env });
    expect(found.token).toBe(gui.token);
    expect(found.pid).toBe(process.pid);
    const refused = await client(gui.port)
      .call('ping')
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TransportError);
    expect((refused as TransportError).status).toBe(401);
    expect(await client(gui.port, found.token).call('ping')).toEqual({ message: 'Hello, whomever you are' });
    const host = await answering();
    await client(gui.port, found.token).call('heartbeat', [host.port]);
    await gui.waitFor((s) => s.hosts.length === 1);
    expect(gui.snapshot().hosts[0]?.authenticated).toBe(true);
  });

  it('lists a host from heartbeats only once its port answers, and probes a silent port once, not per beat', async () => {
    const gui = await testGui();
    let connections = 0;
    // Listens, then hangs up on everyone: not a host.
    const hangUp = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((r) => hangUp.listen(0, '127.0.0.1', r));
    cleanupServers.push(() => hangUp.close());
    const phantom = (hangUp.address() as { port: number }).port;
    const closed = await listen();
    const nobody = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const c = client(gui.port);
    for (let i = 0; i < 5; i++) await c.call('heartbeat', [nobody]);
    for (let i = 0; i < 20; i++) await c.call('heartbeat', [phantom]);
    await expect.poll(() => connections).toBeGreaterThan(0);
    const afterFirst = connections;
    for (let i = 0; i < 20; i++) await c.call('heartbeat', [phantom]);
    const host = await answering();
    await c.call('heartbeat', [host.port]);
    // The answering host is listed; the phantoms never were, and their beats cost no more probes.
    await gui.waitFor((s) => s.hosts.some((h) => h.port === host.port));
    expect(gui.snapshot().hosts.map((h) => h.port)).toEqual([host.port]);
    expect(connections).toBe(afterFirst);
    expect(afterFirst).toBeLessThanOrEqual(2);
  });

  it('keeps at most maxUnshown hosts known only from heartbeats, dropping the longest silent', async () => {
    const gui = await testGui({ liveness: { tickMs: 100, maxUnshown: 2 } });
    const c = client(gui.port);
    const [a, b, d] = [await answering(), await answering(), await answering()];
    const ports = () => gui.snapshot().hosts.map((h) => h.port);
    for (const host of [a, b, d]) {
      await c.call('heartbeat', [host.port]);
      await gui.waitFor((s) => s.hosts.some((h) => h.port === host.port));
    }
    expect(ports().sort()).toEqual([b.port, d.port].sort());
    // The oldest beats again: it is listed once more, and now b is the longest silent.
    await c.call('heartbeat', [a.port]);
    await gui.waitFor((s) => s.hosts.some((h) => h.port === a.port));
    expect(ports().sort()).toEqual([a.port, d.port].sort());
  });

  it('quits cleanly on quit: the discovery file goes, the port is free', async () => {
    let exitCode: number | null = null;
    const gui = await testGui({
      onExit: (code) => {
        exitCode = code;
      },
    });
    const path = guiDiscoveryPath(gui.port, gui.env);
    expect(existsSync(path)).toBe(true);
    expect(await client(gui.port).call('quit')).toBe(true);
    await expect.poll(() => exitCode).toBe(0);
    expect(existsSync(path)).toBe(false);
    const reused = await listen(gui.port);
    reused.close();
  });

  it('kill ends a running publish, writes its report and exits with status 1', async () => {
    let exitCode: number | null = null;
    const base = await testGui();
    await base.close();
    const reportFile = join(base.runtime, 'kill-report.json');
    const gui = await testGui({
      reportFile,
      onExit: (code) => {
        exitCode = code;
      },
    });
    await pythonHost(gui, ['--long', '60']);
    await gui.controller.idle();
    const failure = gui.snapshot().instances.find((i) => i.name === 'Failure 1');
    await gui.controller.command({ type: 'toggle', id: failure?.id ?? '', value: false });
    await gui.controller.command({ type: 'publish' });
    await gui.waitFor((s) => s.progress.currentPlugin === 'ExtractSlowly');
    expect(await client(gui.port).call('kill')).toBe(true);
    await expect.poll(() => exitCode, { timeout: 10_000 }).toBe(1);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.finishedAt).not.toBeNull();
    expect(report.kind).toBe('publish');
    expect(report.fault?.code).toBe('GUI_CLOSED');
  });

  it('fails loudly when its port is taken', async () => {
    const squatter = await listen();
    try {
      await expect(testGui({ port: (squatter.address() as { port: number }).port })).rejects.toThrow(
        /in use|EADDRINUSE/,
      );
    } finally {
      squatter.close();
    }
  });

  it('applies show settings: title, context label, size, position, hidden sections', async () => {
    const gui = await testGui();
    await client(gui.port).call('show', [
      45679,
      {
        WindowTitle: 'Pyblish (Maya)',
        ContextLabel: 'Maya',
        WindowSize: [800, 700],
        WindowPosition: [20, 30],
        HiddenSections: ['Collect', 'Other'],
      },
    ]);
    const s = await gui.waitFor((state) => state.window.title === 'Pyblish (Maya)');
    expect(s.window).toEqual({
      title: 'Pyblish (Maya)',
      contextLabel: 'Maya',
      size: [800, 700],
      position: [20, 30],
      hiddenSections: ['Collect', 'Other'],
    });
    expect(s.visible).toBe(true);
    expect(s.hosts[0]?.label).toBe('Pyblish (Maya)');
    // Nothing serves port 45679: the reset fails with a clear fault instead of hanging.
    await gui.controller.idle();
    expect(gui.snapshot().fault?.code).toBe('HOST_LOST');
    await client(gui.port).call('hide');
    await gui.waitFor((state) => !state.visible);
  });
});
