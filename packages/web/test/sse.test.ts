// The page's event-stream reader (sse.ts), fed as a network would: in chunks of any size.
import { describe, expect, it } from 'vitest';
import { sseParser } from '../src/sse.js';

function read(chunks: string[]): { events: Array<[string, string]>; retries: number[] } {
  const events: Array<[string, string]> = [];
  const retries: number[] = [];
  const parser = sseParser({
    event: (type, data) => events.push([type, data]),
    retry: (ms) => retries.push(ms),
  });
  for (const chunk of chunks) parser.push(chunk);
  return { events, retries };
}

describe('the event-stream reader', () => {
  it('reads events, their types and data, skipping comments, whatever the chunks', () => {
    const stream =
      'retry: 100\n\n: keep-alive\n\nevent: snapshot\ndata: {"a":1}\n\nevent: patch\ndata: {"b":\ndata: 2}\n\ndata: plain\n\n';
    const expected = {
      events: [
        ['snapshot', '{"a":1}'],
        ['patch', '{"b":\n2}'],
        ['message', 'plain'],
      ],
      retries: [100],
    };
    expect(read([stream])).toEqual(expected);
    // One character at a time, and in uneven pieces.
    expect(read([...stream])).toEqual(expected);
    expect(read([stream.slice(0, 7), stream.slice(7, 40), stream.slice(40)])).toEqual(expected);
  });

  it('takes CRLF line ends, also when a chunk ends between CR and LF', () => {
    const stream = 'event: notice\r\ndata: x\r\n\r\n';
    expect(read([stream]).events).toEqual([['notice', 'x']]);
    expect(read(['event: notice\r', '\ndata: x\r', '\n\r', '\n']).events).toEqual([['notice', 'x']]);
  });

  it('holds back an event until its blank line, and drops one without data', () => {
    expect(read(['event: patch\ndata: 1\n']).events).toEqual([]);
    expect(read(['event: patch\n\n']).events).toEqual([]);
  });

  it('reads a long line (a snapshot) arriving in many chunks whole', () => {
    const big = 'x'.repeat(4 << 20);
    const chunks = ['event: snapshot\ndata: '];
    for (let i = 0; i < big.length; i += 16 << 10) chunks.push(big.slice(i, i + (16 << 10)));
    chunks.push('\n\n');
    const { events } = read(chunks);
    expect(events).toHaveLength(1);
    expect(events[0]?.[1].length).toBe(big.length);
  });
});
