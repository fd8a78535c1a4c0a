// The XML-RPC server: node:http on 127.0.0.1 only, never sharing its port, with the request
// guards (Host, Origin, Content-Type, token; guards.ts) applied before any body is read, the
// body capped before and after gzip, header/request/keep-alive timeouts, and each path's calls
// dispatched through its MethodRegistry (methods.ts). A handler's own error reaches the caller
// as a short fault; a bug in this layer is answered with 500, never a crash.
import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, type Gunzip, gzip } from 'node:zlib';
import { type DecodedCall, MessageDecoder } from './decode.js';
import { encodeFault, encodeMethodResponseBytes } from './encode.js';
import { Fault, FaultCode, ListenError, type ListenErrorCode } from './errors.js';
import { checkContentType, checkOrigin, loopbackHosts, type Refusal } from './guards.js';
import { type Limits, resolveLimits } from './limits.js';
import type { CallInfo, MethodRegistry } from './methods.js';

const gzipAsync = promisify(gzip);

export interface ServerOptions {
  /** Loopback only. */
  host?: '127.0.0.1';
  /** 0 picks a free port. */
  port: number;
  /** Exact request paths (e.g. `/`, `/RPC2`, `/pyblish`) and the methods each serves. */
  routes: Record<string, MethodRegistry>;
  /** Return false to answer 401 (see `tokenAuthenticator`). */
  authenticate?: (req: IncomingMessage) => boolean;
  /**
   * What a caller refused with 401 is told to do, in the status line (a Python `ServerProxy`
   * shows it in its ProtocolError); the body stays "unauthorized". Default: the plain status line.
   */
  unauthorizedMessage?: string;
  /** Told about each caller refused with 401, before its body is read (to say so where a person reads). */
  onUnauthorized?: (req: IncomingMessage) => void;
  limits?: Partial<Limits>;
  /** Serve `system.listMethods`, `methodHelp`, `methodSignature` and `multicall` (default true). */
  introspection?: boolean;
  /** Never share the port (the default; `false` is not supported). */
  exclusive?: true;
  /** `Host` values accepted; default `127.0.0.1:PORT` and `localhost:PORT`. */
  allowedHosts?: string[];
  /** Time allowed for a request's headers (ms, default 10 000). */
  headersTimeout?: number;
  /** Time allowed for a whole request to arrive (ms, default 30 000); handlers may run longer. */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open (ms, default 15 000). */
  keepAliveTimeout?: number;
  /** Replies longer than this many bytes are gzipped when the client accepts gzip (default 1400, as Python). */
  gzipThreshold?: number;
  /** Told about handler errors, which callers see only as "METHOD failed". */
  onError?: (err: unknown, method: string) => void;
}

export interface XmlRpcServer {
  port: number;
  /** `http://127.0.0.1:PORT/path`. */
  url(path?: string): string;
  /** Stops listening and drops every connection, including calls still running. */
  close(): Promise<void>;
  httpServer: Server;
}

/** Why a body was not decoded: over the cap, corrupt gzip, or the client left. */
type BodyProblem = 'too-large' | 'bad-body' | 'gone';

function refuse(res: ServerResponse, refusal: Refusal, close = true): void {
  const body = `${refusal.message}\n`;
  const headers = {
    ...refusal.headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    // Refused before reading: the unread body would otherwise have to be drained.
    ...(close ? { Connection: 'close' } : {}),
  };
  if (refusal.reason === undefined) res.writeHead(refusal.status, headers);
  else res.writeHead(refusal.status, refusal.reason, headers);
  res.end(body);
}

function send(res: ServerResponse, body: Buffer, encoding: 'gzip' | undefined): void {
  if (res.destroyed) return;
  if (encoding === undefined) {
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.length });
  } else {
    // setHeader, so the encoding stays visible to `getHeader` (tests and logging look at it).
    res.setHeader('Content-Encoding', encoding);
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.length });
  }
  res.end(body);
}

/**
 * Streams a request body into the decoder as it arrives, never holding more than the decoder
 * needs. (A class rather than closures: this runs for every request.)
 */
class BodyReader {
  private readonly decoder: MessageDecoder;
  private readonly inflater: Gunzip | null;
  private readonly source: Readable;
  private size = 0;
  private failure: Fault | null = null;
  private settled = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly limits: Limits,
    private readonly resolve: (outcome: DecodedCall | Fault | BodyProblem) => void,
  ) {
    this.decoder = new MessageDecoder('call', limits);
    const encoding = req.headers['content-encoding']?.toLowerCase();
    this.inflater = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : null;
    this.source = this.inflater === null ? req : req.pipe(this.inflater);
    this.source.on('data', (chunk: Buffer) => this.data(chunk));
    this.source.on('end', () => this.end());
    this.source.on('error', () => this.settle(req.complete || !req.destroyed ? 'bad-body' : 'gone'));
    req.on('close', () => {
      if (!req.complete) this.settle('gone');
    });
  }

  private data(chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.limits.maxBodyBytes) {
      this.settle('too-large');
      return;
    }
    if (this.failure !== null) return;
    try {
      this.decoder.write(chunk);
    } catch (err) {
      this.failure = err as Fault;
    }
  }

  private end(): void {
    if (this.failure !== null) {
      this.settle(this.failure);
      return;
    }
    try {
      this.settle(this.decoder.endCall());
    } catch (err) {
      this.settle(err as Fault);
    }
  }

  private settle(outcome: DecodedCall | Fault | BodyProblem): void {
    if (this.settled) return;
    this.settled = true;
    if (outcome === 'too-large' || outcome === 'bad-body') {
      // Stop inflating; the rest of the raw body is discarded (bounded by requestTimeout) so
      // the client can read our refusal instead of a connection reset.
      if (this.inflater !== null) {
        this.req.unpipe(this.inflater);
        this.inflater.destroy();
      }
      this.req.resume();
    }
    this.resolve(outcome);
  }
}

/**
 * What a handler learns about its call. A class, so that `signal` (whose AbortController and
 * listener most calls never need) is made on first use: an object literal with a getter, built
 * per call, measurably slowed every call.
 */
class RequestCall implements CallInfo {
  readonly remoteAddress: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly #res: ServerResponse;
  #signal: AbortSignal | undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    readonly method: string,
  ) {
    this.remoteAddress = req.socket.remoteAddress ?? '';
    this.path = req.url ?? '';
    this.headers = req.headers;
    this.#res = res;
  }

  get signal(): AbortSignal {
    if (this.#signal === undefined) {
      const res = this.#res;
      const controller = new AbortController();
      if (res.destroyed && !res.writableFinished) controller.abort();
      res.on('close', () => {
        if (!res.writableFinished) controller.abort();
      });
      this.#signal = controller.signal;
    }
    return this.#signal;
  }
}

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
}

export async function createServer(options: ServerOptions): Promise<XmlRpcServer> {
  const limits = resolveLimits(options.limits);
  const host = options.host ?? '127.0.0.1';
  const requestTimeout = options.requestTimeout ?? 30_000;
  const headersTimeout = Math.min(options.headersTimeout ?? 10_000, requestTimeout);
  const gzipThreshold = options.gzipThreshold ?? 1400;
  const dispatchOptions = {
    introspection: options.introspection ?? true,
    maxMulticall: limits.maxMulticall,
    onError: options.onError,
  };
  const routes = new Map(Object.entries(options.routes));
  let allowedHosts = new Set<string>();

  function readCall(req: IncomingMessage): Promise<DecodedCall | Fault | BodyProblem> {
    return new Promise((resolve) => new BodyReader(req, limits, resolve));
  }

  function reply(req: IncomingMessage, res: ServerResponse, body: Buffer): void | Promise<void> {
    if (body.length > gzipThreshold && acceptsGzip(req)) {
      // Level 1: on loopback, speed matters more than the last few percent of size.
      return gzipAsync(body, { level: 1 }).then((zipped) => send(res, zipped, 'gzip'));
    }
    send(res, body, undefined);
  }

  function precheck(req: IncomingMessage): Refusal | null {
    const refusal = checkOrigin(req, allowedHosts);
    if (refusal !== null) return refusal;
    if (options.authenticate !== undefined && !options.authenticate(req)) {
      options.onUnauthorized?.(req);
      const told = options.unauthorizedMessage;
      return {
        status: 401,
        message: 'unauthorized',
        ...(told !== undefined && { reason: `Unauthorized: ${told}` }),
        headers: { 'WWW-Authenticate': 'Basic realm="xmlrpc"' },
      };
    }
    if (!routes.has(req.url ?? '')) return { status: 404, message: 'no XML-RPC service at this path' };
    if (req.method !== 'POST') {
      return { status: 405, message: 'XML-RPC takes POST only', headers: { Allow: 'POST' } };
    }
    const typeRefusal = checkContentType(req);
    if (typeRefusal !== null) return typeRefusal;
    const encoding = req.headers['content-encoding']?.toLowerCase();
    if (encoding !== undefined && encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
      return { status: 415, message: 'send the body plain or gzipped' };
    }
    if (Number(req.headers['content-length'] ?? 0) > limits.maxBodyBytes) {
      return { status: 413, message: `the body is larger than ${limits.maxBodyBytes} bytes` };
    }
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = precheck(req);
    if (refusal !== null) {
      refuse(res, refusal);
      return;
    }
    const call = await readCall(req);
    if (call === 'gone') return;
    if (call === 'too-large' || call === 'bad-body') {
      const message =
        call === 'too-large'
          ? `the body is larger than ${limits.maxBodyBytes} bytes`
          : 'the gzipped body is corrupt';
      refuse(res, { status: call === 'too-large' ? 413 : 400, message }, false);
      return;
    }
    if (call instanceof Fault) {
      await reply(req, res, Buffer.from(encodeFault(call)));
      return;
    }
    const info = new RequestCall(req, res, call.method);
    const registry = routes.get(info.path)!;
    let body: Buffer;
    try {
      const value = await registry.dispatch(call.method, call.params, info, dispatchOptions);
      body = encodeMethodResponseBytes(value, limits.maxDepth);
    } catch (err) {
      if (err instanceof Fault) {
        body = Buffer.from(encodeFault(err));
      } else {
        options.onError?.(err, call.method);
        body = Buffer.from(
          encodeFault(new Fault(FaultCode.InternalError, `the reply of ${call.method} could not be encoded`)),
        );
      }
    }
    await reply(req, res, body);
  }

  const server = createHttpServer(
    {
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: options.keepAliveTimeout ?? 15_000,
      // Node checks the two timeouts above only this often (default 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
      noDelay: true,
    },
    (req, res) => {
      handle(req, res).catch((err) => {
        // A bug in this layer: answer, never crash the process.
        options.onError?.(err, '');
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'Content-Type': 'text/plain', Connection: 'close' }).end('internal error\n');
        } else {
          res.destroy();
        }
      });
    },
  );

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'LISTEN_FAILED';
      const known = (ListenError.codes as readonly string[]).includes(code);
      const message =
        code === 'EADDRINUSE'
          ? `port ${options.port} on ${host} is already in use; stop the program holding it or choose another port`
          : `cannot listen on ${host}:${options.port} (${code})`;
      reject(
        new ListenError(known ? (code as ListenErrorCode) : 'LISTEN_FAILED', options.port, message, err),
      );
    };
    server.once('error', onError);
    server.listen({ host, port: options.port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set((options.allowedHosts ?? loopbackHosts(port)).map((h) => h.toLowerCase()));

  return {
    port,
    httpServer: server,
    url: (path = '/') => `http://${host}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
