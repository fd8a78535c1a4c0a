// The host's HTTP server, heartbeat and liveness, off the main thread: a synchronous plug-in that
// blocks the main thread cannot stop `ping`, `pyblish.liveness` or the heartbeat (pyblish-qml #126).
// This thread serves the /pyblish table (serveMethods: lookup, parameter checks, the request count,
// pyblish.begin's wait); its handlers forward each call to the main thread, which only runs it.
import { parentPort, workerData } from 'node:worker_threads';
import {
  createServer,
  encodedValueFromData,
  Fault,
  ListenError,
  MethodRegistry,
  type MethodType,
  type ParamList,
  type TypedHandler,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { HOST_REFUSED_ADVICE } from './auth.js';
import { BusyBoard } from './busy-board.js';
import { livenessOf } from './calls.js';
import { type GuiState, Heartbeat } from './heartbeat.js';
import { guardedRoutes } from './identity.js';
import { HostMethod } from './protocol.js';
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

/** A handler that runs the call on the main thread; what crosses back has the shape `R` there. */
function forward<P extends ParamList, R>(method: MethodType<P, R>): TypedHandler<P, R> {
  return (params, call) =>
    new Promise<R>((resolve, reject) => {
      const id = ++nextId;
      const onAbort = () => post({ type: 'abort', id });
      // One request's signal may serve many calls (system.multicall): never leave listeners behind.
      const settle = () => call.signal.removeEventListener('abort', onAbort);
      pending.set(id, {
        resolve: (v) => {
          settle();
          resolve(v as R);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      call.signal.addEventListener('abort', onAbort, { once: true });
      post({ type: 'call', id, method: method.name, params: params as XmlRpcValue[] });
    });
}

/** This thread answers ping and liveness itself (a blocked main thread cannot); the rest it forwards. */
const handlers: HostHandlers = {
  ping: () => ({ ...PING_REPLY }),
  liveness: () => livenessOf(board.read()),
  stats: forward(HostMethod.stats),
  reset: forward(HostMethod.reset),
  context: forward(HostMethod.context),
  discover: forward(HostMethod.discover),
  process: forward(HostMethod.process),
  repair: forward(HostMethod.repair),
  emit: forward(HostMethod.emit),
  emitBatch: forward(HostMethod.emitBatch),
  test: forward(HostMethod.test),
  update: forward(HostMethod.update),
  begin: forward(HostMethod.begin),
  poll: forward(HostMethod.poll),
  cancel: forward(HostMethod.cancel),
  farmPlan: forward(HostMethod.farmPlan),
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
    ...guardedRoutes({ '/pyblish': registry }, config.token, 'host'),
    gzipThreshold: Number.POSITIVE_INFINITY, // loopback only: see NO_GZIP in transport.ts
    ...(config.token !== null && { unauthorizedMessage: HOST_REFUSED_ADVICE }),
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
