// The host's HTTP server, heartbeat and liveness, off the main thread: a synchronous plug-in that
// blocks the main thread cannot stop `ping`, `pyblish.liveness` or the heartbeat (pyblish-qml #126).
// This thread serves the /pyblish table (serveMethods: lookup, parameter checks, the request count,
// pyblish.begin's wait); its handlers forward each call to the main thread, which only runs it.
// ping, stats and liveness it answers itself; context() and discover() too while the reply it
// last sent is current (reply-cache.ts); pyblish.pollRun when the main thread is blocked
// (run-poll-wait.ts).
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
import { asReply, Generation, ReplyCache } from './reply-cache.js';
import { RequestCounter } from './request-counter.js';
import { pollRunFromWorker } from './run-poll-wait.js';
import { type HostHandlers, serveMethods } from './served-methods.js';
import { PING_REPLY } from './wire.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.js';

const port = parentPort!;
const config = workerData as WorkerConfig;
const post = (msg: FromWorker) => port.postMessage(msg);

const board = new BusyBoard(config.busy);
const requests = new RequestCounter(config.requests);
const replies = new ReplyCache(new Generation(config.changes));
let heartbeat: Heartbeat | null = null;
let nextId = 0;
const pending = new Map<
  number,
  { method: string; resolve: (v: XmlRpcValue) => void; reject: (e: unknown) => void }
>();

/** A handler that runs the call on the main thread; what crosses back has the shape `R` there. */
function forward<P extends ParamList, R>(method: MethodType<P, R>): TypedHandler<P, R> {
  return (params, call) =>
    new Promise<R>((resolve, reject) => {
      const id = ++nextId;
      const onAbort = () => post({ type: 'abort', id });
      // One request's signal may serve many calls (system.multicall): never leave listeners behind.
      const settle = () => call.signal.removeEventListener('abort', onAbort);
      pending.set(id, {
        method: method.name,
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

/** The reply this thread kept for `method` while it is current, else the main thread's. */
function reusing<P extends ParamList, R>(method: MethodType<P, R>): TypedHandler<P, R> {
  const forwarded = forward(method);
  return (params, call) => {
    const kept = replies.get(method.name);
    return kept ? asReply<R>(kept) : forwarded(params, call);
  };
}

/** This thread answers ping, stats and liveness itself (a blocked main thread cannot); the rest it forwards. */
const handlers: HostHandlers = {
  ping: () => ({ ...PING_REPLY }),
  liveness: () => livenessOf(board.read()),
  stats: () => ({ totalRequestCount: requests.count }),
  reset: forward(HostMethod.reset),
  context: reusing(HostMethod.context),
  discover: reusing(HostMethod.discover),
  process: forward(HostMethod.process),
  repair: forward(HostMethod.repair),
  emit: forward(HostMethod.emit),
  emitBatch: forward(HostMethod.emitBatch),
  test: forward(HostMethod.test),
  update: forward(HostMethod.update),
  begin: forward(HostMethod.begin),
  poll: forward(HostMethod.poll),
  cancel: forward(HostMethod.cancel),
  run: forward(HostMethod.run),
  pollRun: pollRunFromWorker(forward(HostMethod.pollRun), board),
  farmPlan: forward(HostMethod.farmPlan),
};
const registry = serveMethods(new MethodRegistry(), handlers, config.served, requests);

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
      case 'encoded': {
        const entry = pending.get(msg.id);
        const value = encodedValueFromData(msg.data);
        if (entry && msg.generation !== null) replies.keep(entry.method, msg.generation, value);
        entry?.resolve(value);
        pending.delete(msg.id);
        break;
      }
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
