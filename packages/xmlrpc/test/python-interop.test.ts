import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeMethodCall,
  Fault,
  FaultCode,
  MethodRegistry,
  TransportError,
  XmlRpcClient,
  type XmlRpcServer,
  type XmlRpcValue,
} from '../src/index.js';
import { rawRequest, startTestServer, testRegistry } from './helpers.js';
import { fromTagged, type PythonServer, runPythonClient, startPythonServer, toTagged } from './python.js';

// Own members named like prototype machinery: plain data that must round-trip.
const proto: Record<string, XmlRpcValue> = {};
for (const [key, value] of [
  ['__proto__', { x: 1 }],
  ['constructor', 'plain'],
] as const) {
  Object.defineProperty(proto, key, { value, enumerable: true, writable: true, configurable: true });
}

// Values both sides carry exactly, as [label, value].
const exact: [string, XmlRpcValue][] = [
  ['int', 42],
  ['negative int32 edge', -2147483648],
  ['double', 1.25],
  ['true', true],
  ['false', false],
  ['string with markup', 'a <b> & c ]]> "d" \'e\''],
  ['unicode', 'héllo wörld \u263a \ud83d\ude00'],
  ['empty string', ''],
  ['nil', null],
  ['date', new Date(Date.UTC(2024, 1, 29, 23, 59, 58))],
  ['base64', new Uint8Array([0, 1, 2, 253, 254, 255])],
  ['empty base64', new Uint8Array([])],
  ['array', [1, 'two', [3, [null]], {}]],
  ['struct', { name: 'x', nested: { list: [1.5, false], when: new Date(Date.UTC(2000, 0, 1)) } }],
  ['__proto__ and constructor members', proto],
  ['NaN', Number.NaN],
  ['infinity', Number.POSITIVE_INFINITY],
  ['minus infinity', Number.NEGATIVE_INFINITY],
];

describe('our client against a Python standard-library server', () => {
  let py: PythonServer;
  let client: XmlRpcClient;
  beforeAll(async () => {
    py = await startPythonServer();
    client = new XmlRpcClient(py.url('/RPC2'));
  });
  afterAll(() => {
    client.close();
    py.stop();
  });

  it.each(exact)('%s round-trips through Python', async (_label, value) => {
    expect(await client.call('echo', [value])).toEqual(value);
  });

  it('Python decodes each value as the matching Python type', async () => {
    const seen: XmlRpcValue[] = [];
    for (const [, v] of exact) seen.push(await client.call('describe', [v]));
    expect(seen.map((s) => (s as XmlRpcValue[])[0])).toEqual([
      'int',
      'int',
      'float',
      'bool',
      'bool',
      'str',
      'str',
      'str',
      'NoneType',
      'datetime',
      'bytes',
      'bytes',
      'list',
      'dict',
      'dict',
      'float',
      'float',
      'float',
    ]);
  });

  it('edge values follow the documented mapping on the Python side', async () => {
    const describe = async (v: XmlRpcValue) => (await client.call('describe', [v])) as [string, XmlRpcValue];
    // Beyond 32 bits: a double Python reads as an exact float.
    expect(await describe(2 ** 40 + 1)).toEqual(['float', '1099511627777.0']);
    // bigint: <i8>, which Python reads as int.
    expect(await describe(2n ** 62n)).toEqual(['int', String(2n ** 62n)]);
    // ...but Python refuses to send such an int back.
    expect(await client.call('echo', [2n ** 62n]).catch((e: Fault) => e.faultString)).toContain(
      'OverflowError',
    );
    // \r survives (as a character reference), and illegal characters arrive as U+FFFD.
    expect((await describe('a\r\nb\u001b[0m\u0000\ud800'))[1]).toBe("'a\\r\\nb\\ufffd[0m\\ufffd\\ufffd'");
  });

  it('a raw ANSI log line from Python still decodes (control characters become U+FFFD)', async () => {
    expect(await client.call('ansi')).toBe('\ufffd[31mred\ufffd[0m');
  });

  it('Python faults arrive as Fault; unknown methods too', async () => {
    const f = await client.call('fault', [42, 'boom <&>']).catch((e: Fault) => e);
    expect(f).toBeInstanceOf(Fault);
    expect([(f as Fault).faultCode, (f as Fault).faultString]).toEqual([42, 'boom <&>']);
    const nope = await client.call('nope').catch((e: Fault) => e);
    expect(nope).toBeInstanceOf(Fault);
  });

  it('introspection and multicall of the Python server', async () => {
    expect(await client.call('system.listMethods')).toContain('describe');
    expect(
      await client.call('system.multicall', [
        [
          { methodName: 'ping', params: [] },
          { methodName: 'fault', params: [3, 'x'] },
        ],
      ]),
    ).toEqual([['pong'], { faultCode: 3, faultString: 'x' }]);
  });

  it('gzip both ways: Python gzips a large reply, and reads our gzipped request', async () => {
    const gz = new XmlRpcClient(py.url('/RPC2'), { gzipThreshold: 100, acceptGzip: true });
    try {
      // Python does gzip such a reply when asked:
      const raw = await rawRequest(py.port, {
        headers: { 'accept-encoding': 'gzip' },
        body: encodeMethodCall('text', [200_000]),
      });
      expect(raw.headers['content-encoding']).toBe('gzip');
      const before = (await gz.call('stats')) as { gzip_requests: number };
      expect(((await gz.call('text', [200_000])) as string).length).toBe(200_000);
      expect(await gz.call('echo', ['y'.repeat(5000)])).toBe('y'.repeat(5000));
      const after = (await gz.call('stats')) as { gzip_requests: number };
      expect(after.gzip_requests - before.gzip_requests).toBeGreaterThanOrEqual(1);
    } finally {
      gz.close();
    }
  });

  it('Python serves HTTP/1.0 and closes each connection; calls keep working', async () => {
    for (let i = 0; i < 20; i++) expect(await client.call('ping')).toBe('pong');
  });

  it('a bigint beyond 64 bits is refused locally, before anything is sent', async () => {
    const err = await client.call('echo', [2n ** 64n]).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'UNENCODABLE' });
    expect(err).not.toBeInstanceOf(TransportError);
  });
});

describe('a Python ServerProxy against our server', () => {
  let server: XmlRpcServer;
  let connections = 0;
  const replyEncodings: unknown[] = [];
  beforeAll(async () => {
    const registry = testRegistry()
      .register('describe', ([v]) => [kind(v!), v!])
      .register('logline', () => '\u001b[31mred\u001b[0m\u0000 \ud800 a\r\nb')
      .register('raise', ([code, message]) => {
        throw new Fault(code as number, message as string);
      });
    const pyblish = new MethodRegistry().register('ping', () => 'pyblish');
    server = await startTestServer({ routes: { '/RPC2': registry, '/': registry, '/pyblish': pyblish } });
    server.httpServer.on('connection', () => connections++);
    server.httpServer.on('request', (_req, res) => {
      res.on('finish', () => replyEncodings.push(res.getHeader('content-encoding')));
    });
  });
  afterAll(() => server.close());

  it('every type round-trips, and we decode each as the matching type', async () => {
    const calls = exact.map(([, v]) => ({ method: 'describe', params: [toTagged(v)] }));
    const results = await runPythonClient(server.url('/RPC2'), calls);
    const got = results.map((r) => ('ok' in r ? fromTagged(r.ok) : r));
    expect(got).toEqual(exact.map(([, v]) => [kind(v), v]));
  });

  it('one ServerProxy reuses one keep-alive connection for many calls', async () => {
    const before = connections;
    const results = await runPythonClient(
      server.url('/RPC2'),
      Array.from({ length: 50 }, () => ({ method: 'ping' })),
    );
    expect(results).toEqual(Array.from({ length: 50 }, () => ({ ok: 'pong' })));
    expect(connections - before).toBe(1);
  });

  it('our faults reach Python with the interoperability codes, and the connection survives them', async () => {
    const before = connections;
    const results = await runPythonClient(server.url('/RPC2'), [
      { method: 'nope' },
      { method: 'ping' },
      { method: 'add', params: [1] },
      { method: 'add', params: ['a', 'b'] },
      { method: 'fail' },
      { method: 'raise', params: [7, 'custom'] },
      { method: '_dispatch' },
      { method: 'ping' },
    ]);
    expect(results).toEqual([
      { fault: [FaultCode.MethodNotFound, 'method "nope" is not supported'] },
      { ok: 'pong' },
      { fault: [FaultCode.InvalidParams, 'add takes 2 parameter(s), got 1'] },
      { fault: [FaultCode.InvalidParams, 'add: parameter 1 must be int'] },
      { fault: [FaultCode.ApplicationError, 'fail failed'] },
      { fault: [7, 'custom'] },
      { fault: [FaultCode.MethodNotFound, 'method "_dispatch" is not supported'] },
      { ok: 'pong' },
    ]);
    expect(connections - before).toBe(1);
  });

  it('edge values from Python: big ints refused by Python itself, \\r arrives as \\n, raw ESC becomes U+FFFD', async () => {
    const results = await runPythonClient(server.url('/RPC2'), [
      { method: 'echo', params: [{ $int: String(2 ** 40) }] },
      { method: 'echo', params: ['a\r\nb'] },
      { method: 'echo', params: ['\u001b[31mred\u001b[0m\u0000'] },
      { method: 'describe', params: [{ $float: '0.5' }] },
      { method: 'echo', params: [{ $dict: { $weird: 1 } }] },
    ]);
    expect(results[0]).toMatchObject({ error: expect.stringContaining('OverflowError') });
    expect(results[1]).toEqual({ ok: 'a\nb' });
    expect(results[2]).toEqual({ ok: '\ufffd[31mred\ufffd[0m\ufffd' });
    expect(results[3]).toEqual({ ok: ['double', { $float: '0.5' }] });
    expect(results[4]).toEqual({ ok: { $dict: { $weird: 1 } } });
  });

  it('a reply with ANSI escapes, NUL, a lone surrogate and \\r stays well-formed for Python', async () => {
    const results = await runPythonClient(server.url('/RPC2'), [{ method: 'logline' }]);
    expect(results).toEqual([{ ok: '\ufffd[31mred\ufffd[0m\ufffd \ufffd a\r\nb' }]);
  });

  it('introspection and MultiCall from Python', async () => {
    const results = await runPythonClient(server.url('/RPC2'), [
      { method: 'system.listMethods' },
      { method: 'system.methodHelp', params: ['ping'] },
      { method: 'system.methodSignature', params: ['add'] },
      {
        method: '$multicall',
        params: [
          { method: 'add', params: [1, 2] },
          { method: 'nope', params: [] },
        ],
      },
    ]);
    expect(results[0]).toMatchObject({ ok: expect.arrayContaining(['ping', 'system.multicall']) });
    expect(results[1]).toEqual({ ok: 'Answers pong.' });
    expect(results[2]).toEqual({ ok: [['int', 'int', 'int']] });
    expect(results[3]).toEqual({ ok: [{ ok: 3 }, { fault: [-32601, 'method "nope" is not supported'] }] });
  });

  it('gzip both ways: Python gzips its request, and gets a gzipped reply', async () => {
    replyEncodings.length = 0;
    const big = 'z'.repeat(100_000);
    const results = await runPythonClient(server.url('/RPC2'), [{ method: 'echo', params: [big] }], {
      gzip: true,
    });
    expect(results).toEqual([{ ok: big }]);
    expect(replyEncodings).toEqual(['gzip']);
  });

  it('paths: a URL without a path uses /RPC2; /pyblish routes to its own methods', async () => {
    expect(await runPythonClient(`http://127.0.0.1:${server.port}`, [{ method: 'ping' }])).toEqual([
      { ok: 'pong' },
    ]);
    expect(await runPythonClient(server.url('/pyblish'), [{ method: 'ping' }])).toEqual([{ ok: 'pyblish' }]);
    const missing = await runPythonClient(server.url('/other'), [{ method: 'ping' }]);
    expect(missing[0]).toMatchObject({ error: expect.stringContaining('404') });
  });

  it('Python with a user:token URL passes token authentication', async () => {
    const { tokenAuthenticator } = await import('../src/index.js');
    const guarded = await startTestServer({ authenticate: tokenAuthenticator('t0ken') });
    try {
      const ok = await runPythonClient(`http://pyblish:t0ken@127.0.0.1:${guarded.port}/RPC2`, [
        { method: 'ping' },
      ]);
      expect(ok).toEqual([{ ok: 'pong' }]);
      const bad = await runPythonClient(`http://pyblish:wrong@127.0.0.1:${guarded.port}/RPC2`, [
        { method: 'ping' },
      ]);
      expect(bad[0]).toMatchObject({ error: expect.stringContaining('401') });
    } finally {
      await guarded.close();
    }
  });
});

function kind(v: XmlRpcValue): string {
  if (v === null) return 'nil';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof Uint8Array) return 'base64';
  return typeof v === 'object' ? 'struct' : typeof v;
}
