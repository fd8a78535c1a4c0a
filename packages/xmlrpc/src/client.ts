// The XML-RPC client, over node:http and compatible with Python's xmlrpc.server: pooled
// keep-alive connections, a timeout and an AbortSignal per call, bearer or basic authentication,
// optional gzip, and one retry of a request whose idle socket the server had closed. A call
// resolves to the reply's value or rejects with a Fault (the peer said no) or a TransportError
// (nothing usable came back).
import { Agent, type ClientRequest, type IncomingMessage, request } from 'node:http';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { MessageDecoder } from './decode.js';
import { encodeMethodCallBytes } from './encode.js';
import { DecodeError, TransportError } from './errors.js';
import { type Limits, resolveLimits } from './limits.js';
import type { AnyMethodType, MethodType, ParamList } from './method-type.js';
import type { XmlRpcValue } from './values.js';

const gzipAsync = promisify(gzip);

export interface ClientOptions {
  /** Per-call timeout in ms (default 30 000; 0 = none). Long calls should pass their own. */
  timeout?: number;
  /** Sent as `Authorization: Bearer TOKEN` (overrides user:password in the URL). */
  token?: string;
  /** Reuse connections (default true). */
  keepAlive?: boolean;
  /** Bounds on replies (body size, depth, ...). */
  limits?: Partial<Limits>;
  /** Gzip request bodies longer than this many bytes (default: never). */
  gzipThreshold?: number;
  /**
   * Offer `Accept-Encoding: gzip` (default false: on loopback, compressing costs more than the
   * bytes it saves). Gzipped replies are inflated either way.
   */
  acceptGzip?: boolean;
  /**
   * Read replies longer than this many bytes as they arrive, in many short steps, rather than
   * in one pass at their end (default: never). For callers that must keep serving others while
   * a large reply comes in; the whole read takes longer.
   */
  streamAboveBytes?: number;
}

export interface CallOptions {
  timeout?: number;
  signal?: AbortSignal;
}

function netError(err: NodeJS.ErrnoException, where: string): TransportError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new TransportError('ECONNREFUSED', `nothing listens on ${where}; is the server running?`, {
        cause: err,
      });
    case 'ECONNRESET':
    case 'EPIPE':
      return new TransportError('ECONNRESET', `the connection to ${where} was reset`, { cause: err });
    default:
      return new TransportError('NETWORK', `cannot reach ${where}: ${err.message}`, { cause: err });
  }
}

/** The Content-Encoding of a reply, lower-cased. (Reading `res.headers` would build every header.) */
function contentEncoding(raw: string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 16 && raw[i]!.toLowerCase() === 'content-encoding')
      return raw[i + 1]!.toLowerCase();
  }
  return undefined;
}

/** An XML-RPC client over `node:http`, compatible with Python's `xmlrpc.server`. */
export class XmlRpcClient {
  readonly url: URL;
  private readonly agent: Agent;
  private readonly options: ClientOptions;
  private readonly limits: Limits;
  private readonly path: string;
  private readonly authorization: string | undefined;
  private closed = false;

  constructor(url: string, options: ClientOptions = {}) {
    this.url = new URL(url);
    if (this.url.protocol !== 'http:') throw new TypeError(`${url}: only http:// URLs are supported`);
    this.options = options;
    this.limits = resolveLimits(options.limits);
    // Like Python's ServerProxy, a URL without a path posts to /RPC2.
    this.path = /^[a-z]+:\/\/[^/?#]*$/i.test(url) ? '/RPC2' : this.url.pathname + this.url.search;
    if (options.token !== undefined) {
      this.authorization = `Bearer ${options.token}`;
    } else if (this.url.username !== '' || this.url.password !== '') {
      const pair = `${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}`;
      this.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    }
    this.agent = new Agent({ keepAlive: options.keepAlive ?? true, scheduling: 'lifo' });
  }

  /** Calls `method`; resolves to its value, rejects with a Fault (the peer said no) or a TransportError. */
  call(method: string, params?: readonly XmlRpcValue[], options?: CallOptions): Promise<XmlRpcValue>;
  /** Calls a declared method; the reply is typed by its declaration (check what a peer may get wrong). */
  call<P extends ParamList, R>(method: MethodType<P, R>, params: P, options?: CallOptions): Promise<R>;
  call(
    declared: string | AnyMethodType,
    params: readonly XmlRpcValue[] = [],
    options: CallOptions = {},
  ): Promise<unknown> {
    const method = typeof declared === 'string' ? declared : declared.name;
    let body: Buffer;
    try {
      if (this.closed) throw new TransportError('CLOSED', 'this client is closed; create a new one');
      body = encodeMethodCallBytes(method, params, this.limits.maxDepth);
    } catch (err) {
      return Promise.reject(err);
    }
    const timeout = options.timeout ?? this.options.timeout ?? 30_000;
    if (body.length > (this.options.gzipThreshold ?? Number.POSITIVE_INFINITY)) {
      return gzipAsync(body).then((zipped) => this.exchange(method, zipped, true, timeout, options.signal));
    }
    // Small calls: no async function or extra promise layer on the way (this runs for every call).
    return this.exchange(method, body, false, timeout, options.signal);
  }

  private exchange(
    method: string,
    body: Buffer,
    gzipped: boolean,
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<XmlRpcValue> {
    return this.send(method, body, gzipped, timeout, signal, true).catch((err) => {
      // A kept-alive socket the server closed while idle: the request never reached it, retry once
      // (Python's Transport does the same).
      if (err instanceof RetryableReset) return this.send(method, body, gzipped, timeout, signal, false);
      throw err;
    });
  }

  /** Closes pooled connections; later calls fail with CLOSED. */
  close(): void {
    this.closed = true;
    this.agent.destroy();
  }

  private send(
    method: string,
    body: Buffer,
    gzipped: boolean,
    timeout: number,
    signal: AbortSignal | undefined,
    mayRetry: boolean,
  ): Promise<XmlRpcValue> {
    const headers: Record<string, string | number> = {
      'Content-Type': 'text/xml',
      'Content-Length': body.length,
      'User-Agent': 'pyblish-xmlrpc',
    };
    if (gzipped) headers['Content-Encoding'] = 'gzip';
    if (this.options.acceptGzip === true) headers['Accept-Encoding'] = 'gzip';
    if (this.authorization !== undefined) headers.Authorization = this.authorization;
    const req = request({
      host: this.url.hostname,
      port: this.url.port || 80,
      path: this.path,
      method: 'POST',
      agent: this.agent,
      headers,
    });
    return new Promise<XmlRpcValue>((resolve, reject) => {
      const exchange = new Exchange(method, req, this.limits, this.options.streamAboveBytes, resolve, reject);
      req.on('error', (err: NodeJS.ErrnoException) => exchange.requestError(err, mayRetry, this.where));
      req.on('response', (res) => exchange.response(res));
      if (signal !== undefined) exchange.watch(signal);
      if (timeout > 0) exchange.expireAfter(timeout);
      if (!exchange.settled) req.end(body);
    });
  }

  private get where(): string {
    return `${this.url.hostname}:${this.url.port || 80}`;
  }
}

/** One request and its reply. (A class rather than closures: this runs for every call.) */
class Exchange {
  settled = false;
  private responded = false;
  private timer: NodeJS.Timeout | undefined;
  private signal: AbortSignal | undefined;
  private abortListener: (() => void) | undefined;
  private size = 0;
  private failure: Error | null = null;

  constructor(
    private readonly method: string,
    private readonly req: ClientRequest,
    private readonly limits: Limits,
    private readonly streamAboveBytes: number | undefined,
    private readonly resolve: (value: XmlRpcValue) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  watch(signal: AbortSignal): void {
    const aborted = () => this.settle(new TransportError('ABORTED', `${this.method} was aborted`));
    if (signal.aborted) {
      aborted();
      return;
    }
    this.signal = signal;
    this.abortListener = aborted;
    signal.addEventListener('abort', aborted, { once: true });
  }

  expireAfter(ms: number): void {
    this.timer = setTimeout(
      () => this.settle(new TransportError('TIMEOUT', `${this.method} got no reply within ${ms} ms`)),
      ms,
    );
  }

  requestError(err: NodeJS.ErrnoException, mayRetry: boolean, where: string): void {
    // A kept-alive socket the server closed while idle: the request never reached it.
    if (mayRetry && !this.responded && this.req.reusedSocket && err.code === 'ECONNRESET') {
      this.settle(new RetryableReset());
    } else {
      this.settle(netError(err, where));
    }
  }

  response(res: IncomingMessage): void {
    this.responded = true;
    if (res.statusCode !== 200) {
      res.resume();
      const message = `${this.method}: the server answered HTTP ${res.statusCode} ${res.statusMessage}`;
      this.settle(new TransportError('HTTP_STATUS', message, { status: res.statusCode }));
      return;
    }
    const decoder = new MessageDecoder(
      'response',
      this.limits,
      this.streamAboveBytes === undefined ? {} : { streamAboveBytes: this.streamAboveBytes },
    );
    const encoding = contentEncoding(res.rawHeaders);
    const stream = encoding === 'gzip' || encoding === 'x-gzip' ? res.pipe(createGunzip()) : res;
    stream.on('data', (chunk: Buffer) => this.data(decoder, chunk));
    res.on('error', (err) => this.broken(res, err));
    if (stream !== res) stream.on('error', (err) => this.broken(res, err));
    res.on('close', () => {
      if (!res.complete) this.settle(this.truncated());
    });
    stream.on('end', () => this.end(res, decoder));
  }

  private data(decoder: MessageDecoder, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.limits.maxBodyBytes) {
      const message = `${this.method}: the reply is larger than ${this.limits.maxBodyBytes} bytes`;
      this.settle(new TransportError('TOO_LARGE', message));
      return;
    }
    if (this.failure !== null) return;
    try {
      decoder.write(chunk);
    } catch (err) {
      this.failure = err as Error;
    }
  }

  private end(res: IncomingMessage, decoder: MessageDecoder): void {
    if (!res.complete) {
      this.settle(this.truncated());
      return;
    }
    try {
      if (this.failure !== null) throw this.failure;
      const r = decoder.endResponse();
      this.settle(r.fault, r.fault === null ? r.value : null);
    } catch (err) {
      const detail = err instanceof DecodeError ? err.faultString : String(err);
      const message = `${this.method}: the reply is not valid XML-RPC (${detail})`;
      this.settle(new TransportError('BAD_RESPONSE', message, { cause: err }));
    }
  }

  private broken(res: IncomingMessage, err: unknown): void {
    this.settle(
      res.complete
        ? new TransportError('BAD_RESPONSE', `${this.method}: unreadable reply`, { cause: err })
        : this.truncated(),
    );
  }

  private truncated(): TransportError {
    return new TransportError('TRUNCATED', `${this.method}: the connection closed mid-reply`);
  }

  private settle(err: Error | null, value: XmlRpcValue = null): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.abortListener !== undefined) this.signal?.removeEventListener('abort', this.abortListener);
    if (err === null) {
      this.resolve(value);
    } else {
      this.reject(err);
      this.req.destroy();
    }
  }
}

class RetryableReset extends Error {}
