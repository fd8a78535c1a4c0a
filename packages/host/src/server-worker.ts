// The host's HTTP server, heartbeat and liveness, off the main thread: a synchronous plug-in that
// blocks the main thread cannot stop `ping`, `pyblish.liveness` or the heartbeat (pyblish-qml #126).
// Every other call is forwarded to the main thread, which runs it through the service (pyblish.begin
// with a wait as a begin and polls, timed here).
import { parentPort, workerData } from 'node:worker_threads';
import {
  createServer,
  encodedValueFromData,
  Fault,
  ListenError,
  MethodRegistry,
  tokenAuthenticator,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { beginAndWait } from './begin-wait.js';
import { BusyBoard } from './busy-board.js';
import { livenessOf } from './calls.js';
import { type GuiState, Heartbeat } from './heartbeat.js';
import { PING_REPLY, type PollJSON } from './wire.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.js';

const port = parentPort!;
const config = workerData as WorkerConfig;
const post = (msg: FromWorker) => port.postMessage(msg);

const board = new BusyBoard(config.busy);
let heartbeat: Heartbeat | null = null;
let nextId = 0;
const pending = new Map<number, { resolve: (v: XmlRpcValue) => void; reject: (e: unknown) => void }>();

/** `counted` false: a step of a call already counted (pyblish.begin's polls). */
function forward(method: string, counted = true) {
  return (params: XmlRpcValue[], call: { signal: AbortSignal }) =>
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
      post({ type: 'call', id, method, params, ...(!counted && { uncounted: true as const }) });
    });
}

const registry = new MethodRegistry();
for (const { name, options } of config.methods) {
  if (name === 'ping') {
    registry.register(
      name,
      () => {
        post({ type: 'counted' });
        return { ...PING_REPLY };
      },
      options,
    );
  } else if (name === 'pyblish.begin') {
    // With a wait, this thread keeps the clock: a plug-in blocking the main thread gets its
    // "not done yet" reply on time, and the GUI goes on polling and asking liveness.
    const begin = forward(name);
    const poll = forward('pyblish.poll', false);
    registry.register(
      name,
      (params, call) => {
        const waitMs = params[3];
        if (waitMs === undefined || waitMs === null) return begin(params, call);
        const steps = {
          begin: async () => String(await begin(params.slice(0, 3), call)),
          poll: async (id: string, after: number, ms: number) =>
            (await poll([id, after, ms], call)) as unknown as PollJSON,
        };
        return beginAndWait(steps, waitMs as number) as unknown as Promise<XmlRpcValue>;
      },
      options,
    );
  } else if (name === 'pyblish.liveness') {
    registry.register(name, () => livenessOf(board.read()) as unknown as XmlRpcValue, options);
  } else {
    registry.register(name, forward(name), options);
  }
}

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
