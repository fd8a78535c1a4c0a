// Tokens: who may call a host's /pyblish service. Comparisons run in constant time so a
// caller cannot learn a token byte by byte from response times.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time equality; hashing first makes unequal lengths take the same time too. */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b)) && a.length === b.length;
}

/** The token a request presents: `Authorization: Bearer T`, or `Basic` with T as the password. */
export function presentedToken(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  if (typeof auth !== 'string') return null;
  const space = auth.indexOf(' ');
  if (space < 0) return null;
  const scheme = auth.slice(0, space).toLowerCase();
  const value = auth.slice(space + 1).trim();
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : decoded.slice(colon + 1);
  }
  return null;
}

/** True when the request carries `token`. */
export function requestHasToken(headers: IncomingHttpHeaders, token: string): boolean {
  const presented = presentedToken(headers);
  return presented !== null && tokensEqual(presented, token);
}

/** `PYBLISH_ALLOW_UNAUTHENTICATED=1` (or true/yes) turns authentication off for peers that cannot send a token. */
export function unauthenticatedFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.PYBLISH_ALLOW_UNAUTHENTICATED?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}

export const UNAUTHENTICATED_WARNING =
  'WARNING: authentication is off (--allow-unauthenticated). Any local process or user can drive this ' +
  'host; the Content-Type, Host and Origin checks stay on. Use it only for GUIs that cannot send a token.';
