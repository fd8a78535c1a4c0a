// The host's HTTP server, heartbeat and liveness, off the main thread: a synchronous plug-in that
// blocks the main thread cannot stop `ping`, `pyblish.liveness` or the heartbeat (pyblish-qml #126).
// This thread serves the /pyblish table (serveMethods: lookup, parameter checks, the request count,
// pyblish.begin's wait); its handlers forward each call to the main thread, which only runs it.
import { parentPort, workerData } from 'node:worker_threads';
import {
  createServer,
  encodedValueFromData,
  Fault,
  type Handler,
  ListenError,
  MethodRegistry,
  tokenAuthenticator,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { BusyBoard } from './busy-board.js';
import { livenessOf } from './calls.js';
import { type GuiState, Heartbeat } from './heartbeat.js';
import { HostMethod, type HostMethodKey } from './protocol.js';
import { RequestCounter } from './request-counter.js';
import { type HostHandlers, serveMethods } from './served-methods.js';
import { PING_REPLY } from './wire.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.js';

const port = parentPort!;
const config = workerData as WorkerConfig;
const post = (msg: FromWorker) => port.postMessage(msg);

const board = new BusyBoard(config.busy);
let heartbeat: Heartbeat | null = null;
let nextId = 0;
const pending = new Map<number, { resolve: (v: XmlRpcValue) => void; reject: (e: unknown) => void }>();

function forward(method: string): Handler {
  return (params, call) =>
    new Promise<XmlRpcValue>((resolve, reject) => {
      const id = ++nextId;
      const onAbort = () => post({ type: 'abort', id });
      // One request's signal may serve many calls (system.multicall): never leave listeners behind.
      const settle = () => call.signal.removeEventListener('abort', onAbort);
      pending.set(id, {
        resolve: (v) => {
          settle();
          resolve(v);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      call.signal.addEventListener('abort', onAbort, { once: true });
      post({ type: 'call', id, method, params });
    });
}

const forwarded: Partial<Record<HostMethodKey, Handler>> = {};
for (const key of Object.keys(HostMethod) as HostMethodKey[]) forwarded[key] = forward(HostMethod[key].name);
const handlers: HostHandlers = {
  // What crosses from the main thread is untyped; the main thread's handlers gave it its shape.
  ...(forwarded as unknown as HostHandlers),
  ping: () => ({ ...PING_REPLY }),
  liveness: () => livenessOf(board.read()),
};
const registry = serveMethods(
  new MethodRegistry(),
  handlers,
  config.served,
  new RequestCounter(config.requests),
);

try {
  const server = await createServer({
    port: config.port,
    routes: { '/pyblish': registry },
    gzipThreshold: Number.POSITIVE_INFINITY, // loopback only: see NO_GZIP in transport.ts
    ...(config.token !== null && { authenticate: tokenAuthenticator(config.token) }),
  });
  port.on('message', async (msg: ToWorker) => {
    switch (msg.type) {
      case 'reply':
        pending.get(msg.id)?.resolve(msg.value);
        pending.delete(msg.id);
        break;
      case 'encoded':
        pending.get(msg.id)?.resolve(encodedValueFromData(msg.data));
        pending.delete(msg.id);
        break;
      case 'fault':
        pending.get(msg.id)?.reject(new Fault(msg.code, msg.message));
        pending.delete(msg.id);
        break;
      case 'heartbeat':
        heartbeat?.stop();
        heartbeat = new Heartbeat(msg.options, (state: GuiState) => post({ type: 'gui', state }));
        heartbeat.start();
        break;
      case 'heartbeat-stop':
        heartbeat?.stop();
        heartbeat = null;
        break;
      case 'close':
        heartbeat?.stop();
        await server.close();
        post({ type: 'closed' });
        port.close();
        break;
    }
  });
  post({ type: 'ready', port: server.port });
} catch (err) {
  const code = err instanceof ListenError ? err.code : 'ERROR';
  post({ type: 'listen-error', code, message: err instanceof Error ? err.message : String(err) });
  port.close();
}
