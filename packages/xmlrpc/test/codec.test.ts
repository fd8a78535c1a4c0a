import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeMethodCall,
  decodeMethodResponse,
  EncodeError,
  encodeFault,
  encodeMethodCall,
  encodeMethodResponse,
  Fault,
  FaultCode,
  type XmlRpcValue,
} from '../src/index.js';

const roundTrip = (v: XmlRpcValue) => decodeMethodResponse(encodeMethodResponse(v));
const call = (body: string) =>
  `<?xml version="1.0"?><methodCall><methodName>m</methodName><params>${body}</params></methodCall>`;
const param = (value: string) => call(`<param><value>${value}</value></param>`);
const decodeParam = (value: string) => decodeMethodCall(param(value)).params[0];
const faultOf = (fn: () => unknown): Fault => {
  try {
    fn();
  } catch (err) {
    if (err instanceof Fault) return err;
    throw err;
  }
  throw new Error('expected a fault');
};

describe('every XML-RPC type survives a round trip', () => {
  it('scalars', () => {
    expect(roundTrip(42)).toBe(42);
    expect(roundTrip(-2147483648)).toBe(-2147483648);
    expect(roundTrip(1.5)).toBe(1.5);
    expect(roundTrip(true)).toBe(true);
    expect(roundTrip(false)).toBe(false);
    expect(roundTrip('héllo <&> ]]> "\'')).toBe('héllo <&> ]]> "\'');
    expect(roundTrip('')).toBe('');
    expect(roundTrip(null)).toBeNull();
    expect(roundTrip(new Uint8Array([0, 1, 255]))).toEqual(new Uint8Array([0, 1, 255]));
    expect(roundTrip(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toEqual(
      new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    );
  });

  it('nested arrays and structs', () => {
    const v = { a: [1, 'two', { three: [null, false] }], b: {}, c: [] };
    expect(roundTrip(v)).toEqual(v);
  });

  it('undefined travels as nil', () => {
    expect(encodeMethodResponse(undefined)).toContain('<nil/>');
    expect(roundTrip({ a: undefined } as unknown as XmlRpcValue)).toEqual({ a: null });
  });
});

describe('values that do not fit XML-RPC follow the documented mapping', () => {
  it('integers beyond 32 bits are sent as doubles, exactly', () => {
    expect(encodeMethodResponse(2 ** 40)).toContain('<double>1099511627776</double>');
    expect(roundTrip(2 ** 53)).toBe(2 ** 53);
    expect(encodeMethodResponse(1e21)).toContain('<double>1e+21</double>');
  });

  it('bigints are sent as i8 and come back as numbers when safe', () => {
    expect(encodeMethodResponse(5n)).toContain('<i8>5</i8>');
    expect(roundTrip(5n)).toBe(5);
    expect(roundTrip(2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(() => encodeMethodResponse(2n ** 64n)).toThrow(EncodeError);
  });

  it('NaN and infinities are written as Python writes them', () => {
    expect(encodeMethodResponse(Number.NaN)).toContain('<double>nan</double>');
    expect(encodeMethodResponse(-Infinity)).toContain('<double>-inf</double>');
    expect(roundTrip(Number.NaN)).toBeNaN();
    expect(roundTrip(Infinity)).toBe(Infinity);
    expect(decodeParam('<double>-Infinity</double>')).toBe(-Infinity);
  });

  it('characters XML cannot carry become U+FFFD, and \\r survives', () => {
    const xml = encodeMethodResponse('\u001b[31mred\u0000\r\n\ud800!\ud83d\ude00');
    expect(xml.includes('\u0000') || xml.includes('\u001b')).toBe(false);
    expect(roundTrip('\u001b[31mred\u0000\r\n\ud800!\ud83d\ude00')).toBe(
      '\ufffd[31mred\ufffd\r\n\ufffd!\ud83d\ude00',
    );
  });

  it('dates are sent in UTC as YYYYMMDDTHH:MM:SS', () => {
    expect(encodeMethodResponse(new Date(Date.UTC(2024, 11, 31, 23, 59, 58, 999)))).toContain(
      '<dateTime.iso8601>20241231T23:59:58</dateTime.iso8601>',
    );
    expect(() => encodeMethodResponse(new Date(Number.NaN))).toThrow(EncodeError);
  });

  it('struct members named __proto__ and constructor are plain data', () => {
    const decoded = decodeParam(
      '<struct><member><name>__proto__</name><value><struct><member><name>polluted</name><value>1</value></member></struct></value></member>' +
        '<member><name>constructor</name><value>c</value></member></struct>',
    ) as Record<string, XmlRpcValue>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'constructor']);
    expect(decoded.constructor).toBe('c');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(roundTrip(decoded)).toEqual(decoded);
  });

  it('duplicate struct members: the last one wins', () => {
    expect(
      decodeParam(
        '<struct><member><name>a</name><value>1</value></member><member><name>a</name><value>2</value></member></struct>',
      ),
    ).toEqual({ a: '2' });
  });

  it('refuses values it cannot carry, and cycles', () => {
    expect(() => encodeMethodResponse((() => 1) as unknown as XmlRpcValue)).toThrow(EncodeError);
    expect(() => encodeMethodResponse(new Map() as unknown as XmlRpcValue)).toThrow(/plain object/);
    const cycle: XmlRpcValue[] = [];
    cycle.push(cycle);
    expect(() => encodeMethodResponse(cycle)).toThrow(expect.objectContaining({ code: 'TOO_DEEP' }));
  });
});

describe('decoding what peers send', () => {
  it('reads Python-style messages with whitespace, bare strings, i4, i8 and nil', () => {
    const xml = `<?xml version='1.0'?>
<methodCall>
<methodName>echo</methodName>
<params>
<param>
<value><i4>-7</i4></value>
</param>
<param><value>bare text</value></param>
<param><value> <i8>9223372036854775807</i8> </value></param>
<param><value><nil/></value></param>
<param><value><array><data>
<value><dateTime.iso8601>20240102T03:04:05</dateTime.iso8601></value>
<value><base64>
AQID
</base64></value>
</data></array></value></param>
</params>
</methodCall>`;
    expect(decodeMethodCall(xml)).toEqual({
      method: 'echo',
      params: [
        -7,
        'bare text',
        2n ** 63n - 1n,
        null,
        [new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), new Uint8Array([1, 2, 3])],
      ],
    });
  });

  it('accepts bytes, a call without params, CDATA and character references', () => {
    expect(
      decodeMethodCall(new TextEncoder().encode('<methodCall><methodName>ping</methodName></methodCall>')),
    ).toEqual({
      method: 'ping',
      params: [],
    });
    expect(decodeParam('<string><![CDATA[a<b]]>&#x263A;&amp;</string>')).toBe('a<b\u263a&');
  });

  it('accepts extended ISO dates with zones', () => {
    expect(decodeParam('<dateTime.iso8601>2024-01-02T03:04:05.250+01:00</dateTime.iso8601>')).toEqual(
      new Date(Date.UTC(2024, 0, 2, 2, 4, 5, 250)),
    );
  });

  it('replaces raw control characters from a peer that did not escape them', () => {
    expect(decodeParam('<string>\u001b[31mred\u001b[0m</string>')).toBe('\ufffd[31mred\ufffd[0m');
  });

  it('turns a fault response into a Fault', () => {
    const f = faultOf(() => decodeMethodResponse(encodeFault(new Fault(-32601, 'no <such> method'))));
    expect(f).not.toBeInstanceOf(DecodeError);
    expect([f.faultCode, f.faultString]).toEqual([-32601, 'no <such> method']);
  });
});

describe('bad literals are refused, never coerced', () => {
  it.each([
    ['<int>12abc</int>'],
    ['<int>2147483648</int>'],
    ['<i4>-2147483649</i4>'],
    ['<i8>9223372036854775808</i8>'],
    ['<int></int>'],
    ['<boolean>true</boolean>'],
    ['<double>1e400</double>'],
    ['<double>1_000</double>'],
    ['<base64>!!!!</base64>'],
    ['<base64>AQI</base64>'],
    ['<dateTime.iso8601>2024-13-01T00:00:00</dateTime.iso8601>'],
    ['<dateTime.iso8601>20240230T00:00:00</dateTime.iso8601>'],
    ['<nil>x</nil>'],
  ])('%s -> -32600', (value) => {
    expect(faultOf(() => decodeParam(value)).faultCode).toBe(FaultCode.InvalidRequest);
  });

  it('accepts the extreme in-range values', () => {
    expect(decodeParam('<i4>-2147483648</i4>')).toBe(-2147483648);
    expect(decodeParam('<int>+2147483647</int>')).toBe(2147483647);
    expect(decodeParam('<i8>-9223372036854775808</i8>')).toBe(-(2n ** 63n));
  });
});

describe('messages that are not XML-RPC', () => {
  it.each([
    ['<foo/>'],
    ['<methodCall><params/></methodCall>'],
    ['<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>'],
    [call('<param><value><int64>1</int64></value></param>')],
    [call('<param><value><int>1</int><int>2</int></value></param>')],
    [call('<param><value>text<int>1</int></value></param>')],
    [call('<param>stray text<value>1</value></param>')],
    [call('<param><value><struct><member><value>1</value></member></struct></value></param>')],
  ])('%s -> -32600', (xml) => {
    expect(faultOf(() => decodeMethodCall(xml)).faultCode).toBe(FaultCode.InvalidRequest);
  });

  it.each([
    ['truncated', '<methodCall><methodName>a</methodName><params>'],
    ['unclosed', '<methodCall><methodName>a</methodCall>'],
    ['empty', ''],
    ['undefined entity', '<methodCall><methodName>&nbsp;</methodName></methodCall>'],
  ])('malformed XML (%s) -> -32700', (_label, xml) => {
    expect(faultOf(() => decodeMethodCall(xml)).faultCode).toBe(FaultCode.ParseError);
  });

  it('rejects invalid UTF-8 and declared encodings other than UTF-8', () => {
    const bad = new Uint8Array([...new TextEncoder().encode('<methodCall><methodName>'), 0xff, 0xfe]);
    expect(faultOf(() => decodeMethodCall(bad)).faultCode).toBe(FaultCode.InvalidCharacter);
    const utf16 =
      '<?xml version="1.0" encoding="UTF-16"?><methodCall><methodName>a</methodName></methodCall>';
    expect(faultOf(() => decodeMethodCall(utf16)).faultCode).toBe(FaultCode.UnsupportedEncoding);
  });

  it('rejects DTDs (billion laughs, external entities) and processing instructions', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
      '<methodCall><methodName>&lol2;</methodName></methodCall>';
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>';
    expect(faultOf(() => decodeMethodCall(laughs)).faultCode).toBe(FaultCode.InvalidRequest);
    expect(faultOf(() => decodeMethodCall(xxe)).faultCode).toBe(FaultCode.InvalidRequest);
    expect(
      faultOf(() => decodeMethodCall('<?pi x?><methodCall><methodName>a</methodName></methodCall>'))
        .faultCode,
    ).toBe(FaultCode.InvalidRequest);
  });
});

describe('limits', () => {
  it('nesting a million levels deep is refused at the depth limit without overflowing the stack', () => {
    const n = 1_000_000;
    const xml = param(`${'<array><data><value>'.repeat(n)}${'</value></data></array>'.repeat(n)}`);
    const f = faultOf(() => decodeMethodCall(xml));
    expect([f.faultCode, f.faultString]).toEqual([
      FaultCode.LimitExceeded,
      'values nest deeper than 100 levels',
    ]);
  });

  it('member count and string length limits', () => {
    const members = '<member><name>a</name><value>1</value></member>'.repeat(11);
    expect(
      faultOf(() => decodeMethodCall(param(`<struct>${members}</struct>`), { maxStructMembers: 10 }))
        .faultCode,
    ).toBe(FaultCode.LimitExceeded);
    expect(faultOf(() => decodeMethodCall(param('x'.repeat(101)), { maxStringLength: 100 })).faultCode).toBe(
      FaultCode.LimitExceeded,
    );
  });

  it('the encoder refuses deep values too', () => {
    let deep: XmlRpcValue = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => encodeMethodCall('m', [deep])).toThrow(expect.objectContaining({ code: 'TOO_DEEP' }));
    expect(encodeMethodCall('m', [deep], 300_000).length).toBeGreaterThan(0);
  });
});
