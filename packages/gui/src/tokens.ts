// Token checks for the GUI's two servers. Comparisons run in constant time (hashing first makes
// unequal lengths take the same time too), so a caller cannot learn the token byte by byte.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The token in `Authorization: Bearer T` (or Basic, with T as the password), if any. */
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

export function requestHasToken(headers: IncomingHttpHeaders, token: string): boolean {
  const presented = presentedToken(headers);
  return presented !== null && tokensEqual(presented, token);
}
