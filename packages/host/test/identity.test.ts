// The identity challenge (identity.ts) on a real server: answered without a token, only for the
// secret and role it was made for; everything else on that server still wants the token.
import { createServer, MethodRegistry, XmlRpcClient, type XmlRpcServer } from '@pyblish/xmlrpc';
import { afterEach, describe, expect, it } from 'vitest';
import { checkIdentity, guardedRoutes, IDENTITY_PATH } from '../src/identity.js';
import { IdentityMethod } from '../src/protocol.js';

const servers: XmlRpcServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(secret: string | null): Promise<XmlRpcServer> {
  const methods = new MethodRegistry().register('ping', () => 'pong');
  const server = await createServer({ port: 0, ...guardedRoutes({ '/pyblish': methods }, secret, 'host') });
  servers.push(server);
  return server;
}

describe('the identity challenge', () => {
  it('is proven only by a server that knows the secret, for the role it was asked about', async () => {
    const server = await serve('the-secret');
    expect(await checkIdentity(server.port, 'the-secret', 'host', 2000)).toEqual({ kind: 'proven' });
    expect(await checkIdentity(server.port, 'another-secret', 'host', 2000)).toMatchObject({ kind: 'wrong' });
    // A host's proof never passes for a GUI's.
    expect(await checkIdentity(server.port, 'the-secret', 'gui', 2000)).toMatchObject({ kind: 'wrong' });
  });

  it('needs no token, and opens nothing else: the other routes still want it', async () => {
    const server = await serve('the-secret');
    const open = new XmlRpcClient(`http://127.0.0.1:${server.port}/pyblish`);
    try {
      await expect(open.call('ping')).rejects.toMatchObject({ code: 'HTTP_STATUS', status: 401 });
    } finally {
      open.close();
    }
    const identity = new XmlRpcClient(`http://127.0.0.1:${server.port}${IDENTITY_PATH}`);
    try {
      // A nonce too short to be unguessable is refused.
      await expect(identity.call(IdentityMethod.prove, ['short'])).rejects.toMatchObject({
        faultCode: -32602,
      });
      await expect(identity.call('ping')).rejects.toMatchObject({ faultCode: -32601 });
    } finally {
      identity.close();
    }
  });

  it('tells a refused connection (gone) and a server without the route (wrong) apart', async () => {
    const unauthenticated = await serve(null);
    expect(await checkIdentity(unauthenticated.port, 'x', 'host', 2000)).toMatchObject({
      kind: 'wrong',
      why: 'it answered HTTP 404',
    });
    const port = unauthenticated.port;
    await unauthenticated.close();
    servers.length = 0;
    expect(await checkIdentity(port, 'x', 'host', 2000)).toMatchObject({ kind: 'gone' });
  });
});
