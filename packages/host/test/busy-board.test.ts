import { describe, expect, it } from 'vitest';
import { BusyBoard } from '../src/busy-board.js';

describe('the busy board shared with the server worker', () => {
  it('shows the reader every state the writer set, with its call id and start time', () => {
    const writer = new BusyBoard();
    const reader = new BusyBoard(writer.buffer);
    expect(reader.read()).toBeNull();
    const since = Date.now() / 1000;
    writer.write({ callId: 'call-12-mwx1abc', since });
    expect(reader.read()).toEqual({ callId: 'call-12-mwx1abc', since });
    writer.write({ callId: null, since });
    expect(reader.read()).toEqual({ callId: null, since });
    writer.write({ callId: 'call-3-a', since });
    expect(reader.read()).toEqual({ callId: 'call-3-a', since });
    writer.write(null);
    expect(reader.read()).toBeNull();
  });

  it("carries the place of a host-side run's pair, and leaves it out rather than cut it", () => {
    const writer = new BusyBoard();
    const reader = new BusyBoard(writer.buffer);
    const since = Date.now() / 1000;
    const pair = { run: 'run-1-x', index: 7, plugin: 'ValidateNames', instance: 'sh020-id' };
    writer.write({ callId: 'call-9-y', since, pair });
    expect(reader.read()).toEqual({ callId: 'call-9-y', since, pair });
    writer.write({ callId: 'call-9-y', since, pair: { ...pair, instance: null } });
    expect(reader.read()?.pair).toEqual({ ...pair, instance: null });
    writer.write({ callId: 'call-10-z', since, pair: { ...pair, plugin: 'P'.repeat(2000) } });
    expect(reader.read()).toEqual({ callId: 'call-10-z', since });
  });

  it('reads back ids that are not ASCII, and what changed from one pair to the next', () => {
    const writer = new BusyBoard();
    const reader = new BusyBoard(writer.buffer);
    const pair = { run: 'run-1-x', index: 7, plugin: 'ValidateNames', instance: 'sh020-id' };
    for (const instance of ['shot_ü_010', 'é'.repeat(100), '5f0c2e1a-1111-4a4a-8b8b-000000000001']) {
      writer.write({ callId: null, since: 1234.5, pair: { ...pair, instance } });
      expect(reader.read()).toEqual({ callId: null, since: 1234.5, pair: { ...pair, instance } });
    }
    // The next plug-in on the same instance: only the plug-in changed.
    const next = {
      ...pair,
      index: 8,
      plugin: 'ExtractAlembic',
      instance: '5f0c2e1a-1111-4a4a-8b8b-000000000001',
    };
    writer.write({ callId: null, since: 1235, pair: next });
    expect(reader.read()?.pair).toEqual(next);
  });
});
