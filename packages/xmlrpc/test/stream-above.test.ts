import { describe, expect, it } from 'vitest';
import { encodeMethodResponse, MessageDecoder } from '../src/index.js';

describe('reading large replies as they arrive (streamAboveBytes)', () => {
  const value = {
    name: 'Context',
    children: Array.from({ length: 2000 }, (_, i) => ({
      id: `i${i}`,
      data: { family: 'f', n: i, on: i % 2 === 0 },
    })),
  };
  const bytes = Buffer.from(encodeMethodResponse(value));

  it('reads the same value as the one-pass reader, however the bytes arrive', () => {
    for (const chunk of [1, 7, 4096, bytes.length]) {
      const decoder = new MessageDecoder('response', undefined, { streamAboveBytes: 10_000 });
      for (let at = 0; at < bytes.length; at += chunk) decoder.write(bytes.subarray(at, at + chunk));
      expect(decoder.endResponse()).toEqual({ fault: null, value });
    }
  });

  it('reads a large reply as its chunks arrive: a malformed one is refused before it ends', () => {
    const broken = Buffer.concat([bytes.subarray(0, 20_000), Buffer.from('<value><<<')]);
    const streamed = new MessageDecoder('response', undefined, { streamAboveBytes: 10_000 });
    expect(() => streamed.write(broken)).toThrow(/fault -32/);
    // The one-pass reader only looks at the end.
    const oneGo = new MessageDecoder('response');
    expect(() => oneGo.write(broken)).not.toThrow();
    expect(() => oneGo.endResponse()).toThrow();
  });
});
