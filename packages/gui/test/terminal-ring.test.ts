import { describe, expect, it } from 'vitest';
import { TERMINAL_CHARS, ViewStateStore } from '../src/view-state.js';

describe('the terminal the process keeps', () => {
  it('keeps at most TERMINAL_CHARS of text, dropping the oldest entries, and pages what it keeps', () => {
    const store = new ViewStateStore(1000);
    const text = 'x'.repeat(64 * 1024);
    const count = Math.ceil(TERMINAL_CHARS / text.length) + 100;
    for (let i = 0; i < count; i++) store.appendTerminal([{ type: 'message', level: 'info', text }]);
    const kept = store.terminalAfter(0);
    expect(kept.length).toBeLessThan(count);
    expect(kept.length * text.length).toBeLessThanOrEqual(TERMINAL_CHARS);
    expect(store.state.terminalDropped).toBe(count - kept.length);
    expect(kept.at(-1)?.seq).toBe(count);
    // A page holds what fits, at least one entry.
    expect(store.terminalAfter(0, 4 * text.length).length).toBe(3);
    expect(store.terminalAfter(0, 1)).toHaveLength(1);
  });
});
