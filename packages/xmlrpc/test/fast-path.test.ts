// The fast scanner must decide exactly as saxes does: same values, same fault codes.
import { describe, expect, it } from 'vitest';
import { structPayload } from '../bench/payload.js';
import { encodeMethodCall, encodeMethodResponse, MessageDecoder, type XmlRpcValue } from '../src/index.js';

type Outcome = { value: unknown } | { code: number };

function decode(input: string | Uint8Array | Uint8Array[], fastPath: boolean): Outcome {
  const d = new MessageDecoder('call', { maxDepth: 20, maxStructMembers: 50 }, { fastPath });
  try {
    for (const chunk of Array.isArray(input) ? input : [input]) d.write(chunk);
    return { value: d.endCall() };
  } catch (err) {
    return { code: (err as { faultCode: number }).faultCode };
  }
}

// A small seeded generator, so a failure is reproducible.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sample: XmlRpcValue[] = [
  { name: 'a <b> & c', list: [1, -2, 3.5, true, null, 'x\r\ny'], when: new Date(Date.UTC(2024, 0, 2)) },
  new Uint8Array([1, 2, 3]),
  'caf\u00e9 \ud83d\ude00 ]] > &',
  { 'cl\u00e9 & <t\u00eate>': 'a long value of more than thirteen characters, \u00e9t\u00e9', '': '' },
];
const base = encodeMethodCall('echo', sample);
const pieces = [
  '<',
  '>',
  '&',
  '&amp;',
  '&#13;',
  '&#x1F600;',
  '&#0;',
  '&nope;',
  ']]>',
  '\r',
  '\r\n',
  ' ',
  '/',
  '<!-- c -->',
  '<![CDATA[x<y]]>',
  '<?pi x?>',
  '<!DOCTYPE x>',
  ' a="1"',
  '<value>',
  '</value>',
  '<nil/>',
  '<nil />',
  '</ value>',
  '\ufeff',
  '\ud800',
  'x',
  '\u001b',
  '<int>',
  '</int>',
  '<?xml version="1.0"?>',
  '</methodCall>',
  '\u00e9',
  '\ufffe',
  '\uffff',
  '\ud83d\ude00',
];

describe('the fast scanner agrees with saxes', () => {
  it('on the codec corpus and on messages peers write', () => {
    const corpus = [
      base,
      encodeMethodCall('m', [structPayload(20_000)]),
      `<?xml version='1.0' encoding='utf-8'?>\n<methodCall>\n<methodName>a</methodName>\n<params>\n<param>\n<value><string>x</string></value>\n</param>\n</params>\n</methodCall>\n`,
      '<?xml version="1.0" encoding="ISO-8859-1"?><methodCall><methodName>a</methodName></methodCall>',
      '<?xml version="1.0" standalone="yes"?><methodCall><methodName>a</methodName></methodCall>',
      ' <?xml version="1.0"?><methodCall><methodName>a</methodName></methodCall>',
      '<methodCall><methodName>a</methodName></methodCall><methodCall/>',
      '<methodCall><methodName>a</methodName></methodCall>trailing',
      '<methodCall ><methodName >a</methodName\n></methodCall\t>',
      '<methodCall><methodName>a</methodName><params><param><value/></param></params></methodCall>',
      // Characters the decoder replaces with U+FFFD before parsing (Python writes them raw).
      ...['\ufffe', '\uffff', '\u001b'].map(
        (c) =>
          `<methodCall><methodName>a</methodName><params><param><value><struct><member><name>k${c}</name><value>x${c}y \u00e9</value></member></struct></value></param></params></methodCall>`,
      ),
    ];
    for (const xml of corpus) {
      expect(decode(xml, true)).toEqual(decode(xml, false));
      const bytes = Buffer.from(xml, 'utf8');
      expect(decode(bytes, true)).toEqual(decode(bytes, false));
    }
  });

  it('on 3000 random mutations of a valid message', () => {
    const next = random(42);
    for (let i = 0; i < 3000; i++) {
      let xml = base;
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * xml.length);
        const r = next();
        if (r < 0.3) xml = xml.slice(0, at) + xml.slice(at + 1 + Math.floor(next() * 5));
        else xml = xml.slice(0, at) + pieces[Math.floor(next() * pieces.length)] + xml.slice(at);
      }
      // As text, and as the UTF-8 bytes a socket delivers (read on a Latin-1 view).
      for (const input of [xml, Buffer.from(xml, 'utf8')]) {
        const full = decode(input, false);
        const fast = decode(input, true);
        if (JSON.stringify(fast) !== JSON.stringify(full)) expect({ xml, fast }).toEqual({ xml, fast: full });
      }
    }
  });

  it('when a message arrives in arbitrary byte chunks (split inside tags and characters)', () => {
    const bytes = new TextEncoder().encode(encodeMethodCall('m', [structPayload(30_000), ...sample]));
    const whole = decode(bytes, false);
    const next = random(7);
    for (let round = 0; round < 20; round++) {
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; ) {
        const size = 1 + Math.floor(next() * (round < 10 ? 7 : 3000));
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      expect(decode(chunks, true)).toEqual(whole);
    }
  });

  it('a response decodes the same way', () => {
    const xml = encodeMethodResponse(structPayload(50_000));
    const fast = new MessageDecoder('response');
    fast.write(xml);
    const full = new MessageDecoder('response', {}, { fastPath: false });
    full.write(xml);
    expect(fast.endResponse()).toEqual(full.endResponse());
  });
});
