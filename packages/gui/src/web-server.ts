// The page's server, on 127.0.0.1 only: the built front end, an event stream of the view state
// (snapshot, then patches), the terminal backlog, commands and the report.
// Guards: exactly one Host header, 127.0.0.1:PORT or localhost:PORT (against DNS rebinding; the
// XML-RPC servers' own check), Origin absent
// or our own (against cross-site requests), the window's secret as `Authorization: Bearer` on
// every /api route (never a cookie: cookies ignore ports, so every local server the browser
// visits would get it), JSON-only commands (a form cannot send them), no CORS headers at all,
// and a Content-Security-Policy that lets the page run only its own files.

import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHost, loopbackHosts, tokenMatcher } from '@pyblish/xmlrpc';
import type { Command, CommandReply, Report } from './view-model.js';
import type { ViewStateStore } from './view-state.js';

/** The front end that packages/web builds into this package (the same path from src/ and dist/). */
export const DEFAULT_DIST = fileURLToPath(new URL('../dist/web/', import.meta.url));

export interface WebServerOptions {
  port: number;
  /** The window's secret: the page presents it; nothing else opens /api (not the hosts' token). */
  secret: string;
  store: ViewStateStore;
  command(c: Command): Promise<CommandReply>;
  report(): Report;
  /** The built front end (default: dist/web of this package). */
  distDir?: string;
  /** Told when the number of open event streams changes. */
  onClients?(count: number): void;
  /** Time allowed for a request's headers (ms, default 10 000); tests shorten it. */
  headersTimeout?: number;
  /** Told about requests that failed inside the server (the client only sees "Internal error"). */
  onError?(err: unknown): void;
}

export interface WebServer {
  port: number;
  /** The page's address, with the secret in its fragment (the page keeps it; no server sees it). */
  url: string;
  clients(): number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

/** Only the page's own files run, style and connect; nothing may frame it, post forms or set a base. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MAX_COMMAND_BYTES = 1 << 20;
/** Characters of terminal text in one backlog reply; the page asks on from the last entry it got. */
const TERMINAL_PAGE_CHARS = 4 << 20;
/** A stream that falls this far behind is closed; the page reconnects and gets a snapshot. */
const MAX_BACKLOG_BYTES = 64 << 20;

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const dist = resolve(options.distDir ?? DEFAULT_DIST);
  const streams = new Set<ServerResponse>();
  let port = 0;

  let allowedHosts: ReadonlySet<string> = new Set();
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const hasSecret = tokenMatcher(options.secret);
  const authorised = (req: IncomingMessage) => hasSecret(req.headers);

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const wanted = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    let file = resolve(dist, wanted || 'index.html');
    if (file !== dist && !file.startsWith(dist + sep)) return send(res, 404, 'Not found\n');
    let info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      // Paths without an extension belong to the page itself.
      if (extname(wanted)) return send(res, 404, 'Not found\n');
      file = join(dist, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        return send(
          res,
          503,
          'The web front end is not built. Run `npm run build -w @pyblish/web` (npm ci does it too), then reload.\n',
        );
      }
    }
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': file.includes(`${sep}assets${sep}`)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
    res.end(body);
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const write = (event: string, data: unknown) => {
      if (res.destroyed || res.writableEnded) return;
      if (res.writableLength > MAX_BACKLOG_BYTES) {
        res.destroy();
        return;
      }
      let text: string;
      try {
        text = JSON.stringify(data);
      } catch (err) {
        // A value JSON cannot carry reached the state: this stream ends (the page reconnects
        // for a fresh snapshot) and the process, the run and the report go on.
        options.onError?.(
          new Error(`closed an event stream: its ${event} could not be sent`, { cause: err }),
        );
        res.destroy();
        return;
      }
      res.write(`event: ${event}\ndata: ${text}\n\n`);
    };
    write('snapshot', options.store.snapshot());
    const unsubscribe = options.store.subscribe({
      patch: (p) => write('patch', p),
      terminal: (t) => write('terminal', t),
      notice: (n) => write('notice', n),
    });
    const keepAlive = setInterval(() => {
      if (!res.destroyed) res.write(': keep-alive\n\n');
    }, 15_000);
    keepAlive.unref();
    streams.add(res);
    options.onClients?.(streams.size);
    const done = () => {
      if (!streams.delete(res)) return;
      clearInterval(keepAlive);
      unsubscribe();
      options.onClients?.(streams.size);
    };
    req.on('close', done);
    res.on('close', done);
  }

  async function readCommand(req: IncomingMessage): Promise<Command> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_COMMAND_BYTES) throw new Error('too large');
      chunks.push(chunk);
    }
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (!value || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') {
      throw new Error('not a command');
    }
    return value as Command;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The page sends its own Origin, so only the Host half of the XML-RPC guard applies here.
    if (checkHost(req, allowedHosts)) return send(res, 403, 'Forbidden host\n');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return send(res, 403, 'Forbidden origin\n');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const method = req.method ?? 'GET';

    if (!url.pathname.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'Method not allowed\n');
      return serveStatic(res, url.pathname);
    }

    if (!authorised(req))
      return send(
        res,
        401,
        'Not authorised: open the address pyblish-gui printed (it carries the secret).\n',
      );
    switch (`${method} ${url.pathname}`) {
      case 'GET /api/events':
        return openStream(req, res);
      case 'GET /api/terminal': {
        const after = Number(url.searchParams.get('after') ?? '0');
        if (!Number.isInteger(after) || after < 0)
          return sendJson(res, 400, { error: 'after must be a whole number' });
        return sendJson(res, 200, options.store.terminalAfter(after, TERMINAL_PAGE_CHARS));
      }
      case 'GET /api/report':
        return sendJson(res, 200, options.report());
      case 'POST /api/commands': {
        const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (type !== 'application/json') {
          return sendJson(res, 415, {
            ok: false,
            error: { code: 'BAD_CONTENT_TYPE', message: 'Send commands as application/json' },
          } satisfies CommandReply);
        }
        let command: Command;
        try {
          command = await readCommand(req);
        } catch (err) {
          return sendJson(res, 400, {
            ok: false,
            error: { code: 'BAD_COMMAND', message: `Not a command: ${(err as Error).message}` },
          } satisfies CommandReply);
        }
        return sendJson(res, 200, await options.command(command));
      }
      default:
        return send(res, 404, 'Not found\n');
    }
  }

  const headersTimeout = options.headersTimeout ?? 10_000;
  const server: Server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(30_000, headersTimeout),
      // Node enforces the two timeouts only at this interval (default 30 s), so a slow-loris
      // connection would otherwise outlive headersTimeout by up to half a minute.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        // A bad %-escape in the path is the client's mistake, not ours.
        if (err instanceof URIError) return send(res, 400, 'Bad request: malformed %-encoding in the URL\n');
        // Internal messages stay in the log: they may tell a caller about files and code.
        options.onError?.(err);
        send(res, 500, 'Internal error\n');
      });
    },
  );
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: '127.0.0.1', exclusive: true }, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  allowedHosts = new Set(loopbackHosts(port));
  return {
    port,
    url: `http://127.0.0.1:${port}/#secret=${encodeURIComponent(options.secret)}`,
    clients: () => streams.size,
    close: () =>
      new Promise<void>((done) => {
        for (const res of streams) res.end();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
