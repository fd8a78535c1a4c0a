// Tokens and the unauthenticated mode. The check of a presented token (Bearer, or Basic with the
// token as password, in constant time) is @pyblish/xmlrpc's tokenAuthenticator.
import { randomBytes } from 'node:crypto';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** `PYBLISH_ALLOW_UNAUTHENTICATED=1` (or true/yes) turns authentication off for peers that cannot send a token. */
export function unauthenticatedFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.PYBLISH_ALLOW_UNAUTHENTICATED?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}

export const UNAUTHENTICATED_WARNING =
  'WARNING: authentication is off (--allow-unauthenticated). Any local process or user can drive this ' +
  'host; the Content-Type, Host and Origin checks stay on. Use it only for GUIs that cannot send a token.';

/** What a caller without the host's token is told in the 401 (a Python ServerProxy prints the status line). */
export const HOST_REFUSED_ADVICE =
  'this Pyblish host needs its token, which a pyblish-qml GUI cannot send; ' +
  'run the host with --allow-unauthenticated to let such a GUI drive it';
