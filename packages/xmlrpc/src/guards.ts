// The request guards, decided from the head of a request before its body is read: the exact
// Host allow-list (against DNS rebinding), no Origin (against pages in a browser), Content-Type
// text/xml (against "simple" cross-origin requests), and the bearer token compared in constant
// time. Each returns the refusal to send, or null. See SECURITY.md.
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** An HTTP refusal decided from the request head alone, before any body is read. */
export interface Refusal {
  status: number;
  message: string;
  /** The status line's text instead of the standard one (a client that shows only it still learns why). */
  reason?: string;
  headers?: Record<string, string>;
}

/** The only `Host` values accepted by default: exact literals, never resolved or normalised. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

function countHostHeaders(req: IncomingMessage): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'host') n++;
  }
  return n;
}

/** Exactly one Host header, naming one of our own loopback names: the DNS-rebinding guard. */
export function checkHost(req: IncomingMessage, allowedHosts: ReadonlySet<string>): Refusal | null {
  const host = req.headers.host;
  if (host === undefined || countHostHeaders(req) !== 1 || !allowedHosts.has(host.toLowerCase())) {
    return { status: 403, message: 'Host not allowed: connect to 127.0.0.1 or localhost on this port' };
  }
  return null;
}

/**
 * Blocks DNS rebinding (Host must be one of our own names) and browser CSRF (no Origin, and only
 * `text/xml`, which a page cannot send cross-origin without a preflight we never answer). Unmodified
 * Python clients pass: they send `Host: 127.0.0.1:PORT`, `Content-Type: text/xml` and no Origin.
 */
export function checkOrigin(req: IncomingMessage, allowedHosts: ReadonlySet<string>): Refusal | null {
  const refused = checkHost(req, allowedHosts);
  if (refused) return refused;
  if (req.headers.origin !== undefined) {
    return { status: 403, message: 'requests from web pages are not allowed' };
  }
  return null;
}

export function checkContentType(req: IncomingMessage): Refusal | null {
  const header = req.headers['content-type'];
  if (header === 'text/xml') return null;
  const type = (header ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'text/xml') return { status: 415, message: 'send Content-Type: text/xml' };
  return null;
}

// One-shot hashing: a Hash object a request cost a host's ping rate several percent.
const digest = (s: string) => hash('sha256', s, 'buffer');

/** The token in `Authorization: Bearer TOKEN`, or HTTP Basic with TOKEN as the password, if any. */
function presentedToken(headers: IncomingHttpHeaders): string | null {
  const header = headers.authorization;
  if (typeof header !== 'string') return null;
  const space = header.indexOf(' ');
  if (space < 0) return null;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (scheme === 'bearer') return credentials;
  if (scheme === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : decoded.slice(colon + 1);
  }
  return null;
}

/**
 * Whether a request's headers carry `token`: as `Authorization: Bearer TOKEN`, or HTTP Basic with
 * TOKEN as the password and any user name (what Python's
 * `ServerProxy("http://user:TOKEN@127.0.0.1:PORT/path")` sends). Comparison is constant-time over
 * digests, so neither content nor length leaks through timing.
 */
export function tokenMatcher(token: string): (headers: IncomingHttpHeaders) => boolean {
  if (token.length === 0) throw new TypeError('the token must not be empty');
  const expected = digest(token);
  return (headers) => {
    const presented = presentedToken(headers);
    return presented !== null && timingSafeEqual(digest(presented), expected);
  };
}

/** `ServerOptions.authenticate` for `token` (see `tokenMatcher`). */
export function tokenAuthenticator(token: string): (req: IncomingMessage) => boolean {
  const matches = tokenMatcher(token);
  return (req) => matches(req.headers);
}
