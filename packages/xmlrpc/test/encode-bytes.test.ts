import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createServer,
  decodeMethodResponse,
  type EncodedValue,
  type EncodedValueData,
  EncodeError,
  encodedValueData,
  encodedValueFromData,
  encodeMethodCall,
  encodeMethodCallBytes,
  encodeMethodResponse,
  encodeMethodResponseBytes,
  encodeValueXml,
  escapeText,
  isStruct,
  MethodRegistry,
  preencode,
  XmlRpcClient,
  type XmlRpcServer,
  type XmlRpcValue,
} from '../src/index.js';
import { fromTagged, type PythonServer, runPythonClient, startPythonServer } from './python.js';

// What the encoder wrote before it wrote bytes directly: the wire format must not change.
const GOLDEN_VALUE = {
  id: 'a&b',
  list: [1, -7, 2 ** 31, 1.5, 'x\r<y>', true, null, [], {}],
  when: new Date(Date.UTC(2024, 1, 29, 23, 59, 58)),
  bytes: new Uint8Array([0, 255]),
  big: 9007199254740993n,
  Caméra: 'vue — 😀\u0000',
} as unknown as XmlRpcValue;
const GOLDEN_REPLY =
  '<?xml version="1.0"?>\n<methodResponse><params><param><value><struct><member><name>id</name><value><string>a&amp;b</string></value></member><member><name>list</name><value><array><data><value><int>1</int></value><value><int>-7</int></value><value><double>2147483648</double></value><value><double>1.5</double></value><value><string>x&#13;&lt;y&gt;</string></value><value><boolean>1</boolean></value><value><nil/></value><value><array><data></data></array></value><value><struct></struct></value></data></array></value></member><member><name>when</name><value><dateTime.iso8601>20240229T23:59:58</dateTime.iso8601></value></member><member><name>bytes</name><value><base64>AP8=</base64></value></member><member><name>big</name><value><i8>9007199254740993</i8></value></member><member><name>Caméra</name><value><string>vue — 😀\ufffd</string></value></member></struct></value></param></params></methodResponse>\n';
const GOLDEN_CALL =
  '<?xml version="1.0"?>\n<methodCall><methodName>a.b</methodName><params><param><value><int>1</int></value></param><param><value><string>two</string></value></param></params></methodCall>\n';

// Every kind of character the text writer treats differently.
const PIECES = [
  'a',
  '&',
  '<',
  '>',
  '\r',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  '—',
  '\ufffe',
  '😀',
  '\ud800',
  '\udc00',
];

describe('encoding straight to bytes', () => {
  it('writes a reply and a call byte for byte as before', () => {
    expect(encodeMethodResponseBytes(GOLDEN_VALUE).toString('utf8')).toBe(GOLDEN_REPLY);
    expect(encodeMethodResponse(GOLDEN_VALUE)).toBe(GOLDEN_REPLY);
    expect(encodeMethodCallBytes('a.b', [1, 'two']).toString('utf8')).toBe(GOLDEN_CALL);
    expect(encodeMethodCall('a.b', [1, 'two'])).toBe(GOLDEN_CALL);
  });

  it('escapes text of every length as the regular-expression escaper does', () => {
    // Short text goes through a byte loop, long text through escapeText and Buffer#write.
    for (let length = 0; length < 120; length++) {
      let s = '';
      for (let i = 0; i < length; i++) s += PIECES[(i * 7 + length) % PIECES.length];
      const expected = Buffer.from(`<value><string>${escapeText(s)}</string></value>`, 'utf8');
      expect(Buffer.from(encodeValueXml(s), 'utf8').equals(expected), `length ${length}`).toBe(true);
      const key = s.slice(0, 70);
      const member = Buffer.from(
        `<member><name>${escapeText(key)}</name><value><int>1</int></value></member>`,
      );
      expect(Buffer.from(encodeValueXml({ [key]: 1 })).includes(member), `key of length ${key.length}`).toBe(
        true,
      );
    }
  });

  it('writes every double as String(n) does', () => {
    // Up to three decimals are written from their digits; neighbours one step away must not be.
    const values = [0.1 + 0.2, 1e-7, 1e21, 5e-324, -0.005, 2147483.647, 2147483.648, 23.976, 2 ** 31 + 0.5];
    const step = new Float64Array(1);
    const bits = new BigInt64Array(step.buffer);
    for (let k = -2_147_483_000; k < 2_147_483_000; k += 104_729 * 13) {
      for (const x of [k / 1000, k / 100, k / 10_000, (k % 100_000) / 1000]) {
        step[0] = x;
        bits[0]! += 1n;
        values.push(x, step[0]!);
      }
    }
    for (const n of values) {
      if (Number.isInteger(n) && Math.abs(n) < 2 ** 31) continue;
      expect(encodeValueXml(n)).toBe(`<value><double>${n}</double></value>`);
    }
  });

  it('leaves a reply already returned untouched by the encodings after it', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `record ${i}`);
    const first = encodeMethodResponseBytes(big);
    const small = encodeMethodResponseBytes('small');
    const second = encodeMethodResponseBytes(big.map((s) => s.toUpperCase()));
    expect(decodeMethodResponse(first)).toEqual(big);
    expect(decodeMethodResponse(small)).toBe('small');
    expect(decodeMethodResponse(second)).toEqual(big.map((s) => s.toUpperCase()));
  });

  it('writes each struct its own member names, whatever structs came before', () => {
    // Structs sharing a first key, long keys, and more distinct keys than are remembered.
    const long = 'k'.repeat(100);
    const values: XmlRpcValue[] = [
      { a: 1, b: 2 },
      { a: 1, c: 2 },
      { a: 1, b: 2, c: 3 },
      { a: 1 },
      { [long]: 'x', a: 'y' },
      Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, i])),
      Object.fromEntries(
        Array.from({ length: 100 }, (_, i) => [`<path ${i}> & \r ${'x'.repeat(i)}`, `v${i}`]),
      ),
      Array.from({ length: 3000 }, (_, i) => ({ [`first${i}`]: i, second: [i] })),
    ];
    for (const v of values) expect(decodeMethodResponse(encodeMethodResponseBytes(v))).toEqual(v);
  });

  it('writes bytes of any size as base64, and values read through getters that encode too', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    const nested = { nested: 'x'.repeat(300_000) };
    const value = {
      bytes,
      // Read after the bytes are written: encoding in a getter must not write over them.
      later: {
        get inner(): XmlRpcValue {
          return decodeMethodResponse(encodeMethodResponseBytes(nested)) as XmlRpcValue;
        },
      },
    };
    // A message of 200 KB first: the buffer reused for the next one holds the bytes above.
    encodeMethodResponseBytes('y'.repeat(200_000));
    const decoded = decodeMethodResponse(encodeMethodResponseBytes(value)) as Record<string, XmlRpcValue>;
    expect(Buffer.from(decoded.bytes as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    expect(decoded.later).toEqual({ inner: nested });
  });

  it('refuses a struct whose keys change while it is read, with a clear error', () => {
    let calls = 0;
    const shifty = new Proxy({ a: 1, b: 2 } as XmlRpcValue & object, {
      ownKeys: (target) => (calls++ % 2 === 0 ? Reflect.ownKeys(target) : ['a']),
    });
    expect(() => encodeMethodResponseBytes({ shifty })).toThrow(
      expect.objectContaining({
        name: 'EncodeError',
        code: 'UNENCODABLE',
        message: 'a struct listed different keys on two reads (a Proxy?); pass a plain object',
      }),
    );
  });
});

describe('pre-encoded values', () => {
  const description: XmlRpcValue = {
    name: 'ValidateNames',
    order: 1.5,
    families: ['model', 'rig'],
    doc: 'a <b> & c',
  };

  it('are written verbatim wherever they are placed, as if encoded in place', () => {
    for (const v of [description, 'text & more', 42, [], {}, null, [[1, [2]], { x: [] }]] as XmlRpcValue[]) {
      const frag = preencode(v);
      const spliced = { a: frag, b: [frag, 'x', frag], c: { d: frag } };
      const inline = { a: v, b: [v, 'x', v], c: { d: v } };
      expect(encodeMethodResponse(spliced)).toBe(encodeMethodResponse(inline));
      expect(encodeMethodResponse(frag)).toBe(encodeMethodResponse(v));
      expect(encodeMethodCall('m', [frag, 1])).toBe(encodeMethodCall('m', [v, 1]));
      expect(encodeValueXml(frag)).toBe(encodeValueXml(v));
    }
  });

  it('count their nesting against the depth limit of the message they are placed in', () => {
    const frag = preencode([[[1]]]);
    const nest = (v: XmlRpcValue, levels: number): XmlRpcValue => {
      let out = v;
      for (let i = 0; i < levels; i++) out = [out];
      return out;
    };
    expect(() => encodeMethodResponse(nest(frag, 7), 10)).not.toThrow();
    expect(() => encodeMethodResponse(nest(frag, 8), 10)).toThrow(
      expect.objectContaining({ code: 'TOO_DEEP' }),
    );
    expect(() => preencode(nest(1, 11), 10)).toThrow(expect.objectContaining({ code: 'TOO_DEEP' }));
  });

  it('cannot be forged: only preencode makes one', () => {
    const frag = preencode('<trusted/>');
    expect(Object.isFrozen(frag)).toBe(true);
    const forged = Object.create(Object.getPrototypeOf(frag)) as EncodedValue;
    expect(() => encodeMethodResponse(forged)).toThrow(EncodeError);
    expect(() => encodeMethodResponse(forged)).toThrow(expect.objectContaining({ code: 'UNENCODABLE' }));
    // A copy of its members is an empty plain object: nothing of the fragment goes with it.
    expect(decodeMethodResponse(encodeMethodResponse({ ...frag }))).toEqual({});
  });

  it('cross to another thread as data and splice there as before; only real ones have data', async () => {
    const { Worker } = await import('node:worker_threads');
    const data = encodedValueData(preencode(description));
    // A worker posts the data back: what arrives is a structured-clone copy, as between threads.
    const echo = new Worker(
      'require("node:worker_threads").parentPort.on("message", (m) => { require("node:worker_threads").parentPort.postMessage(m); })',
      { eval: true },
    );
    try {
      const copied = await new Promise<EncodedValueData>((resolve) => {
        echo.once('message', resolve);
        echo.postMessage(data, [data.xml.buffer as ArrayBuffer]);
      });
      expect(data.xml.byteLength).toBe(0); // transferred, not copied
      expect(encodeMethodResponse([encodedValueFromData(copied)])).toBe(encodeMethodResponse([description]));
    } finally {
      await echo.terminate();
    }
    expect(() => encodedValueData({} as EncodedValue)).toThrow(
      expect.objectContaining({ code: 'UNENCODABLE' }),
    );
  });

  it('are not structs to isStruct, so copying members cannot quietly drop them', () => {
    expect(isStruct(preencode(description))).toBe(false);
    expect(isStruct(decodeMethodResponse(encodeMethodResponse(description)))).toBe(true);
    expect(isStruct(Object.create(null) as XmlRpcValue)).toBe(true);
    for (const v of [[], new Date(0), new Uint8Array(1), null, 'x'] as XmlRpcValue[])
      expect(isStruct(v)).toBe(false);
  });

  describe('over the wire with Python', () => {
    let server: XmlRpcServer;
    let py: PythonServer;
    const frag = preencode(description);
    beforeAll(async () => {
      const registry = new MethodRegistry().register('describe', ([n]) => ({
        plugin: frag,
        results: Array.from({ length: Number(n) }, (_, i) => ({ i, plugin: frag })),
      }));
      server = await createServer({ port: 0, routes: { '/RPC2': registry } });
      py = await startPythonServer();
    });
    afterAll(async () => {
      py.stop();
      await server.close();
    });

    it('reach a Python client intact in our server replies, gzipped or not', async () => {
      // Ten results make the reply larger than the gzip threshold (1400 bytes).
      const expected = {
        plugin: description,
        results: Array.from({ length: 10 }, (_, i) => ({ i, plugin: description })),
      };
      for (const gzip of [false, true]) {
        const [result] = await runPythonClient(server.url('/RPC2'), [{ method: 'describe', params: [10] }], {
          gzip,
        });
        expect(result).toHaveProperty('ok');
        expect(fromTagged((result as { ok: unknown }).ok)).toEqual(expected);
      }
    });

    it('reach a Python server intact in our client calls', async () => {
      const client = new XmlRpcClient(py.url('/RPC2'));
      try {
        expect(await client.call('echo', [{ plugin: frag, n: 1 }])).toEqual({ plugin: description, n: 1 });
      } finally {
        client.close();
      }
    });
  });
});
