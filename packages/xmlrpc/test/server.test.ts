import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createServer,
  decodeMethodResponse,
  encodeMethodCall,
  Fault,
  FaultCode,
  ListenError,
  MethodRegistry,
  TransportError,
  tokenAuthenticator,
  XmlRpcClient,
  type XmlRpcServer,
} from '../src/index.js';
import { rawRequest, rawSocket, startTestServer, testRegistry } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
async function serve(options: Parameters<typeof startTestServer>[0] = {}): Promise<XmlRpcServer> {
  const server = await startTestServer(options);
  cleanups.push(() => server.close());
  return server;
}
function client(url: string, options?: ConstructorParameters<typeof XmlRpcClient>[1]): XmlRpcClient {
  const c = new XmlRpcClient(url, options);
  cleanups.push(() => c.close());
  return c;
}
async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: Error) => err,
  );
}

describe('calls through the client', () => {
  it('round-trips values and reports faults as Fault', async () => {
    const server = await serve();
    const c = client(server.url('/RPC2'));
    expect(await c.call('ping')).toBe('pong');
    expect(await c.call('add', [2, 3])).toBe(5);
    const f = (await rejection(c.call('nope'))) as Fault;
    expect(f).toBeInstanceOf(Fault);
    expect(f.faultCode).toBe(FaultCode.MethodNotFound);
  });

  it('handler errors become -32500 without the message, path or stack', async () => {
    const seen: unknown[] = [];
    const server = await serve({ onError: (err) => seen.push(err) });
    const f = (await rejection(client(server.url('/RPC2')).call('fail'))) as Fault;
    expect([f.faultCode, f.faultString]).toEqual([FaultCode.ApplicationError, 'fail failed']);
    expect(seen).toHaveLength(1);
  });

  it('wrong arity and types are -32602 before the handler runs', async () => {
    const server = await serve();
    const c = client(server.url('/RPC2'));
    expect(((await rejection(c.call('add', [1]))) as Fault).faultString).toBe(
      'add takes 2 parameter(s), got 1',
    );
    expect(((await rejection(c.call('add', ['1', 2]))) as Fault).faultCode).toBe(FaultCode.InvalidParams);
  });

  it('a server serves several paths, each with its own methods', async () => {
    const other = new MethodRegistry().register('whoami', () => 'other');
    const server = await serve({ routes: { '/RPC2': testRegistry(), '/other': other } });
    expect(await client(server.url('/other')).call('whoami')).toBe('other');
    expect(((await rejection(client(server.url('/RPC2')).call('whoami'))) as Fault).faultCode).toBe(-32601);
  });

  it('a URL without a path posts to /RPC2, as Python does', async () => {
    const server = await serve();
    expect(await client(`http://127.0.0.1:${server.port}`).call('ping')).toBe('pong');
  });

  it('introspection lists, documents and describes methods; multicall runs in order', async () => {
    const server = await serve();
    const c = client(server.url('/RPC2'));
    expect(await c.call('system.listMethods')).toEqual([
      'add',
      'echo',
      'fail',
      'ping',
      'system.listMethods',
      'system.methodHelp',
      'system.methodSignature',
      'system.multicall',
    ]);
    expect(await c.call('system.methodHelp', ['ping'])).toBe('Answers pong.');
    expect(await c.call('system.methodSignature', ['add'])).toEqual([['int', 'int', 'int']]);
    expect(await c.call('system.methodSignature', ['ping'])).toBe('signatures not supported');
    expect(
      await c.call('system.multicall', [
        [
          { methodName: 'add', params: [1, 2] },
          { methodName: 'nope', params: [] },
          { methodName: 'system.multicall', params: [[]] },
        ],
      ]),
    ).toEqual([
      [3],
      { faultCode: -32601, faultString: 'method "nope" is not supported' },
      { faultCode: -32600, faultString: 'system.multicall cannot be nested' },
    ]);
  });

  it('multicall is capped; introspection can be turned off', async () => {
    const server = await serve({ limits: { maxMulticall: 2 } });
    const calls = [1, 2, 3].map(() => ({ methodName: 'ping', params: [] }));
    const f = (await rejection(client(server.url('/RPC2')).call('system.multicall', [calls]))) as Fault;
    expect(f.faultCode).toBe(FaultCode.LimitExceeded);
    const quiet = await serve({ introspection: false });
    expect(
      ((await rejection(client(quiet.url('/RPC2')).call('system.listMethods'))) as Fault).faultCode,
    ).toBe(-32601);
  });

  it('the registry refuses private and prototype names', () => {
    const r = new MethodRegistry();
    for (const name of ['_count', '__proto__', 'a._b', 'system.listMethods', '', 'a..b']) {
      expect(() => r.register(name, () => null)).toThrow(
        expect.objectContaining({ code: 'BAD_METHOD_NAME' }),
      );
    }
    r.register('a', () => null);
    expect(() => r.register('a', () => null)).toThrow(expect.objectContaining({ code: 'DUPLICATE_METHOD' }));
  });
});

describe('gzip', () => {
  it('replies are gzipped only when the client asks and the reply is large', async () => {
    const server = await serve();
    const encodings: unknown[] = [];
    server.httpServer.on('request', (_req, res) => {
      res.on('finish', () => encodings.push(res.getHeader('content-encoding')));
    });
    const big = 'x'.repeat(10_000);
    expect(await client(server.url('/RPC2'), { acceptGzip: true }).call('echo', [big])).toBe(big);
    expect(await client(server.url('/RPC2'), { acceptGzip: true }).call('echo', ['small'])).toBe('small');
    expect(await client(server.url('/RPC2')).call('echo', [big])).toBe(big);
    expect(encodings).toEqual(['gzip', undefined, undefined]);
  });

  it('gzipped requests are inflated; the inflated size is capped too', async () => {
    const server = await serve({ limits: { maxBodyBytes: 50_000 } });
    const c = client(server.url('/RPC2'), { gzipThreshold: 0 });
    expect(await c.call('echo', ['y'.repeat(20_000)])).toBe('y'.repeat(20_000));
    const err = (await rejection(c.call('echo', ['y'.repeat(60_000)]))) as TransportError;
    expect([err.code, err.status]).toEqual(['HTTP_STATUS', 413]);
  });
});

describe('transport errors are distinct from faults', () => {
  it('connection refused', async () => {
    const server = await serve();
    const url = server.url('/RPC2');
    await server.close();
    const err = (await rejection(client(url).call('ping'))) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('per-call timeout and AbortSignal', async () => {
    const slow = new MethodRegistry().register('sleep', ([ms], call) => {
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(true), ms as number);
        call.signal.addEventListener('abort', () => clearTimeout(t));
      });
    });
    const server = await serve({ routes: { '/RPC2': slow } });
    const c = client(server.url('/RPC2'));
    expect(((await rejection(c.call('sleep', [5000], { timeout: 50 }))) as TransportError).code).toBe(
      'TIMEOUT',
    );
    const controller = new AbortController();
    const pending = c.call('sleep', [5000], { signal: controller.signal });
    controller.abort();
    expect(((await rejection(pending)) as TransportError).code).toBe('ABORTED');
    expect(await c.call('sleep', [1])).toBe(true);
  });

  it('a kept-alive connection reset before any reply is retried once on a new connection', async () => {
    const reply =
      '<?xml version="1.0"?><methodResponse><params><param><value>ok</value></param></params></methodResponse>';
    let connections = 0;
    const flaky = createNetServer((socket) => {
      connections++;
      let requests = 0;
      socket.on('data', () => {
        // The second request on a connection meets a reset, as when an idle socket times out.
        if (++requests === 2) return socket.resetAndDestroy();
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${reply.length}\r\n\r\n${reply}`,
        );
      });
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => flaky.close());
    const c = client(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}/RPC2`);
    expect(await c.call('a')).toBe('ok');
    expect(await c.call('b')).toBe('ok');
    expect(connections).toBe(2);
  });

  it('a reset on the retry too is reported as ECONNRESET, a TransportError', async () => {
    let served = 0;
    const reply =
      '<?xml version="1.0"?><methodResponse><params><param><value>ok</value></param></params></methodResponse>';
    const broken = createNetServer((socket) => {
      socket.on('data', () => {
        if (served++ > 0) return socket.resetAndDestroy();
        socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${reply.length}\r\n\r\n${reply}`);
      });
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => broken.close());
    const c = client(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/RPC2`);
    expect(await c.call('a')).toBe('ok');
    const err = (await rejection(c.call('b'))) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('ECONNRESET');
  });

  it('an HTTP/1.0 client is answered and its connection closed', async () => {
    const server = await serve();
    const body = encodeMethodCall('ping', []);
    const answer = await rawSocket(
      server.port,
      `POST /RPC2 HTTP/1.0\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(decodeMethodResponse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toBe('pong');
  });

  it('an HTTP refusal is HTTP_STATUS with the status', async () => {
    const server = await serve();
    const err = (await rejection(client(server.url('/elsewhere')).call('ping'))) as TransportError;
    expect([err.code, err.status]).toEqual(['HTTP_STATUS', 404]);
  });
});

describe('request guards', () => {
  it('accepts a well-formed request and answers faults with HTTP 200', async () => {
    const server = await serve();
    const ok = await rawRequest(server.port, {});
    expect(ok.status).toBe(200);
    expect(decodeMethodResponse(ok.body)).toBe('pong');
    const bad = await rawRequest(server.port, { body: '<methodCall>' });
    expect(bad.status).toBe(200);
    expect(() => decodeMethodResponse(bad.body)).toThrow(expect.objectContaining({ faultCode: -32700 }));
  });

  it.each([
    ['a foreign Host', { headers: { host: 'evil.example:1' } }, 403],
    ['an Origin', { headers: { origin: 'http://evil.example' } }, 403],
    ['text/plain', { headers: { 'content-type': 'text/plain' } }, 415],
    ['GET', { method: 'GET', body: '' }, 405],
    ['an unknown path', { path: '/x' }, 404],
    ['an unknown encoding', { headers: { 'content-encoding': 'br' } }, 415],
  ])('refuses %s', async (_label, options, status) => {
    const server = await serve();
    const reply = await rawRequest(server.port, options as Parameters<typeof rawRequest>[1]);
    expect(reply.status).toBe(status);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('token authentication: bearer, Basic from the URL, and 401 otherwise', async () => {
    const server = await serve({ authenticate: tokenAuthenticator('s3cret') });
    expect(await client(server.url('/RPC2'), { token: 's3cret' }).call('ping')).toBe('pong');
    expect(await client(`http://user:s3cret@127.0.0.1:${server.port}/RPC2`).call('ping')).toBe('pong');
    for (const token of ['', 'S3CRET', 's3cre', 's3cret!']) {
      const err = (await rejection(client(server.url('/RPC2'), { token }).call('ping'))) as TransportError;
      expect(err.status).toBe(401);
    }
    expect((await rawRequest(server.port, {})).status).toBe(401);
    // Basic needs "user:password"; the token alone, or under another scheme, is not the password.
    for (const authorization of [
      `Basic ${Buffer.from('s3cret').toString('base64')}`,
      'Token s3cret',
      'Bearers3cret',
    ]) {
      expect((await rawRequest(server.port, { headers: { authorization } })).status).toBe(401);
    }
  });

  it('listen fails loudly when the port is taken', async () => {
    const server = await serve();
    const err = (await rejection(createServer({ port: server.port, routes: {} }))) as ListenError;
    expect(err).toBeInstanceOf(ListenError);
    expect(err.code).toBe('EADDRINUSE');
    expect(err.message).toContain(String(server.port));
  });

  it('binds to 127.0.0.1 only', async () => {
    const server = await serve();
    expect(server.httpServer.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('the body cap answers 413', async () => {
    const server = await serve({ limits: { maxBodyBytes: 1000 } });
    const reply = await rawRequest(server.port, { body: encodeMethodCall('echo', ['x'.repeat(2000)]) });
    expect(reply.status).toBe(413);
  });
});
