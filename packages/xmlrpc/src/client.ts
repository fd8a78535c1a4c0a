import { Agent, type IncomingMessage, request } from 'node:http';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { DecodeError, MessageDecoder } from './decode.js';
import { encodeMethodCall } from './encode.js';
import { TransportError } from './errors.js';
import { type Limits, resolveLimits } from './limits.js';
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
  async call(
    method: string,
    params: readonly XmlRpcValue[] = [],
    options: CallOptions = {},
  ): Promise<XmlRpcValue> {
    if (this.closed) throw new TransportError('CLOSED', 'this client is closed; create a new one');
    let body = Buffer.from(encodeMethodCall(method, params, this.limits.maxDepth), 'utf8');
    const gzipped = body.length > (this.options.gzipThreshold ?? Number.POSITIVE_INFINITY);
    if (gzipped) body = await gzipAsync(body);
    const timeout = options.timeout ?? this.options.timeout ?? 30_000;
    try {
      return await this.send(method, body, gzipped, timeout, options.signal, true);
    } catch (err) {
      // A kept-alive socket the server closed while idle: the request never reached it, retry once
      // (Python's Transport does the same).
      if (err instanceof RetryableReset)
        return this.send(method, body, gzipped, timeout, options.signal, false);
      throw err;
    }
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
    const where = `${this.url.hostname}:${this.url.port || 80}`;
    return new Promise<XmlRpcValue>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (err: Error | null, value?: XmlRpcValue) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (err === null) {
          resolve(value ?? null);
        } else {
          reject(err);
          req.destroy();
        }
      };
      const onAbort = () => settle(new TransportError('ABORTED', `${method} was aborted`));
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
      let responded = false;
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (mayRetry && !responded && req.reusedSocket && err.code === 'ECONNRESET')
          settle(new RetryableReset());
        else settle(netError(err, where));
      });
      req.on('response', (res) => {
        responded = true;
        this.receive(method, res, settle);
      });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout > 0) {
        timer = setTimeout(
          () => settle(new TransportError('TIMEOUT', `${method} got no reply within ${timeout} ms`)),
          timeout,
        );
      }
      req.end(body);
    });
  }

  private receive(
    method: string,
    res: IncomingMessage,
    settle: (err: Error | null, value?: XmlRpcValue) => void,
  ): void {
    if (res.statusCode !== 200) {
      res.resume();
      settle(
        new TransportError(
          'HTTP_STATUS',
          `${method}: the server answered HTTP ${res.statusCode} ${res.statusMessage}`,
          {
            status: res.statusCode,
          },
        ),
      );
      return;
    }
    const decoder = new MessageDecoder('response', this.limits);
    const encoding = res.headers['content-encoding']?.toLowerCase();
    const stream = encoding === 'gzip' || encoding === 'x-gzip' ? res.pipe(createGunzip()) : res;
    let size = 0;
    let failure: Error | null = null;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > this.limits.maxBodyBytes) {
        settle(
          new TransportError(
            'TOO_LARGE',
            `${method}: the reply is larger than ${this.limits.maxBodyBytes} bytes`,
          ),
        );
        return;
      }
      if (failure !== null) return;
      try {
        decoder.write(chunk);
      } catch (err) {
        failure = err as Error;
      }
    });
    const truncated = () => new TransportError('TRUNCATED', `${method}: the connection closed mid-reply`);
    const broken = (err: unknown) =>
      settle(
        res.complete
          ? new TransportError('BAD_RESPONSE', `${method}: unreadable reply`, { cause: err })
          : truncated(),
      );
    res.on('error', broken);
    if (stream !== res) stream.on('error', broken);
    res.on('close', () => {
      if (!res.complete) settle(truncated());
    });
    stream.on('end', () => {
      if (!res.complete) return settle(truncated());
      try {
        if (failure !== null) throw failure;
        const r = decoder.endResponse();
        if (r.fault !== null) settle(r.fault);
        else settle(null, r.value);
      } catch (err) {
        const detail = err instanceof DecodeError ? err.faultString : String(err);
        settle(
          new TransportError('BAD_RESPONSE', `${method}: the reply is not valid XML-RPC (${detail})`, {
            cause: err,
          }),
        );
      }
    });
  }
}

class RetryableReset extends Error {}
