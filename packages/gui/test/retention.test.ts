// What the GUI process keeps over a long session: bounded, whatever the number of runs.
import { afterEach, describe, expect, it } from 'vitest';
import { ReportBuilder } from '../src/session-report.js';
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

  it('the report keeps every pair of the current run, and drops the oldest runs beyond its limit', () => {
    const report = new ReportBuilder(5);
    const host = { port: 1, label: 'Host' };
    const end = {
      finalPhase: 'finished' as const,
      message: 'Published',
      fault: null,
      success: true,
      comment: '',
      instances: [],
      plugins: [],
    };
    const run = (kind: string, pairs: number) => {
      report.begin(kind, host, kind === 'reset');
      for (let i = 0; i < pairs; i++) {
        report.addPair({
          pluginId: `${kind}-${i}`,
          instanceId: null,
          success: true,
          duration: 1,
          error: null,
          records: [],
          actionId: null,
        });
      }
      return report.finish(end);
    };
    run('reset', 3);
    let r = run('publish', 4);
    expect(r.results).toHaveLength(7); // the current run is never cut
    for (let i = 0; i < 20; i++) r = run('publish', 4);
    expect(r.results.length).toBeLessThanOrEqual(5 + 4);
    expect(r.results.at(-1)?.pluginId).toBe('publish-3');
    expect(r.stats.pairs).toBe(3 + 21 * 4);
    expect(r.stats.droppedResults).toBe(r.stats.pairs - r.results.length);
    // A reset starts over.
    r = run('reset', 2);
    expect(r.results).toHaveLength(2);
    expect(r.stats.droppedResults).toBe(0);
  });
});
