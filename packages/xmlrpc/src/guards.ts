// The request guards, decided from the head of a request before its body is read: the exact
// Host allow-list (against DNS rebinding), no Origin (against pages in a browser), Content-Type
// text/xml (against "simple" cross-origin requests), and the bearer token compared in constant
// time. Each returns the refusal to send, or null. See SECURITY.md.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Accepts `Authorization: Bearer TOKEN`, or HTTP Basic with TOKEN as the password and any user
 * name (what Python's `ServerProxy("http://user:TOKEN@127.0.0.1:PORT/path")` sends). Comparison
 * is constant-time over digests, so neither content nor length leaks through timing.
 */
export function tokenAuthenticator(token: string): (req: IncomingMessage) => boolean {
  if (token.length === 0) throw new TypeError('the token must not be empty');
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return false;
    const space = header.indexOf(' ');
    const scheme = header.slice(0, space).toLowerCase();
    const credentials = header.slice(space + 1).trim();
    let presented: string;
    if (scheme === 'bearer') {
      presented = credentials;
    } else if (scheme === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      presented = decoded.slice(decoded.indexOf(':') + 1);
    } else {
      return false;
    }
    return timingSafeEqual(digest(presented), expected);
  };
}
