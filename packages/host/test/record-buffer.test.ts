import { describe, expect, it } from 'vitest';
import { cappedRecords, cutText, RecordBuffer, type RecordLimits } from '../src/record-buffer.js';
import type { RecordJSON } from '../src/wire.js';

function record(message: string, extra: Partial<RecordJSON> = {}): RecordJSON {
  return {
    message,
    levelname: 'INFO',
    levelno: 20,
    name: 'test',
    threadName: 'MainThread',
    thread: 1,
    process: 1,
    processName: 'MainProcess',
    module: 'm',
    filename: 'f.ts',
    pathname: '/f.ts',
    lineno: 1,
    funcName: 'process',
    created: 0,
    relativeCreated: 0,
    msecs: 0,
    args: null,
    exc_info: null,
    exc_text: null,
    ...extra,
  };
}

const small: RecordLimits = {
  recordChars: 100,
  pairRecords: 5,
  pairChars: 2000,
  pageRecords: 2,
  pageChars: 800,
};

describe('the record buffer of a pair', () => {
  it('cuts text to its limit, saying how long it was, and never cuts twice', () => {
    const cut = cutText('a'.repeat(1000), 100);
    expect(cut).toHaveLength(100);
    expect(cut).toMatch(/^a+… \[cut: 1,000 characters in all\]$/);
    expect(cutText(cut, 100)).toBe(cut);
    // Not inside a surrogate pair.
    const pairs = cutText('😀'.repeat(100), 60);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(pairs)).toBe(false);
  });

  it('cuts every text field of a record, the traceback too', () => {
    const buffer = new RecordBuffer(small);
    buffer.add(record('m'.repeat(500), { exc_text: 't'.repeat(500) }));
    expect(buffer.records[0]?.message).toHaveLength(100);
    expect(buffer.records[0]?.exc_text).toHaveLength(100);
  });

  it('keeps a pair to its caps and closes with one record saying what was dropped', () => {
    const buffer = new RecordBuffer(small);
    for (let i = 0; i < 8; i++) buffer.add(record(`line ${i}`));
    expect(buffer.length).toBe(5);
    buffer.close();
    buffer.close();
    expect(buffer.length).toBe(6);
    expect(buffer.records.at(-1)).toMatchObject({ levelname: 'WARNING', levelno: 30, name: 'pyblish.host' });
    expect(buffer.records.at(-1)?.message).toMatch(
      /^3 more log records of this pair \(\d+ characters\) were dropped/,
    );
    expect(buffer.add(record('late'))).toBe(false);
  });

  it('pages its records by count and size, a record too big for a page going alone', () => {
    const buffer = new RecordBuffer(small);
    buffer.add(record('a'));
    buffer.add(record('b'.repeat(100)));
    buffer.add(record('c'));
    buffer.add(record('d'));
    expect(buffer.page(0)).toMatchObject({ seq: 2 });
    const second = buffer.page(2);
    expect(second.records.map((r) => r.message)).toEqual(['c', 'd']);
    expect(buffer.page(4)).toEqual({ records: [], seq: 4 });
    expect(buffer.page(99).seq).toBe(4);
    const tight = new RecordBuffer({ ...small, pageChars: 300 });
    tight.add(record('big enough'));
    tight.add(record('e'));
    expect(tight.page(0).records.map((r) => r.message)).toEqual(['big enough']);
  });

  it('gives a plain process() result a list of whole records within the caps', () => {
    const many = Array.from({ length: 6000 }, (_, i) => record(`r${i}`));
    const capped = cappedRecords(many);
    expect(capped).toHaveLength(5001);
    expect(Object.keys(capped.at(-1) as RecordJSON).sort()).toEqual(
      Object.keys(many[0] as RecordJSON).sort(),
    );
  });
});
