// A GUI stand-in in TypeScript for life-cycle tests: the 9090 methods on an ephemeral port,
// optionally with a token, its discovery file and the identity route that proves it knows the
// token, recording what hosts send.
import { createServer as createNetServer } from 'node:net';
import { createServer, MethodRegistry, type XmlRpcServer, type XmlRpcValue } from '@pyblish/xmlrpc';
import { removeGuiDiscovery, writeGuiDiscovery } from '../../src/gui-discovery-file.js';
import { guardedRoutes } from '../../src/identity.js';

export interface FakeGui {
  port: number;
  heartbeats: number[];
  shows: { port: number; settings: Record<string, XmlRpcValue> }[];
  /** Ports handed out next by find_available_port, before free ones. */
  handOut: number[];
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startFakeGui(options: { port?: number; token?: string | null } = {}): Promise<FakeGui> {
  const gui: FakeGui = { port: 0, heartbeats: [], shows: [], handOut: [], close: async () => {} };
  const methods = new MethodRegistry()
    .register('ping', () => ({ message: 'Hello, whomever you are' }))
    .register('find_available_port', async () => gui.handOut.shift() ?? (await freePort()))
    .register('heartbeat', ([port]) => {
      gui.heartbeats.push(port as number);
      return null;
    })
    .register('show', ([port, settings]) => {
      gui.shows.push({ port: port as number, settings: settings as Record<string, XmlRpcValue> });
      return true;
    });
  const token = options.token ?? null;
  const server: XmlRpcServer = await createServer({
    port: options.port ?? 0,
    ...guardedRoutes({ '/': methods, '/RPC2': methods }, token, 'gui'),
  });
  gui.port = server.port;
  if (token !== null) writeGuiDiscovery(server.port, token);
  gui.close = async () => {
    if (token !== null) removeGuiDiscovery(server.port);
    await server.close();
  };
  return gui;
}

/** Resolves once `predicate` holds, checking every 10 ms; rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
