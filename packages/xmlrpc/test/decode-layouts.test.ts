// The fast reader takes the layouts peers really write (ours, Python's) and decides every shortcut
// it has (scalars read from the bytes, the member-name cache, text read on a Latin-1 view) exactly
// as saxes does: same values, same fault codes.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { structPayload } from '../bench/payload.js';
import { readMessageBytes } from '../src/fast-reader.js';
import { encodeMethodCall, type Limits, MessageDecoder, resolveLimits } from '../src/index.js';

type Kind = 'call' | 'response';
const PROTO = '__proto__';
type Outcome = { value: unknown } | { code: number };

function decode(
  input: string | Uint8Array,
  kind: Kind,
  fastPath: boolean,
  limits?: Partial<Limits>,
): Outcome {
  const d = new MessageDecoder(kind, limits, { fastPath });
  try {
    d.write(input);
    return { value: kind === 'call' ? d.endCall() : d.endResponse() };
  } catch (err) {
    return { code: (err as { faultCode: number }).faultCode };
  }
}

/** Decodes with and without the fast reader, as text and as bytes; the outcomes must agree. */
function expectSameDecision(xml: string, kind: Kind = 'call', limits?: Partial<Limits>): Outcome {
  const full = decode(xml, kind, false, limits);
  for (const input of [xml, Buffer.from(xml, 'utf8')]) {
    const fast = decode(input, kind, true, limits);
    if (JSON.stringify(fast) !== JSON.stringify(full) || !sameKeys(fast, full)) {
      expect({ xml, fast }).toEqual({ xml, fast: full });
    }
  }
  return full;
}

// JSON.stringify drops an own `__proto__` member's distinction; compare own keys too.
function sameKeys(a: unknown, b: unknown): boolean {
  if (a === null || typeof a !== 'object' || b === null || typeof b !== 'object') return a === b;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\0') !== kb.join('\0')) return false;
  return ka.every((k) => sameKeys((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether the fast reader reads the message itself (rather than leaving it to saxes). */
function fastReaderTakes(xml: string, kind: Kind): boolean {
  try {
    readMessageBytes(Buffer.from(xml, 'utf8'), kind, resolveLimits());
    return true;
  } catch {
    return false;
  }
}

const call = (value: string) =>
  `<?xml version="1.0"?><methodCall><methodName>m</methodName><params><param><value>${value}</value></param></params></methodCall>`;
const structXml = (members: [string, string][]) =>
  `<struct>${members.map(([n, v]) => `<member><name>${n}</name><value>${v}</value></member>`).join('')}</struct>`;
const struct = (members: [string, string][]) => call(structXml(members));

// What Python's xmlrpc.client writes (newlines between tags, <string> and <nil/> forms).
const PYTHON = String.raw`
import datetime, json, sys, xmlrpc.client as x
data = json.loads(sys.stdin.read())
sample = {
    "floats": [1.5, -0.0, 0.1, 1e-05, 1.7976931348623157e+308, 123456789.12345679, 2.5e+16, -3.0],
    "ints": [0, -1, 2**31 - 1, -2**31],
    "flags": [True, False],
    "nothing": None,
    "text": ["a <b> & c", "line\r\nbreak", "caf\u00e9 \U0001F600", "", "]]>", "x" * 40],
    "__proto__": {"constructor": "c", "toString": 1, "a&b": 2, "cl\u00e9": 3, "\U0001F600": 4, "": 5},
    "when": datetime.datetime(2024, 1, 2, 3, 4, 5),
    "bytes": b"\x00\x01\xff",
    "empty": [[], {}],
}
out = [
    x.dumps((data,), methodresponse=True, allow_none=True),
    x.dumps((sample, data[:3]), "echo", allow_none=True),
    x.dumps(x.Fault(7, "it <broke> & stopped"), methodresponse=True),
]
sys.stdout.write(json.dumps(out))
`;

let python: [response: string, request: string, fault: string] | undefined;
/** The messages PYTHON writes (run once). */
function pythonMessages(): [string, string, string] {
  python ??= JSON.parse(
    execFileSync('python3', ['-c', PYTHON], {
      input: JSON.stringify(structPayload(20_000)),
      encoding: 'utf8',
    }),
  ) as [string, string, string];
  return python;
}

// A small seeded generator, so a failure is reproducible.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the layouts peers write stay on the fast reader', () => {
  it("Python's layout (xmlrpc.client.dumps) is read by the fast reader, with the values saxes gives", () => {
    const [response, request, fault] = pythonMessages();
    expect(request).toContain('<member>\n<name>');
    for (const [xml, kind] of [
      [response, 'response'],
      [request, 'call'],
      [fault, 'response'],
    ] as const) {
      expect(fastReaderTakes(xml, kind), xml.slice(0, 200)).toBe(true);
      expectSameDecision(xml, kind);
    }
    const decoded = decode(request, 'call', true) as { value: { params: [Record<string, unknown>] } };
    const members = decoded.value.params[0];
    const inner = Object.getOwnPropertyDescriptor(members, PROTO)?.value as object;
    expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
    expect(Object.keys(inner)).toEqual(['constructor', 'toString', 'a&b', 'clé', '😀', '']);
  });

  it("800 random mutations of Python's layout are decided as saxes decides", () => {
    const request = pythonMessages()[1];
    const pieces = [
      '\n',
      ' ',
      '\r',
      '<',
      '>',
      '/',
      '&amp;',
      '&#10;',
      '\u00e9',
      '\u001b',
      '<member>',
      '</member>',
    ];
    pieces.push('<name>', '</name>', '<value>', '</value>', '<nil/>', '<string>', '.', '-', '0', '9');
    const next = random(3);
    for (let i = 0; i < 800; i++) {
      let xml = request;
      for (let e = 0; e < 1 + Math.floor(next() * 3); e++) {
        const at = Math.floor(next() * xml.length);
        const cut = next() < 0.3 ? 1 + Math.floor(next() * 5) : 0;
        xml =
          xml.slice(0, at) +
          (cut > 0 ? '' : pieces[Math.floor(next() * pieces.length)]) +
          xml.slice(at + cut);
      }
      expectSameDecision(xml);
    }
  });

  it('our layout is read by the fast reader', () => {
    expect(fastReaderTakes(encodeMethodCall('m', [structPayload(20_000)]), 'call')).toBe(true);
  });
});

describe('scalars read straight from the bytes decode as the strict parser reads them', () => {
  const cases: Record<string, string[]> = {
    int: ['0', '-0', '+5', '7', '2147483647', '2147483648', '-2147483648', '-2147483649', '123456789'],
    i4: ['1234567890', ' 7', '7 ', '', '-', '--1', '1-', '0x10', '\u0661'],
    double: ['1.5', '-0', '-0.0', '0.1', '1.', '.5', '1e5', '1E+5', '+1.5', ' 1.5', '1.5 ', '00012.50'],
    boolean: ['0', '1', ' 1', '1 ', '2', '', 'true', '01', '-1'],
  };
  cases.double!.push(
    '123456789012345',
    '1234567890123456',
    '0.000000000000001',
    '9007199254740993',
    '1..2',
    '-',
    '',
    'nan',
    '-inf',
    '1.7976931348623157e+308',
    '1e400',
    '12345678901234567890.5',
    '0.30000000000000004',
  );
  for (const [tag, texts] of Object.entries(cases)) {
    it(`<${tag}>`, () => {
      for (const text of texts) expectSameDecision(call(`<${tag}>${text}</${tag}>`));
    });
  }

  it('decimals up to 15 digits are exact (the same double as Number())', () => {
    for (const text of [
      '0.1',
      '0.7',
      '3.14159265358979',
      '99999.9999999999',
      '-123.456',
      '1.000000000000001',
    ]) {
      const out = decode(call(`<double>${text}</double>`), 'call', true) as { value: { params: number[] } };
      expect(Object.is(out.value.params[0], Number(text)), text).toBe(true);
    }
  });

  it('the string length limit holds for scalars, names and strings alike', () => {
    // Responses: a call's method name would meet the limit first.
    const response = (value: string) =>
      `<methodResponse><params><param><value>${value}</value></param></params></methodResponse>`;
    for (const value of [
      '<int>1234</int>',
      '<i4>-123</i4>',
      '<double>1.25</double>',
      '<boolean>1</boolean>',
      '<string>abcd</string>',
      'abcd',
      structXml([['abcd', '1']]),
      structXml([['abc', '<int>1</int>']]),
    ]) {
      for (const maxStringLength of [0, 3, 4])
        expectSameDecision(response(value), 'response', { maxStringLength });
    }
  });
});

describe('member names (read through a cache) are exactly the names sent', () => {
  it('repeated, prototype-named, escaped, non-ASCII and long names', () => {
    const names = [
      'id',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'a&amp;b',
      '&#x1F600;',
      'cl\u00e9',
      '\ud83d\ude00',
      '',
      ' spaced name ',
      'tab\there',
      'x'.repeat(13),
      'y'.repeat(64),
      'z'.repeat(65),
      '0',
      '12',
    ];
    const record = names.map((n, i): [string, string] => [n, `<int>${i}</int>`]);
    // Each record twice: the second read of a name comes from the cache.
    const xml = call(
      `<array><data>${[record, record, record.slice().reverse()].map((r) => `<value>${structXml(r)}</value>`).join('')}</data></array>`,
    );
    expect(fastReaderTakes(xml, 'call')).toBe(true);
    const out = expectSameDecision(xml) as { value: { params: [Record<string, number>[]] } };
    const [first, second] = out.value.params[0];
    expect(Object.keys(first!)).toEqual(Object.keys(second!));
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(first, PROTO)?.value).toBe(1);
    expect(Object.keys(first!)).toContain('a&b');
    expect(Object.keys(first!)).toContain('😀');
  });

  it('many distinct names (slots of the cache shared and overwritten) each read back as sent', () => {
    const members = Array.from({ length: 3000 }, (_, i): [string, string] => [`k${i}`, `<int>${i}</int>`]);
    const xml = struct(members);
    for (let round = 0; round < 2; round++) {
      const out = expectSameDecision(xml, 'call', { maxStructMembers: 5000 }) as {
        value: { params: [Record<string, number>] };
      };
      const obj = out.value.params[0];
      expect(Object.keys(obj)).toHaveLength(3000);
      for (let i = 0; i < 3000; i++) expect(obj[`k${i}`]).toBe(i);
    }
  });

  it('names with markup-like, control and non-character bytes are decided as saxes decides', () => {
    for (const name of [
      'a\u001bb',
      'a\ufffeb',
      'a\uffffb',
      'a\r\nb',
      'a&#13;b',
      'a]]>b',
      'a>b',
      'a&#0;b',
      'a&nope;b',
    ]) {
      expectSameDecision(struct([[name, '1']]));
      expectSameDecision(call(`<string>${name}</string>`));
    }
  });
});
