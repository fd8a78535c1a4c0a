// docs/security-cases.md, cases 19-29: hostile XML and oversize bodies against the GUI's XML-RPC server and
// a host's /pyblish, and the codec rules they rely on (decodeMethodCall / encodeMethodResponse).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  createServer,
  decodeMethodCall,
  EncodeError,
  encodeMethodCall,
  encodeMethodResponse,
  MethodRegistry,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { describe, expect, it } from 'vitest';
import {
  call,
  type Endpoint,
  faultOf,
  guiAndHostPerFile,
  guiEndpoint,
  hostEndpoint,
  ping,
  post,
  raw,
  rawRequest,
  systemGui,
} from '../support/system.js';

const PEER = fileURLToPath(new URL('./python/peer.py', import.meta.url));

const system = guiAndHostPerFile();

const call1 = (value: string, method = 'ping') =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params><param><value>${value}</value></param></params></methodCall>`;

/** Resident memory of a process in MB (this one, or a host by pid). */
function rssMb(pid?: number): number {
  if (pid === undefined) return process.memoryUsage().rss / 2 ** 20;
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** Posts `body` to both servers; each must answer with a fault in `codes` and then still answer ping. */
async function expectFault(
  body: string | Buffer,
  codes: number[],
  label: string,
  on = system.endpoints,
): Promise<void> {
  for (const e of on) {
    const reply = await post(e, Buffer.from(body));
    expect(reply.status, `${label} on ${e.name}`).toBe(200);
    const fault = faultOf(reply);
    expect(codes, `${label} on ${e.name}: ${fault?.message}`).toContain(fault?.code);
    expect(fault!.message.length).toBeLessThan(200);
    expect(await ping(e)).toBeTruthy();
  }
}

describe('cases 19-21: entities', () => {
  it('case 19: a billion-laughs document is rejected and memory stays flat', async () => {
    const entities = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) entities.push(`<!ENTITY lol${i} "${`&lol${i - 1 || ''};`.repeat(10)}">`);
    const body = `<?xml version="1.0"?><!DOCTYPE lolz [${entities.join('')}]>${call1('<string>&lol9;</string>').replace('<?xml version="1.0"?>', '')}`;
    const before = [rssMb(), rssMb(system.host.proc.pid)];
    for (let i = 0; i < 20; i++) await expectFault(body, [-32600, -32700], 'billion laughs');
    expect(rssMb() - before[0]!).toBeLessThan(100);
    expect(rssMb(system.host.proc.pid) - before[1]!).toBeLessThan(100);
  });

  it('case 20: external entities (file:// and http://) are rejected without reading the file or connecting', async () => {
    let connections = 0;
    const listener = createNetServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as { port: number }).port;
    try {
      for (const systemId of ['file:///etc/passwd', `http://127.0.0.1:${port}/evil.dtd`]) {
        const body = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "${systemId}">]><methodCall><methodName>ping</methodName><params><param><value><string>&x;</string></value></param></params></methodCall>`;
        await expectFault(body, [-32600, -32700], systemId);
        const external = `<?xml version="1.0"?><!DOCTYPE methodCall SYSTEM "${systemId}"><methodCall><methodName>ping</methodName></methodCall>`;
        await expectFault(external, [-32600, -32700], `DTD ${systemId}`);
        for (const e of system.endpoints) expect((await post(e, body)).body).not.toContain('root:');
      }
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((r) => listener.close(() => r()));
    }
  });

  it('case 21: a quadratic blowup is rejected; a million numeric character references stay bounded', async () => {
    const big = 'x'.repeat(100_000);
    const quadratic = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "${big}">]><methodCall><methodName>ping</methodName><params><param><value><string>${'&a;'.repeat(10_000)}</string></value></param></params></methodCall>`;
    await expectFault(quadratic, [-32600, -32700], 'quadratic blowup');
    const before = rssMb(system.host.proc.pid);
    // Decoded, it is a one-million-character string: within the limits, so only the arity is wrong.
    const refs = call1(`<string>${'&#65;'.repeat(1_000_000)}</string>`);
    await expectFault(refs, [-32602], 'numeric references');
    expect(rssMb(system.host.proc.pid) - before).toBeLessThan(150);
  });
});

describe('cases 22-24: depth and size', () => {
  const deepArrays = (n: number) =>
    call1(`${'<array><data><value>'.repeat(n)}<int>1</int>${'</value></data></array>'.repeat(n)}`);
  const deepStructs = (n: number) =>
    call1(
      `${'<struct><member><name>a</name><value>'.repeat(n)}<int>1</int>${'</value></member></struct>'.repeat(n)}`,
    );

  it('case 22: nesting 10 000 and 1 000 000 levels deep gets the depth-limit fault, no stack overflow', async () => {
    await expectFault(deepArrays(10_000), [-32099], 'arrays 10 000 deep');
    await expectFault(deepStructs(10_000), [-32099], 'structs 10 000 deep');
    await expectFault(deepArrays(1_000_000), [-32099], 'arrays 1 000 000 deep');
    // 1 000 000 structs is 63 MB: a fault, or the body cap first.
    const reply = await post(guiEndpoint(system.gui), deepStructs(1_000_000));
    expect(reply.status === 413 || faultOf(reply)?.code === -32099).toBe(true);
    expect(await ping(guiEndpoint(system.gui))).toBeTruthy();
  });

  it('case 22: a deep value going out is refused without recursion', () => {
    let deep: XmlRpcValue = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(() => encodeMethodResponse(deep)).toThrow(EncodeError);
    expect(() => encodeMethodResponse(deep)).toThrow(/deep/i);
    let fine: XmlRpcValue = 1;
    for (let i = 0; i < 50; i++) fine = { a: fine };
    expect(decodeMethodCall(encodeMethodCall('m', [fine])).params[0]).toEqual(fine);
  });

  it('case 23: Content-Length: 1000000000 with a short body gets 413 before anything is buffered', async () => {
    for (const e of system.endpoints) {
      const head = rawRequest(e, '<?xml').replace(/Content-Length: \d+/, 'Content-Length: 1000000000');
      const exchange = await raw(e.port, [head], { waitMs: 3000 });
      expect(exchange.status, e.name).toBe(413);
      expect(exchange.closed).toBe(true);
      expect(await ping(e)).toBeTruthy();
    }
  });

  it('case 23: a chunked body past the cap gets 413 while other clients are served', async () => {
    for (const e of system.endpoints) {
      const pings: Array<Promise<XmlRpcValue>> = [];
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: e.port,
            path: e.path,
            method: 'POST',
            agent: false,
            headers: {
              'Content-Type': 'text/xml',
              Authorization: `Bearer ${e.token}`,
              'Transfer-Encoding': 'chunked',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
            req.destroy();
          },
        );
        req.on('error', (err: NodeJS.ErrnoException) =>
          err.code === 'ECONNRESET' || err.code === 'EPIPE' ? resolve(-1) : reject(err),
        );
        req.write(
          `<?xml version="1.0"?><methodCall><methodName>ping</methodName><params><param><value><string>`,
        );
        const chunk = Buffer.alloc(1 << 20, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 80 && !req.destroyed) {
            sent++;
            if (sent % 16 === 0) pings.push(ping(e));
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
        };
        pump();
      });
      expect([413, -1], e.name).toContain(status);
      for (const p of await Promise.all(pings)) expect(p).toEqual({ message: 'Hello, whomever you are' });
      expect(await ping(e)).toBeTruthy();
    }
  });

  it('case 23: a chunked body that never ends does not block other clients, and is dropped at the request timeout', async () => {
    const stalls = await Promise.all(
      system.endpoints.map((e) =>
        raw(
          e.port,
          [
            rawRequest(e, '').replace(/Content-Length: 0\r\n/, 'Transfer-Encoding: chunked\r\n') +
              '5\r\n<?xml\r\n',
          ],
          { waitMs: 1500 },
        ).then(async (exchange) => ({ exchange, pinged: await ping(e) })),
      ),
    );
    for (const e of system.endpoints) expect(await ping(e)).toBeTruthy();
    for (const s of stalls) expect(s.pinged).toBeTruthy();
    // The drop itself, with the same server code and a short request timeout.
    const methods = new MethodRegistry().register('ping', () => 'pong');
    const server = await createServer({
      port: 0,
      routes: { '/': methods },
      requestTimeout: 400,
      headersTimeout: 400,
    });
    try {
      const e: Endpoint = { name: 'short', port: server.port, path: '/', token: null };
      const head = rawRequest(e, '').replace(/Content-Length: 0\r\n/, 'Transfer-Encoding: chunked\r\n');
      const exchange = await raw(server.port, [`${head}5\r\n<?xml\r\n`], { waitMs: 5000 });
      expect(exchange.closed).toBe(true);
      expect([408, null]).toContain(exchange.status);
    } finally {
      await server.close();
    }
  });

  it('case 24: a gzip bomb is cut off at the body cap (413) with no memory spike; unknown encodings get 415', async () => {
    // 64 gzip members of 16 MB of "a" each: about 1 GB inflated from a small body.
    const member = gzipSync(Buffer.alloc(16 << 20, 'a'), { level: 9 });
    const head = gzipSync(
      Buffer.from(
        '<?xml version="1.0"?><methodCall><methodName>ping</methodName><params><param><value><string>',
      ),
    );
    const bomb = Buffer.concat([head, ...Array.from({ length: 64 }, () => member)]);
    expect(bomb.length).toBeLessThan(2 << 20);
    const before = [rssMb(), rssMb(system.host.proc.pid)];
    for (const e of system.endpoints) {
      const reply = await post(e, bomb, { 'Content-Encoding': 'gzip' });
      expect(reply.status, e.name).toBe(413);
      expect(await ping(e)).toBeTruthy();
    }
    expect(rssMb() - before[0]!).toBeLessThan(200);
    expect(rssMb(system.host.proc.pid) - before[1]!).toBeLessThan(200);
    for (const e of system.endpoints) {
      for (const encoding of ['br', 'deflate', 'compress', 'zstd', 'gzip, br']) {
        const reply = await post(e, encodeMethodCall('ping', []), { 'Content-Encoding': encoding });
        expect([400, 415], `${e.name} ${encoding}`).toContain(reply.status);
      }
      // Corrupt gzip: a clean refusal.
      const corrupt = await post(e, Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip' });
      expect([400, 415]).toContain(corrupt.status);
      expect(await ping(e)).toBeTruthy();
    }
  });
});

describe('cases 25-28: malformed and unusual messages', () => {
  it('case 25: malformed XML gets -32700 (encoding problems -32701/-32702) and the connection stays usable', async () => {
    const good = encodeMethodCall('ping', []);
    const malformed: Array<[string, string | Buffer, number[]]> = [
      ['truncated', good.slice(0, good.length - 10), [-32700]],
      ['unclosed tag', '<?xml version="1.0"?><methodCall><methodName>ping</methodName><params>', [-32700]],
      [
        'mismatched tag',
        '<?xml version="1.0"?><methodCall><methodName>ping</methodName></params></methodCall>',
        [-32700],
      ],
      [
        'invalid UTF-8',
        Buffer.concat([
          Buffer.from(call1('<string>').slice(0, -26)),
          Buffer.from([0xff, 0xfe, 0xc3]),
          Buffer.from('</string></value></param></params></methodCall>'),
        ]),
        [-32702, -32700],
      ],
      [
        'NUL in markup',
        '<?xml version="1.0"?><method\x00Call><methodName>ping</methodName></method\x00Call>',
        [-32700, -32600],
      ],
      [
        'ESC in markup',
        '<?xml version="1.0"?><methodCall\x1b><methodName>ping</methodName></methodCall>',
        [-32700, -32600],
      ],
      [
        'UTF-16 declared over UTF-8',
        '<?xml version="1.0" encoding="UTF-16"?><methodCall><methodName>ping</methodName></methodCall>',
        [-32701],
      ],
      ['empty body', '', [-32700, -32600]],
      ['not XML', 'hello', [-32700]],
    ];
    for (const [label, body, codes] of malformed) await expectFault(body, codes, label);
    for (const e of system.endpoints) {
      const exchange = await raw(e.port, [rawRequest(e, good.slice(0, -10)), rawRequest(e, good)], {
        gapMs: 50,
        waitMs: 400,
      });
      expect(exchange.text.match(/HTTP\/1\.1 200/g)?.length, e.name).toBe(2);
      expect(exchange.text).toContain('Hello, whomever you are');
    }
  });

  it('case 26: well-formed documents that are not XML-RPC get -32600', async () => {
    const cases: Array<[string, string]> = [
      ['root <foo/>', '<?xml version="1.0"?><foo/>'],
      ['no methodName', '<?xml version="1.0"?><methodCall><params/></methodCall>'],
      [
        'two methodNames',
        '<?xml version="1.0"?><methodCall><methodName>ping</methodName><methodName>kill</methodName></methodCall>',
      ],
      ['unknown <int64>', call1('<int64>1</int64>')],
      ['two values in one value', call1('<int>1</int><string>x</string>')],
      [
        'text outside elements',
        '<?xml version="1.0"?><methodCall>junk<methodName>ping</methodName></methodCall>',
      ],
      [
        'a response sent as a call',
        '<?xml version="1.0"?><methodResponse><params><param><value>1</value></param></params></methodResponse>',
      ],
      [
        'processing instruction',
        '<?xml version="1.0"?><?evil x?><methodCall><methodName>ping</methodName></methodCall>',
      ],
    ];
    for (const [label, body] of cases) await expectFault(body, [-32600], label);
  });

  it("case 27: bad scalars get -32600, never coerced; Python peers' i4 extremes, nil and i8 parse exactly", async () => {
    for (const bad of [
      '<int>12abc</int>',
      '<int>2147483648</int>',
      '<int>-2147483649</int>',
      '<i4>99999999999999999999</i4>',
      '<i8>9223372036854775808</i8>',
      '<boolean>true</boolean>',
      '<boolean>2</boolean>',
      '<base64>not*base64</base64>',
      '<dateTime.iso8601>20261399T99:99:99</dateTime.iso8601>',
      '<dateTime.iso8601>yesterday</dateTime.iso8601>',
      '<double>1e400</double>',
      '<double>0x10</double>',
      '<nil>x</nil>',
    ]) {
      await expectFault(call1(bad, 'find_available_port'), [-32600], bad);
    }
    // Documented rules: nan/inf are read as Python writes them (then refused where an int is due).
    const g = [guiEndpoint(system.gui)];
    await expectFault(call1('<double>nan</double>', 'find_available_port'), [-32602], 'nan', g);
    await expectFault(call1('<double>inf</double>', 'heartbeat'), [-32602], 'inf', g);
    expect(decodeMethodCall(call1('<double>-inf</double>')).params).toEqual([Number.NEGATIVE_INFINITY]);
    expect(decodeMethodCall(call1('<i4>-2147483648</i4>')).params).toEqual([-2147483648]);
    expect(decodeMethodCall(call1('<nil/>')).params).toEqual([null]);
    expect(decodeMethodCall(call1('<i8>9223372036854775807</i8>')).params).toEqual([9223372036854775807n]);
    expect(decodeMethodCall(call1('<i8>42</i8>')).params).toEqual([42]);
    // Through the GUI: an i4 port is a port.
    const port = await call(guiEndpoint(system.gui), 'find_available_port', [40_000]);
    expect(typeof port).toBe('number');
  });

  it('case 28: __proto__/constructor members stay plain data, duplicates keep the last, the member limit holds', async () => {
    const struct = (members: string) => `<struct>${members}</struct>`;
    const member = (name: string, value: string) =>
      `<member><name>${name}</name><value>${value}</value></member>`;
    const hostile = struct(
      member('__proto__', struct(member('polluted', '<boolean>1</boolean>'))) +
        member('constructor', struct(member('prototype', struct(member('polluted', '<int>1</int>'))))) +
        member('toString', '<string>x</string>'),
    );
    const decoded = decodeMethodCall(call1(hostile)).params[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'constructor', 'toString']);
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
    // Through both servers: to a GUI (of its own: show registers a host) as show's settings, to a
    // host as context data; nothing in this process or in the host is polluted.
    const other = await systemGui();
    const g = guiEndpoint(other);
    const show = call1(hostile, 'show').replace(
      '<params>',
      '<params><param><value><int>40000</int></value></param>',
    );
    expect(faultOf(await post(g, Buffer.from(show)))).toBeNull();
    expect(other.snapshot().window.title).not.toBe('x');
    const h = hostEndpoint(system.host);
    const update = `<?xml version="1.0"?><methodCall><methodName>update</methodName><params><param><value><string>shot</string></value></param><param><value>${hostile}</value></param></params></methodCall>`;
    const reply = await post(h, update);
    expect(faultOf(reply)).toBeNull();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(await call(h, 'stats')).toMatchObject({ totalRequestCount: expect.any(Number) });
    expect(await ping(g)).toBeTruthy();

    const dup = decodeMethodCall(call1(struct(member('a', '<int>1</int>') + member('a', '<int>2</int>'))))
      .params[0];
    expect(dup).toEqual({ a: 2 });
    expect(decodeMethodCall(call1(struct(member('', '<int>1</int>')))).params[0]).toEqual({ '': 1 });
    const many = call1(
      struct(Array.from({ length: 100_000 }, (_, i) => member(`m${i}`, '<int>1</int>')).join('')),
    );
    await expectFault(many, [-32099], '100 000 members');
  });
});

describe('case 29: characters XML 1.0 cannot carry', () => {
  it('case 29: plug-in logs with ANSI escapes, NUL and lone surrogates reach a Python 3 peer well-formed; \\r survives', () => {
    const result = spawnSync('python3', [PEER, String(system.host.port), system.host.token!, 'noisy'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as { success: boolean; messages: string[] };
    expect(out.success).toBe(true);
    expect(out.messages).toContain('\ufffd[31mred\ufffd[0m shot001');
    expect(out.messages).toContain('nul\ufffdbyte and bell\ufffd in shot001');
    expect(out.messages).toContain('lone surrogate \ufffd and \ufffd here');
    // `\r` travels as a character reference, so it is not normalised to `\n`.
    expect(out.messages).toContain('carriage\rreturn');
  });

  it('case 29: a Python peer that does not sanitise its strings gets clean outcomes and its session survives', () => {
    const result = spawnSync('python3', [PEER, String(system.host.port), system.host.token!, 'dirty'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as Record<string, string>;
    // ESC and NUL arrive as raw bytes and are read as U+FFFD (the documented leniency); Python
    // writes a lone surrogate as a character reference XML does not allow: a parse fault.
    expect(out.esc).toBe('ok');
    expect(out.nul).toBe('ok');
    expect(['UnicodeEncodeError', 'fault -32700']).toContain(out.surrogate);
    expect(out.ping).toBe('Hello, whomever you are');
  });
});
