import { describe, expect, it } from 'vitest';
import { ViewStore } from '../src/store.js';
import { instanceRow, largeState, pluginRow } from './support/fixture.js';

function storeWith(): { store: ViewStore; calls: Record<string, number> } {
  const state = largeState(3, 0);
  state.plugins.push(pluginRow('p1', 'Validate A', 1, { compatibleCount: 1 }));
  const store = new ViewStore();
  store.applySnapshot(state);
  const calls: Record<string, number> = {};
  for (const channel of [
    'top',
    'shape:instances',
    'shape:plugins',
    'rows:instances',
    ViewStore.rowChannel('instances', 'i0'),
    ViewStore.rowChannel('instances', 'i1'),
    ViewStore.rowChannel('plugins', 'p1'),
  ]) {
    calls[channel] = 0;
    store.subscribe(channel, () => {
      calls[channel] = (calls[channel] ?? 0) + 1;
    });
  }
  return { store, calls };
}

describe('the page store', () => {
  it('re-renders only the row a one-row patch changes', () => {
    const { store, calls } = storeWith();
    expect(
      store.applyPatch({ version: 2, instances: [{ id: 'i0', status: 'failed', hasError: true }] }),
    ).toBe('applied');
    expect(calls['row:instances:i0']).toBe(1);
    expect(calls['row:instances:i1']).toBe(0);
    expect(calls['shape:instances']).toBe(0);
    expect(calls['row:plugins:p1']).toBe(0);
    expect(store.getRow('instances', 'i0')?.status).toBe('failed');
  });

  it('tells the plug-in list when a plug-in loses its last compatible instance', () => {
    const { store, calls } = storeWith();
    store.applyPatch({ version: 2, plugins: [{ id: 'p1', hasCompatible: false }] });
    expect(calls['shape:plugins']).toBe(1);
    expect(calls['row:plugins:p1']).toBe(1);
  });

  it('keeps unchanged top-level fields when a patch changes others', () => {
    const { store } = storeWith();
    const hosts = store.getTop()?.hosts;
    store.applyPatch({ version: 2, state: { message: 'Validating..', phase: 'validating' } });
    expect(store.getTop()?.hosts).toBe(hosts);
    expect(store.getTop()?.phase).toBe('validating');
  });

  it('asks for a fresh snapshot when a patch was missed and ignores repeated ones', () => {
    const { store } = storeWith();
    expect(store.applyPatch({ version: 4, state: { message: 'x' } })).toBe('gap');
    expect(store.applyPatch({ version: 1, state: { message: 'x' } })).toBe('stale');
    expect(store.getTop()?.message).toBe('Ready');
  });

  it('adds, removes and reorders rows from an order patch', () => {
    const { store, calls } = storeWith();
    store.applyPatch({
      version: 2,
      instanceOrder: ['ctx', 'new', 'i1'],
      addedInstances: [instanceRow('new', 'New', 'model')],
    });
    expect(store.getShape('instances').order).toEqual(['ctx', 'new', 'i1']);
    expect(store.getRow('instances', 'i0')).toBeUndefined();
    expect(calls['shape:instances']).toBe(1);
  });

  it('appends each terminal entry once', () => {
    const store = new ViewStore();
    const entry = { seq: 1, type: 'message', level: 'info', text: 'Finished' } as const;
    store.appendTerminal([entry]);
    store.appendTerminal([entry, { ...entry, seq: 2 }]);
    expect(store.getTerminal().count).toBe(2);
    expect(store.lastTerminalSeq()).toBe(2);
  });

  it('drops the terminal entries the GUI process no longer keeps, and says how many', () => {
    const { store } = storeWith();
    const line = (seq: number) => ({ seq, type: 'message', level: 'info', text: `line ${seq}` }) as const;
    store.appendTerminal([1, 2, 3, 4, 5].map(line));
    let notified = 0;
    store.subscribe('terminal', () => notified++);
    store.applyPatch({ version: 2, state: { terminalSeq: 7, terminalDropped: 3 } });
    store.appendTerminal([line(6), line(7)]);
    const view = store.getTerminal();
    expect(view.entries.map((e) => e.seq)).toEqual([4, 5, 6, 7]);
    expect(view.count).toBe(4);
    expect(view.dropped).toBe(3);
    expect(notified).toBeGreaterThan(0);
    // A fresh snapshot says the same.
    store.applySnapshot({ ...largeState(3, 0), terminalSeq: 7, terminalDropped: 6 });
    expect(store.getTerminal().entries.map((e) => e.seq)).toEqual([7]);
  });
});
