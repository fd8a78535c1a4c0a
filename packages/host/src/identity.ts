// Who answers at a port, proven without sending the secret. The caller sends a fresh random
// nonce; the server answers HMAC-SHA256(secret, role + nonce). A process that merely took the
// port (after the real server died, or in front of a discovery file whose writer looks alive: a
// zombie, a reused pid) cannot answer, and it learns nothing it could replay or use. The GUI
// proves itself to a host before the host sends it any token; a host proves itself to the GUI
// before the GUI trusts it again after a silence. The route needs no token (it would have to be
// sent first) and reveals nothing: it only answers for the secret it already knows.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  Fault,
  FaultCode,
  MethodRegistry,
  TransportError,
  tokenAuthenticator,
  XmlRpcClient,
} from '@pyblish/xmlrpc';
import { IdentityMethod } from './protocol.js';

/** Where both servers answer the challenge, without a token. */
export const IDENTITY_PATH = '/pyblish/identity';

/** What a host that can prove itself declares in its show settings (`identity`). */
export const IDENTITY_SCHEME = 'hmac-sha256';

/** Whose proof it is: a GUI's and a host's never stand in for each other. */
export type IdentityRole = 'gui' | 'host';

const MIN_NONCE = 16;
const MAX_NONCE = 256;

/** The answer to `nonce` of a server that knows `secret`. */
export function identityProof(secret: string, role: IdentityRole, nonce: string): string {
  return createHmac('sha256', secret).update(`pyblish-identity-v1\0${role}\0${nonce}`).digest('base64url');
}

/** The route that answers the challenge for `secret`: add it to a server's routes. */
export function identityRoute(secret: string, role: IdentityRole): Record<string, MethodRegistry> {
  const methods = new MethodRegistry().register(IdentityMethod.prove, ([nonce]) => {
    if (nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) {
      throw new Fault(FaultCode.InvalidParams, `the nonce must have ${MIN_NONCE} to ${MAX_NONCE} characters`);
    }
    return identityProof(secret, role, nonce);
  });
  return { [IDENTITY_PATH]: methods };
}

/** `authenticate` that lets the identity route through and asks `check` about everything else. */
export function exceptIdentity(check: (req: IncomingMessage) => boolean): (req: IncomingMessage) => boolean {
  return (req) => req.url === IDENTITY_PATH || check(req);
}

/**
 * A server's routes and authentication for `secret`: every route wants it, and the identity
 * route answers for it. Without a secret (unauthenticated mode) the routes are open and there
 * is nothing to prove.
 */
export function guardedRoutes(
  routes: Record<string, MethodRegistry>,
  secret: string | null,
  role: IdentityRole,
): { routes: Record<string, MethodRegistry>; authenticate?: (req: IncomingMessage) => boolean } {
  if (secret === null) return { routes };
  return {
    routes: { ...routes, ...identityRoute(secret, role) },
    authenticate: exceptIdentity(tokenAuthenticator(secret)),
  };
}

/**
 * What the challenge found: `proven`; `wrong` (something answered, but not with the proof);
 * `gone` (the connection was refused or reset: nothing of that process listens there); `silent`
 * (no answer in time).
 */
export type IdentityOutcome = { kind: 'proven' } | { kind: 'wrong' | 'gone' | 'silent'; why: string };

const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'NETWORK', 'TRUNCATED']);

/** Asks whatever listens at `port` to prove it knows `secret` as `role`. Never throws. */
export async function checkIdentity(
  port: number,
  secret: string,
  role: IdentityRole,
  timeoutMs: number,
): Promise<IdentityOutcome> {
  const nonce = randomBytes(32).toString('base64url');
  const client = new XmlRpcClient(`http://127.0.0.1:${port}${IDENTITY_PATH}`, {
    timeout: timeoutMs,
    keepAlive: false,
  });
  try {
    const answer: unknown = await client.call(IdentityMethod.prove, [nonce]);
    const expected = Buffer.from(identityProof(secret, role, nonce));
    const given = Buffer.from(typeof answer === 'string' ? answer : '');
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? { kind: 'proven' }
      : { kind: 'wrong', why: 'it answered with a wrong proof' };
  } catch (err) {
    if (err instanceof Fault) return { kind: 'wrong', why: `it answered with a fault (${err.faultString})` };
    if (err instanceof TransportError) {
      if (GONE.has(err.code)) return { kind: 'gone', why: err.message };
      if (err.code === 'TIMEOUT') return { kind: 'silent', why: err.message };
      if (err.code === 'HTTP_STATUS') return { kind: 'wrong', why: `it answered HTTP ${err.status}` };
    }
    return {
      kind: 'wrong',
      why: `it gave no usable answer (${err instanceof Error ? err.message : String(err)})`,
    };
  } finally {
    client.close();
  }
}
