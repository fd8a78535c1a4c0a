// What the GUI process keeps over a long session: bounded, whatever the number of runs.
import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalEntry } from '../src/view-model.js';
import { ViewStateStore } from '../src/view-state.js';
import { cleanup, command, pythonHost, testGui } from './helpers.js';

afterEach(cleanup);

const message = (i: number) => ({ type: 'message' as const, level: 'info' as const, text: `line ${i}` });

describe('a long session', () => {
  it('keeps the last N terminal entries, numbered on, and says how many were dropped', () => {
    const store = new ViewStateStore(5, 10);
    const streamed: TerminalEntry[] = [];
    store.subscribe({ terminal: (t) => streamed.push(...t) });
    for (let i = 1; i <= 25; i++) store.appendTerminal([message(i)]);
    store.flush();
    expect(store.terminalAfter(0).map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(store.terminalAfter(20).map((e) => e.seq)).toEqual([21, 22, 23, 24, 25]);
    expect(store.terminalAfter(25)).toEqual([]);
    expect(store.terminalAfter(16)[0]).toMatchObject({ seq: 17, text: 'line 17' });
    expect(store.snapshot()).toMatchObject({ terminalSeq: 25, terminalDropped: 15 });
    // Listeners still get every entry as it comes.
    expect(streamed.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('a GUI publishing again and again keeps at most terminalLimit entries for the page to fetch', async () => {
    const gui = await testGui({ terminalLimit: 30 });
    await pythonHost(gui);
    await gui.controller.idle();
    for (let i = 0; i < 3; i++) {
      await command(gui, { type: 'validate' });
      await gui.controller.idle();
    }
    const s = gui.snapshot();
    const kept = gui.store.terminalAfter(0);
    expect(s.terminalSeq).toBeGreaterThan(30);
    expect(kept).toHaveLength(30);
    expect(kept.at(-1)?.seq).toBe(s.terminalSeq);
    expect(kept[0]?.seq).toBe(s.terminalDropped + 1);
  });
});
