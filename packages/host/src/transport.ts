// Where a host's /pyblish server runs: in a worker (the default; ping, liveness and the heartbeat
// keep answering while a plug-in blocks the main thread), or on the main thread (no worker start-up
// cost, no message hop; a blocking plug-in stalls everything, as in the original). Either way one
// table serves the calls (serveMethods); in the worker its handlers forward to the main thread,
// which runs the service's handler and sends the reply back.
import { Worker } from 'node:worker_threads';
import {
  type CallInfo,
  createServer,
  encodedValueData,
  Fault,
  FaultCode,
  isEncodedValue,
  ListenError,
  preencode,
  untypedHandler,
  type XmlRpcServer,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { HOST_REFUSED_ADVICE } from './auth.js';
import { BusyBoard } from './busy-board.js';
import type { BusyState } from './calls.js';
import { HostError } from './errors.js';
import { type GuiState, Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { guardedRoutes } from './identity.js';
import { HostMethod } from './protocol.js';
import type { PyblishMethods } from './service.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol.js';

/** Replies travel over loopback only: compressing them costs more CPU than the bytes it saves. */
export const NO_GZIP = Number.POSITIVE_INFINITY;

/**
 * Room for short-lived objects in the server worker. When replies crossed as object graphs, the
 * default young generation promoted most of a large one before it died (a third of the time of
 * a 10,000-instance context()). Replies now cross as bytes; without it the bench was within its
 * noise, so it stays for large requests and multicall results.
 */
const WORKER_YOUNG_GENERATION_MB = 64;

/**
 * Replies that grow with the scene (every instance, every plug-in) are encoded on the main thread
 * and cross as bytes: copying their object graph for the worker to encode cost as much again
 * (context() of 10,000 instances: about 39 ms that way, 27 ms this way). Small replies cross as
 * values, which is cheaper for them (process(): about 7% more calls/s). The worker never reads
 * these replies itself.
 */
const ENCODED_HERE = new Set(['context', 'discover', 'pyblish.pollRun']);

/** Encoded replies from this size on move their buffer to the worker; copying smaller ones is cheaper. */
const TRANSFER_BYTES = 64 * 1024;

export interface TransportOptions {
  /** 0 picks a free port. */
  port: number;
  /** Required from callers, or null to accept any local caller. */
  token: string | null;
  onGuiState: (state: GuiState) => void;
  /** Told when the server worker dies on its own (the host then no longer answers). */
  log: (message: string) => void;
  /** Told about unexpected errors in service methods (callers only see "METHOD failed"). */
  onError: (err: unknown, method: string) => void;
}

export interface HostTransport {
  readonly port: number;
  /** Mirrors the running pair for `pyblish.liveness`. */
  setBusy(state: BusyState | null): void;
  startHeartbeat(options: HeartbeatOptions): void;
  stopHeartbeat(): void;
  close(): Promise<void>;
}

function portInUse(port: number, cause: unknown): HostError {
  return new HostError(
    'PORT_IN_USE',
    `Port ${port} is already in use on 127.0.0.1; the host will not share it. Choose another port ` +
      '(--port 0 picks a free one), or stop the program that holds it.',
    { cause },
  );
}

export async function startInThread(
  methods: PyblishMethods,
  options: TransportOptions,
): Promise<HostTransport> {
  let server: XmlRpcServer;
  try {
    server = await createServer({
      port: options.port,
      ...guardedRoutes({ '/pyblish': methods }, options.token, 'host'),
      gzipThreshold: NO_GZIP,
      onError: options.onError,
      ...(options.token !== null && { unauthorizedMessage: HOST_REFUSED_ADVICE }),
    });
  } catch (err) {
    if (err instanceof ListenError && err.code === 'EADDRINUSE') throw portInUse(options.port, err);
    throw err;
  }
  let heartbeat: Heartbeat | null = null;
  return {
    port: server.port,
    setBusy: () => {},
    startHeartbeat(hb) {
      heartbeat?.stop();
      heartbeat = new Heartbeat(hb, options.onGuiState);
      heartbeat.start();
    },
    stopHeartbeat() {
      heartbeat?.stop();
      heartbeat = null;
    },
    async close() {
      heartbeat?.stop();
      await server.close();
    },
  };
}

export async function startInWorker(
  methods: PyblishMethods,
  options: TransportOptions,
): Promise<HostTransport> {
  const board = new BusyBoard();
  const { service } = methods;
  service.replies.keeping = false;
  const config: WorkerConfig = {
    port: options.port,
    token: options.token,
    served: service.served,
    busy: board.buffer,
    requests: service.requests.buffer,
    changes: service.changes.buffer,
  };
  // "#server-worker" (package.json) is dist/server-worker.js, or from the sources a shim that registers tsx.
  const worker = new Worker(new URL(import.meta.resolve('#server-worker')), {
    workerData: config,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  const send = (msg: ToWorker) => worker.postMessage(msg);
  const aborts = new Map<number, AbortController>();
  // The worker has looked the method up and checked its parameters: here it only runs.
  const handlers = new Map(
    service.served.map((key) => [HostMethod[key].name, untypedHandler(service.handlers[key])]),
  );

  /** Runs a handler as MethodRegistry.dispatch would: a failure other than a Fault is logged and hidden. */
  async function run(method: string, params: XmlRpcValue[], call: CallInfo): Promise<XmlRpcValue> {
    const handler = handlers.get(method);
    if (!handler)
      throw new Fault(FaultCode.MethodNotFound, `method "${method.slice(0, 80)}" is not supported`);
    try {
      return (await handler(params, call)) ?? null;
    } catch (err) {
      if (err instanceof Fault) throw err;
      options.onError(err, method);
      throw new Fault(FaultCode.ApplicationError, `${method} failed`);
    }
  }

  async function forward(msg: Extract<FromWorker, { type: 'call' }>) {
    const { id, method } = msg;
    const abort = new AbortController();
    aborts.set(id, abort);
    const call = { signal: abort.signal, remoteAddress: '127.0.0.1', path: '/pyblish', headers: {}, method };
    try {
      const value = await run(method, msg.params, call);
      if (ENCODED_HERE.has(method)) {
        const encoded = isEncodedValue(value) ? value : preencode(value);
        const data = encodedValueData(encoded);
        // The worker keeps what may be kept; this thread keeps nothing, so a large reply moves.
        const generation = service.replies.generationOf(encoded);
        const move = data.xml.byteLength >= TRANSFER_BYTES;
        worker.postMessage(
          { type: 'encoded', id, data, generation } satisfies ToWorker,
          move ? [data.xml.buffer as ArrayBuffer] : [],
        );
      } else {
        send({ type: 'reply', id, value });
      }
    } catch (err) {
      // run() reports a failing method itself; what is left is a reply that cannot be encoded.
      if (!(err instanceof Fault)) options.onError(err, method);
      const fault = err instanceof Fault ? err : new Fault(FaultCode.InternalError, `${method} failed`);
      send({ type: 'fault', id, code: fault.faultCode, message: fault.faultString });
    } finally {
      aborts.delete(id);
    }
  }

  let closed: (() => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'ready':
          resolve(msg.port);
          break;
        case 'listen-error':
          reject(msg.code === 'EADDRINUSE' ? portInUse(options.port, msg.message) : new Error(msg.message));
          break;
        case 'call':
          void forward(msg);
          break;
        case 'abort':
          aborts.get(msg.id)?.abort(new Error('the caller disconnected'));
          break;
        case 'gui':
          options.onGuiState(msg.state);
          break;
        case 'closed':
          closed?.();
          break;
      }
    });
  }).catch(async (err) => {
    await worker.terminate();
    throw err;
  });
  let closing = false;
  worker.on('error', (err) => options.log(`the server worker failed: ${err.message}`));
  worker.on('exit', (code) => {
    if (!closing)
      options.log(`the server worker stopped (exit code ${code}); uninstall and install the host again`);
  });

  return {
    port,
    setBusy: (state) => board.write(state),
    startHeartbeat: (hb) => send({ type: 'heartbeat', options: hb }),
    stopHeartbeat: () => send({ type: 'heartbeat-stop' }),
    async close() {
      closing = true;
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.once('exit', () => resolve());
        send({ type: 'close' });
      });
      await worker.terminate();
    },
  };
}
