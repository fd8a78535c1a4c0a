import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContextPlugin, Registry } from '@pyblish/core';
import { XmlRpcClient } from '@pyblish/xmlrpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostError } from '../src/errors.js';
import { guiDiscoveryPath, removeGuiDiscovery, writeGuiDiscovery } from '../src/gui-discovery-file.js';
import { Host, type HostOptions } from '../src/host.js';
import { type FakeGui, freePort, startFakeGui, until } from './helpers/fake-gui.js';

class Noop extends ContextPlugin {
  process(): void {}
}

let runtime: string;
const hosts: Host[] = [];
const guis: FakeGui[] = [];

beforeAll(() => {
  runtime = mkdtempSync(join(tmpdir(), 'pyblish-lifecycle-'));
  process.env.PYBLISH_RUNTIME_DIR = runtime;
});
afterAll(() => rmSync(runtime, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.uninstall()));
  await Promise.all(guis.splice(0).map((g) => g.close()));
});

function makeHost(options: HostOptions): Host {
  const host = new Host({
    registry: new Registry(),
    plugins: () => [Noop],
    heartbeatIntervalMs: 30,
    heartbeatMaxBackoffMs: 120,
    guiTimeoutMs: 2000,
    log: () => {},
    ...options,
  });
  hosts.push(host);
  return host;
}

async function gui(options: { port?: number; token?: string | null } = {}): Promise<FakeGui> {
  const g = await startFakeGui(options);
  guis.push(g);
  return g;
}

async function rejection(p: Promise<unknown>): Promise<HostError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(HostError);
    return err as HostError;
  }
  throw new Error('expected a HostError');
}

async function ping(port: number, token?: string): Promise<unknown> {
  const client = new XmlRpcClient(`http://127.0.0.1:${port}/pyblish`, token ? { token } : {});
  try {
    return await client.call('ping');
  } finally {
    client.close();
  }
}

describe('host life cycle', () => {
  it('reports a missing GUI at install with how to start one, then installs once the GUI is up', async () => {
    const guiPort = await freePort();
    const host = makeHost({ guiPort });
    const err = await rejection(host.install());
    expect(err.code).toBe('GUI_UNREACHABLE');
    expect(err.message).toMatch(/npx pyblish-gui/);
    expect(host.port).toBeNull();

    const g = await gui({ port: guiPort, token: 'gui-token' });
    const port = await host.install();
    expect(process.env.PYBLISH_CLIENT_PORT).toBe(String(port));
    await until(() => g.heartbeats.includes(port), 10_000, 'a heartbeat');
    await host.show({ WindowTitle: 'Pyblish (test)' });
    expect(g.shows[0]).toMatchObject({
      port,
      settings: {
        WindowTitle: 'Pyblish (test)',
        ContextLabel: 'Context',
        WindowSize: [430, 600],
        WindowPosition: [100, 100],
        HeartbeatInterval: 60,
        token: host.token,
        pid: process.pid,
      },
    });
    // The token the GUI received is the one the host's server requires.
    expect(await ping(port, g.shows[0]!.settings.token as string)).toEqual({
      message: 'Hello, whomever you are',
    });
  });

  it('refuses to register with a GUI that has no discovery file unless unauthenticated is allowed', async () => {
    const g = await gui({ token: null });
    const err = await rejection(makeHost({ guiPort: g.port }).install());
    expect(err.code).toBe('GUI_UNAUTHENTICATED');
    expect(err.message).toMatch(/--allow-unauthenticated/);
    expect(g.heartbeats).toEqual([]);

    const open = makeHost({ guiPort: g.port, allowUnauthenticated: true });
    const port = await open.install();
    await open.show();
    expect(g.shows[0]?.settings).not.toHaveProperty('token');
    expect(await ping(port)).toEqual({ message: 'Hello, whomever you are' });
  });

  it('reports a GUI that refuses the host as unauthenticated, not as missing, with what to do', async () => {
    const g = await gui({ token: 'gui-token' });
    // A token GUI whose discovery file is gone (another runtime dir, or deleted).
    removeGuiDiscovery(g.port);
    let err = await rejection(makeHost({ guiPort: g.port }).install());
    expect(err.code).toBe('GUI_UNAUTHENTICATED');
    expect(err.message).toMatch(/discovery file/);
    expect(err.message).toContain(guiDiscoveryPath(g.port));
    // A host without tokens meeting a GUI that requires one.
    err = await rejection(makeHost({ guiPort: g.port, allowUnauthenticated: true }).install());
    expect(err.code).toBe('GUI_UNAUTHENTICATED');
    expect(err.message).toMatch(/without --allow-unauthenticated/);
    // A discovery file whose token the GUI does not know: it cannot prove it wrote it, and is sent no token.
    writeGuiDiscovery(g.port, 'stale-token');
    err = await rejection(makeHost({ guiPort: g.port }).install());
    expect(err.code).toBe('GUI_UNAUTHENTICATED');
    expect(err.message).toMatch(/cannot prove it is the GUI that wrote .*changed since/s);
    expect(g.heartbeats).toEqual([]);
  });

  it('keeps serving when the GUI dies, fails show clearly, and picks up a restarted GUI with its new token', async () => {
    let g = await gui({ token: 'first' });
    const guiPort = g.port;
    const host = makeHost({ guiPort });
    const port = await host.install();
    await until(() => g.heartbeats.length > 0, 10_000, 'a heartbeat');

    await g.close();
    guis.splice(guis.indexOf(g), 1);
    await until(() => host.guiState?.up === false, 10_000, 'the host to notice');
    const err = await rejection(host.show());
    expect(err.code).toBe('GUI_UNREACHABLE');
    expect(await ping(port, host.token)).toEqual({ message: 'Hello, whomever you are' });

    g = await gui({ port: guiPort, token: 'second' });
    await until(() => g.heartbeats.includes(port), 10_000, 'heartbeats to the restarted GUI');
    await until(() => host.guiState?.up === true, 10_000, 'the host to notice the GUI is back');
    await host.show();
    expect(g.shows).toHaveLength(1);
  });

  it('stops serving and sending heartbeats on uninstall, and can install again', async () => {
    const g = await gui({ token: 't' });
    const host = makeHost({ guiPort: g.port });
    const port = await host.install();
    await until(() => g.heartbeats.length > 0, 10_000, 'a heartbeat');
    await host.uninstall();
    await host.uninstall();
    expect(host.port).toBeNull();
    await expect(ping(port, host.token)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // A beat already on the wire may still land; after that, none may follow.
    await new Promise((r) => setTimeout(r, 100));
    const count = g.heartbeats.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(g.heartbeats.length).toBe(count);

    const again = await host.install();
    expect(await ping(again, host.token)).toEqual({ message: 'Hello, whomever you are' });
  });

  it('never shares a taken port: asks the GUI for another, and fails loudly for an explicit one', async () => {
    const squatter: Server = createNetServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const g = await gui({ token: 't' });
      g.handOut.push(taken);
      const host = makeHost({ guiPort: g.port });
      const port = await host.install();
      expect(port).not.toBe(taken);
      await until(() => g.heartbeats.includes(port), 10_000, 'a heartbeat with the new port');

      const err = await rejection(makeHost({}).serve(taken));
      expect(err.code).toBe('PORT_IN_USE');
      expect(err.message).toMatch(/--port 0/);
      expect(squatter.listening).toBe(true);
    } finally {
      squatter.close();
    }
  });

  it('backs off instead of spinning while the GUI refuses heartbeats', async () => {
    let attempts = 0;
    const g = await gui({ token: null });
    const host = makeHost({ guiPort: g.port, offMainThread: false, allowUnauthenticated: true });
    await host.install();
    await g.close();
    guis.splice(guis.indexOf(g), 1);
    // A TCP listener that accepts and drops: every heartbeat fails, and each attempt is counted.
    const dropper = createNetServer((socket) => {
      attempts++;
      socket.destroy();
    });
    await new Promise<void>((r) => dropper.listen(g.port, '127.0.0.1', r));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      // Without back-off a 30 ms interval would make about 33 attempts a second; with it, at most ~10.
      expect(attempts).toBeGreaterThan(0);
      expect(attempts).toBeLessThan(16);
    } finally {
      dropper.close();
    }
  });
});
