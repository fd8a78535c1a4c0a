// The cases of docs/security-cases.md that concern this layer, by their numbers there. Each one ends by checking that the server
// still answers a following ping.
import { Agent, request } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  decodeMethodResponse,
  encodeMethodCall,
  FaultCode,
  MethodRegistry,
  TransportError,
  tokenAuthenticator,
  XmlRpcClient,
  type XmlRpcServer,
} from '../src/index.js';
import { type RawReply, rawRequest, rawSocket, startTestServer, testRegistry } from './helpers.js';

let server: XmlRpcServer;
let killed = 0;
let abortedCalls = 0;
let connections = 0;

beforeAll(async () => {
  const registry = testRegistry()
    .register('kill', () => {
      killed++;
      return true;
    })
    .register('sleep', ([ms], call) => {
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve('slept'), ms as number);
        call.signal.addEventListener('abort', () => {
          abortedCalls++;
          clearTimeout(t);
        });
      });
    })
    .register('port', ([p]) => p!, { signature: [{ type: 'int', name: 'port', min: 1, max: 65535 }] })
    .register('keys', ([s]) => Object.keys(s as object), { signature: ['struct'] });
  server = await startTestServer({
    routes: { '/RPC2': registry, '/pyblish': registry },
    headersTimeout: 400,
    requestTimeout: 800,
    limits: { maxBodyBytes: 1024 * 1024 },
  });
  server.httpServer.on('connection', () => connections++);
});
afterAll(() => server.close());

async function expectAlive(): Promise<void> {
  const c = new XmlRpcClient(server.url('/RPC2'), { timeout: 5000 });
  try {
    expect(await c.call('ping')).toBe('pong');
  } finally {
    c.close();
  }
}

const killCall = encodeMethodCall('kill', []);
const faultOf = (reply: RawReply) => {
  expect(reply.status).toBe(200);
  try {
    decodeMethodResponse(reply.body);
  } catch (err) {
    return (err as { faultCode: number }).faultCode;
  }
  throw new Error('expected a fault');
};
const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(server.port, { body, headers });
const xmlCall = (params: string) =>
  `<?xml version="1.0"?><methodCall><methodName>echo</methodName><params>${params}</params></methodCall>`;

describe('transport guards (cases 1-8, 12)', () => {
  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ''])(
    '1. kill with Content-Type "%s" -> 415, nothing runs',
    async (type) => {
      const reply = await post(killCall, { 'content-type': type });
      expect(reply.status).toBe(415);
      expect(killed).toBe(0);
      await expectAlive();
    },
  );

  it('2. the text/plain HTML-form trick is refused', async () => {
    const body = `<?xml version=${"'1.0'?>"}${killCall.slice(killCall.indexOf('<methodCall>'))}`;
    expect((await post(body, { 'content-type': 'text/plain' })).status).toBe(415);
    expect(killed).toBe(0);
    await expectAlive();
  });

  it.each(['https://evil.example', 'null', `http://127.0.0.1:1`])('3. Origin "%s" -> 403', async (origin) => {
    expect((await post(killCall, { origin })).status).toBe(403);
    expect(killed).toBe(0);
    await expectAlive();
  });

  it('4. a rebinding Host is refused before the body is read', async () => {
    const head =
      `POST /RPC2 HTTP/1.1\r\nHost: evil.example:${server.port}\r\nContent-Type: text/xml\r\n` +
      'Content-Length: 100000\r\n\r\n';
    // The body never comes, yet the refusal does.
    const answer = await rawSocket(server.port, head);
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
    await expectAlive();
  });

  it.each([
    'localhost.:PORT',
    'localhost6:PORT',
    '127.1:PORT',
    '0177.0.0.1:PORT',
    '2130706433:PORT',
    '[::ffff:127.0.0.1]:PORT',
    '127.0.0.1:1',
    '127.0.0.1',
    'evil.example:PORT',
  ])('5. Host "%s" -> 403', async (host) => {
    const reply = await post(killCall, { host: host.replace('PORT', String(server.port)) });
    expect(reply.status).toBe(403);
    await expectAlive();
  });

  it('5. a missing Host or two Host headers are refused', async () => {
    const body = killCall;
    const noHost = await rawSocket(
      server.port,
      `POST /RPC2 HTTP/1.0\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(noHost).toMatch(/^HTTP\/1\.1 (400|403)/);
    const twoHosts = await rawSocket(
      server.port,
      `POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nHost: evil.example\r\nContent-Type: text/xml\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(twoHosts).toMatch(/^HTTP\/1\.1 (400|403)/);
    expect(killed).toBe(0);
    await expectAlive();
  });

  it('6. an OPTIONS preflight gets no CORS headers', async () => {
    const reply = await rawRequest(server.port, {
      method: 'OPTIONS',
      body: '',
      headers: { 'access-control-request-method': 'POST' },
    });
    expect(reply.status).toBe(405);
    expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control'))).toEqual([]);
    await expectAlive();
  });

  it('7. token mode: wrong tokens get a bare 401; the right one works for many calls on one connection', async () => {
    const guarded = await startTestServer({ authenticate: tokenAuthenticator('Tok3n-abc') });
    let opened = 0;
    guarded.httpServer.on('connection', () => opened++);
    try {
      for (const auth of [
        undefined,
        'Bearer wrong',
        'Bearer Tok3n-ab',
        'Bearer TOK3N-ABC',
        'Basic !!!',
        'Digest x',
      ]) {
        const reply = await rawRequest(guarded.port, {
          headers: auth === undefined ? {} : { authorization: auth },
        });
        expect(reply.status).toBe(401);
        expect(reply.body).toBe('unauthorized\n');
      }
      const c = new XmlRpcClient(guarded.url('/RPC2'), { token: 'Tok3n-abc' });
      const before = opened;
      for (let i = 0; i < 10; i++) expect(await c.call('ping')).toBe('pong');
      expect(opened - before).toBe(1);
      const f = await c.call('fail').catch((e) => e);
      expect(f.faultString).not.toContain('Tok3n');
      c.close();
    } finally {
      await guarded.close();
    }
  });

  it.each([
    ['GET', '/'],
    ['GET', '/RPC2'],
    ['POST', '/pyblish/../x'],
    ['POST', '/pyblish/v1'],
    ['POST', '/RPC2?x=1'],
  ])('8. %s %s -> 404/405 with no page', async (method, path) => {
    const reply = await rawRequest(server.port, { method, path, body: method === 'GET' ? '' : killCall });
    expect([404, 405]).toContain(reply.status);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(killed).toBe(0);
    await expectAlive();
  });

  it('12. bound to 127.0.0.1 only: another loopback address is refused', async () => {
    expect(server.httpServer.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const s = connect(server.port, '127.0.0.2');
      s.on('connect', () => {
        s.destroy();
        resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' }));
      });
      s.on('error', resolve);
    });
    expect(err.code).toBe('ECONNREFUSED');
  });
});

describe('dispatch and parameters (cases 13-18)', () => {
  it.each([
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '__setattr__',
    '__dir__',
    '_dispatch',
    '_count',
    'listening',
    'NotFound',
    'service.__class__.__init__',
    'ping.constructor',
    'echo.__proto__',
  ])('13-14. method "%s" -> -32601', async (name) => {
    expect(faultOf(await post(encodeMethodCall(name, [])))).toBe(FaultCode.MethodNotFound);
    await expectAlive();
  });

  it('15. an unknown method is a 200 fault and the keep-alive connection stays usable', async () => {
    const c = new XmlRpcClient(server.url('/RPC2'));
    const before = connections;
    await expect(c.call('nope')).rejects.toMatchObject({ faultCode: FaultCode.MethodNotFound });
    expect(await c.call('ping')).toBe('pong');
    expect(connections - before).toBe(1);
    c.close();
  });

  it.each([
    ['no params', []],
    ['too many', [1, 2]],
    ['a string', ['9001']],
    ['a struct', [{}]],
    ['-1', [-1]],
    ['70000', [70000]],
    ['0', [0]],
    ['a double', [9001.5]],
  ])('16-17. port(%s) -> -32602', async (_label, params) => {
    expect(faultOf(await post(encodeMethodCall('port', params)))).toBe(FaultCode.InvalidParams);
    await expectAlive();
  });

  it('18. a throwing handler gives a short -32500 with no message, path or stack', async () => {
    const reply = await post(encodeMethodCall('fail', []));
    expect(faultOf(reply)).toBe(FaultCode.ApplicationError);
    expect(reply.body).not.toMatch(/secret|disk|at |\.ts/);
    await expectAlive();
  });
});

describe('XML parsing and limits (cases 19-29)', () => {
  it('19. billion laughs is refused', async () => {
    const entities = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
    ).join('');
    const body = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]><methodCall><methodName>&lol9;</methodName></methodCall>`;
    expect(faultOf(await post(body))).toBe(FaultCode.InvalidRequest);
    await expectAlive();
  });

  it.each(['file:///etc/passwd', 'http://127.0.0.1:1/x'])(
    '20. an external entity (%s) is refused',
    async (uri) => {
      const body = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "${uri}">]><methodCall><methodName>echo</methodName><params><param><value>&xxe;</value></param></params></methodCall>`;
      expect(faultOf(await post(body))).toBe(FaultCode.InvalidRequest);
      await expectAlive();
    },
  );

  it('21. many character references are decoded within the body cap; more is 413', async () => {
    const refs = '&#65;'.repeat(200_000);
    const reply = await post(xmlCall(`<param><value>${refs}</value></param>`));
    expect(decodeMethodResponse(reply.body)).toBe('A'.repeat(200_000));
    expect((await post(xmlCall(`<param><value>${'&#65;'.repeat(300_000)}</value></param>`))).status).toBe(
      413,
    );
    await expectAlive();
  });

  it.each([10_000, 20_000])('22. nesting %i levels deep -> -32099', async (n) => {
    const body = xmlCall(
      `<param><value>${'<array><data><value>'.repeat(n)}${'</value></data></array>'.repeat(n)}</value></param>`,
    );
    const reply = await post(body);
    expect(faultOf(reply)).toBe(FaultCode.LimitExceeded);
    await expectAlive();
  });

  it('22. a deep value returned by a handler is refused without recursion', async () => {
    const deepServer = await startTestServer({
      routes: {
        '/RPC2': new MethodRegistry().register('deep', () => {
          let v: unknown = 1;
          for (let i = 0; i < 1_000_000; i++) v = [v];
          return v as never;
        }),
      },
    });
    try {
      expect(faultOf(await rawRequest(deepServer.port, { body: encodeMethodCall('deep', []) }))).toBe(
        FaultCode.InternalError,
      );
    } finally {
      await deepServer.close();
    }
  });

  it('23. a body over the cap -> 413, and a lying Content-Length is refused before buffering', async () => {
    expect((await post(xmlCall(`<param><value>${'x'.repeat(1_100_000)}</value></param>`))).status).toBe(413);
    const lying = await rawSocket(
      server.port,
      `POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: text/xml\r\nContent-Length: 1000000000\r\n\r\n<methodCall>`,
    );
    expect(lying).toMatch(/^HTTP\/1\.1 413/);
    await expectAlive();
  });

  it('23. a chunked body that never ends is cut at the cap (413) or at the request timeout (408)', async () => {
    const head = `POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const chunk = 'x'.repeat(64 * 1024);
    const flood = `${head}${`${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(20)}`;
    expect(await rawSocket(server.port, flood)).toMatch(/^HTTP\/1\.1 413/);
    const stalled = await rawSocket(server.port, `${head}5\r\n<meth\r\n`);
    expect(stalled).toMatch(/^HTTP\/1\.1 408/);
    await expectAlive();
  });

  it('24. a gzip bomb is cut at the inflated-size cap; unknown encodings are 415', async () => {
    // 64 gzip members of 16 MiB each: about 1 GiB inflated from a small body.
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024, 'A'), { level: 9 });
    const prefix = gzipSync(
      Buffer.from(xmlCall('<param><value><string>').replace('</params></methodCall>', '')),
    );
    const bomb = Buffer.concat([prefix, ...Array.from({ length: 64 }, () => member)]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const reply = await post(bomb, { 'content-encoding': 'gzip' });
    expect(reply.status).toBe(413);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
    expect((await post(killCall, { 'content-encoding': 'deflate' })).status).toBe(415);
    expect((await post(Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).status).toBe(400);
    const plain = await post(gzipSync(encodeMethodCall('echo', ['ok'])), { 'content-encoding': 'gzip' });
    expect(decodeMethodResponse(plain.body)).toBe('ok');
    await expectAlive();
  });

  it('25. malformed XML -> -32700/-32701/-32702 on a connection that stays usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string | Buffer) =>
      new Promise<RawReply>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: server.port,
            path: '/RPC2',
            method: 'POST',
            agent,
            headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'text/xml' },
          },
          (res) => {
            let text = '';
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const before = connections;
    const cases: [string | Buffer, number][] = [
      ['<methodCall><methodName>echo</methodName><params><param><value>', FaultCode.ParseError],
      ['<methodCall><methodName>echo</methodCall>', FaultCode.ParseError],
      [Buffer.from([0x3c, 0x6d, 0xff, 0xfe, 0x3e]), FaultCode.InvalidCharacter],
      ['<?xml version="1.0" encoding="UTF-16"?><methodCall/>', FaultCode.UnsupportedEncoding],
      ['<methodCall><methodName>a</methodName><params></params></methodCall><extra/>', FaultCode.ParseError],
      ['\u0000\u001b', FaultCode.ParseError],
    ];
    for (const [body, code] of cases) expect(faultOf(await send(body))).toBe(code);
    // Raw NUL/ESC inside a string are a documented leniency: they arrive as U+FFFD.
    expect(
      decodeMethodResponse((await send(xmlCall('<param><value>a\u0000\u001b</value></param>'))).body),
    ).toBe('a\ufffd\ufffd');
    expect(decodeMethodResponse((await send(encodeMethodCall('ping', []))).body)).toBe('pong');
    expect(connections - before).toBe(1);
    agent.destroy();
  });

  it.each([
    ['<foo/>'],
    ['<methodCall><params/></methodCall>'],
    ['<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>'],
    [xmlCall('<param><value><int64>1</int64></value></param>')],
    [xmlCall('<param><value><int>1</int><string>2</string></value></param>')],
    [xmlCall('stray<param><value>1</value></param>')],
    ['<methodResponse><params/></methodResponse>'],
  ])('26. well-formed but not XML-RPC: %s -> -32600', async (body) => {
    expect(faultOf(await post(body))).toBe(FaultCode.InvalidRequest);
    await expectAlive();
  });

  it.each([
    '<int>12abc</int>',
    '<int>2147483648</int>',
    '<int>-2147483649</int>',
    '<boolean>true</boolean>',
    '<base64>%%%%</base64>',
    '<dateTime.iso8601>yesterday</dateTime.iso8601>',
    '<double>1e400</double>',
  ])('27. scalar %s -> -32600, never coerced', async (value) => {
    expect(faultOf(await post(xmlCall(`<param><value>${value}</value></param>`)))).toBe(
      FaultCode.InvalidRequest,
    );
    await expectAlive();
  });

  it('27. documented scalars parse exactly', async () => {
    const values = [
      ['<i4>-2147483648</i4>', -2147483648],
      ['<nil/>', null],
      ['<i8>9007199254740993</i8>', 9007199254740993n],
      ['<double>nan</double>', Number.NaN],
      ['<double>-inf</double>', Number.NEGATIVE_INFINITY],
    ] as const;
    for (const [xml, expected] of values) {
      expect(
        decodeMethodResponse((await post(xmlCall(`<param><value>${xml}</value></param>`))).body),
      ).toEqual(expected);
    }
  });

  it('28. struct edge cases: __proto__/constructor/empty names are data, duplicates keep the last, member cap', async () => {
    const member = (name: string, value: string) =>
      `<member><name>${name}</name><value>${value}</value></member>`;
    const struct = `<struct>${member('__proto__', `<struct>${member('admin', '1')}</struct>`)}${member('constructor', 'c')}${member('', 'empty')}${member('a', '1')}${member('a', '2')}</struct>`;
    const echoed = decodeMethodResponse(
      (await post(xmlCall(`<param><value>${struct}</value></param>`))).body,
    ) as Record<string, unknown>;
    expect(Object.keys(echoed)).toEqual(['__proto__', 'constructor', '', 'a']);
    expect(Object.getPrototypeOf(echoed)).toBe(Object.prototype);
    expect(echoed.a).toBe('2');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const many = `<struct>${Array.from({ length: 100_000 }, (_, i) => member(`k${i}`, ''))
      .join('')
      .slice(0, 900_000)}`;
    const cut = many.slice(0, many.lastIndexOf('<member>'));
    expect(faultOf(await post(xmlCall(`<param><value>${cut}</struct></value></param>`)))).toBe(
      FaultCode.LimitExceeded,
    );
    await expectAlive();
  });

  it('29. outgoing illegal characters are replaced so the reply stays well-formed', async () => {
    const reply = await post(encodeMethodCall('echo', ['\u001b[31mred\u0000 \ud800 \r']));
    expect(reply.body.includes('\u001b') || reply.body.includes('\u0000')).toBe(false);
    expect(decodeMethodResponse(reply.body)).toBe('\ufffd[31mred\ufffd \ufffd \r');
  });
});

describe('reliability (cases 30, 31, 35, 36)', () => {
  it('30. slow-loris sockets do not block others, and are dropped at the timeouts', async () => {
    // Timeouts long enough that the pings surely finish first, even on a loaded machine.
    const guarded = await startTestServer({ headersTimeout: 1500, requestTimeout: 2500 });
    const dribbler = connect(guarded.port, '127.0.0.1');
    const silent = connect(guarded.port, '127.0.0.1');
    const closed = (s: ReturnType<typeof connect>) =>
      new Promise<string>((resolve) => {
        let data = '';
        s.on('data', (d) => {
          data += d;
        });
        s.on('error', () => {});
        s.on('close', () => resolve(data));
      });
    const dribblerClosed = closed(dribbler);
    const silentClosed = closed(silent);
    let open = true;
    void Promise.all([dribblerClosed, silentClosed]).then(() => {
      open = false;
    });
    dribbler.write('POST /RPC2 HTTP/1.1\r\n');
    const drip = setInterval(() => dribbler.write('X'), 20);
    silent.write(
      `POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:${guarded.port}\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n<meth`,
    );
    try {
      const c = new XmlRpcClient(guarded.url('/RPC2'));
      const pings = await Promise.all(Array.from({ length: 5 }, () => c.call('ping')));
      expect(pings).toEqual(Array(5).fill('pong'));
      expect(open).toBe(true);
      c.close();
      expect(await silentClosed).toMatch(/^HTTP\/1\.1 408/);
      await dribblerClosed;
    } finally {
      clearInterval(drip);
      dribbler.destroy();
      silent.destroy();
      await guarded.close();
    }
    await expectAlive();
  });

  it('30. a handler may run longer than the request timeout once the body has arrived', async () => {
    const c = new XmlRpcClient(server.url('/RPC2'));
    expect(await c.call('sleep', [1500])).toBe('slept');
    c.close();
  });

  it('31. hit and run: a client that leaves mid-call aborts the call and the server goes on', async () => {
    const before = abortedCalls;
    await rawSocket(
      server.port,
      `POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: text/xml\r\nContent-Length: ${
        encodeMethodCall('sleep', [10_000]).length
      }\r\n\r\n${encodeMethodCall('sleep', [10_000])}`,
      { endAfterWrite: true },
    ).catch(() => '');
    await expectAlive();
    await vi.waitFor(() => expect(abortedCalls).toBe(before + 1));
  });

  it('35. fifty parallel pings are answered during one long call', async () => {
    const c = new XmlRpcClient(server.url('/RPC2'));
    let longDone = false;
    const long = c.call('sleep', [3000]).then((v) => {
      longDone = true;
      return v;
    });
    const pings = await Promise.all(Array.from({ length: 50 }, () => c.call('ping')));
    expect(pings).toEqual(Array(50).fill('pong'));
    expect(longDone).toBe(false);
    expect(await long).toBe('slept');
    c.close();
  });

  it('36. a reply truncated mid-body is a TRUNCATED transport error, not a partial parse', async () => {
    const liar = createNetServer((socket) => {
      socket.once('data', () => {
        const body = '<?xml version="1.0"?><methodResponse><params><param><value><string>par';
        socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const port = (liar.address() as { port: number }).port;
    const c = new XmlRpcClient(`http://127.0.0.1:${port}/RPC2`);
    const err = (await c.call('ping').catch((e) => e)) as TransportError;
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('TRUNCATED');
    c.close();
    liar.close();
    await expectAlive();
  });
});
