import { describe, expect, it } from 'vitest';
import { formatData, pyblishTime } from '../src/format.js';

describe('wire formatting', () => {
  it('sends only whitelisted keys, and only values XML-RPC can carry', () => {
    const data = formatData({
      name: 'chair',
      family: 'model',
      families: ['geometry', 'lod'],
      publish: false,
      port: 9001,
      label: { not: 'a string' },
      comment: undefined,
      optional: Number.NaN,
      category: ['ok', { nested: true }],
      nodes: ['|a|b'],
      results: [{}],
      __proto__: 'x',
    });
    expect(data).toEqual({
      name: 'chair',
      family: 'model',
      families: ['geometry', 'lod'],
      publish: false,
      port: 9001,
    });
  });

  it('copies lists so the host data cannot be changed through a reply', () => {
    const families = ['a'];
    const data = formatData({ families });
    (data.families as string[]).push('b');
    expect(families).toEqual(['a']);
  });

  it('writes times as pyblish.lib.time() did', () => {
    expect(pyblishTime(new Date(Date.UTC(2017, 1, 17, 9, 5, 3)))).toBe('20170217T090503Z');
  });
});
