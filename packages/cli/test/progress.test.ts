import { PassThrough } from 'node:stream';
import {
  Context,
  ContextPlugin,
  type Instance,
  InstancePlugin,
  Order,
  type ProcessApi,
  processPlugin,
  publishIter,
  Registry,
} from '@pyblish/core';
import { describe, expect, it } from 'vitest';
import { Display } from '../src/progress.js';

class Colourful extends ContextPlugin {
  static override label = 'Colourful';
  process(_context: Context, { log }: ProcessApi) {
    log.warning('\u001b[31mred\u001b[0m and \u001b[2Jclear-screen\nsecond line');
    throw new Error('failed\non two lines');
  }
}

/** A display that writes into a string. */
function displayed(tty = false): { display: Display; text(): string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => {
    text += d;
  });
  return { display: new Display(out, { tty, verbose: false, quiet: false, columns: 80 }), text: () => text };
}

async function render(tty: boolean): Promise<string> {
  const { display, text } = displayed(tty);
  display.start(Colourful, null);
  const result = await processPlugin(Colourful, new Context(), null, { registry: new Registry() });
  display.result({ ...result, progress: 1 });
  display.finish({
    success: false,
    pairs: 1,
    succeeded: 0,
    failed: 1,
    warnings: 0,
    stopped: null,
    discoveryErrors: 0,
    duration: 5,
    failures: [],
  });
  return text();
}

describe('progress display', () => {
  it('prints plain lines without any terminal codes when the output is not a terminal', async () => {
    const text = await render(false);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('FAIL [100%] Colourful › Context');
    expect(text).toContain('       failed\n       on two lines');
    expect(text).toContain('WARNING  red and clear-screen\n                second line');
    expect(text).toContain('Failed: 1 pair, 0 succeeded, 1 failed');
  });

  it('draws a live status line and colours on a terminal, keeping colours but no other codes from messages', async () => {
    const text = await render(true);
    expect(text).toContain('\r\u001b[K');
    expect(text).toMatch(/Other · Colourful › Context/);
    expect(text).toContain('\u001b[31mFAIL\u001b[0m');
    expect(text).toContain('\u001b[31mred\u001b[0m');
    expect(text).not.toContain('\u001b[2J');
  });

  it('names the file of a cancelled call without a line it does not know', async () => {
    class Waits extends ContextPlugin {
      process(_context: Context, { signal }: ProcessApi) {
        return new Promise<void>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      }
    }
    const { display, text } = displayed();
    const abort = new AbortController();
    const pending = processPlugin(Waits, new Context(), null, {
      registry: new Registry(),
      signal: abort.signal,
    });
    abort.abort();
    display.result(await pending);
    expect(text()).toContain('(mem:Waits)');
    expect(text()).not.toContain(':null');
  });

  it('prints no percentage while collectors may still grow the plan, then one that never goes back', async () => {
    class CollectScene extends ContextPlugin {
      static override order = Order.Collector - 0.1;
      process() {}
    }
    class CollectShots extends ContextPlugin {
      static override order = Order.Collector;
      process(context: Context) {
        for (let i = 0; i < 10; i++) context.createInstance(`sh${i}0`, { family: 'shot' });
      }
    }
    class ValidateShot extends InstancePlugin {
      static override order = Order.Validator;
      process(_instance: Instance) {}
    }
    const { display, text } = displayed();
    const registry = new Registry();
    for await (const result of publishIter({ plugins: [CollectScene, CollectShots, ValidateShot], registry }))
      display.result(result);
    const columns = text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => /^ {2}ok \[(.{4})\]/.exec(line)?.[1]);
    expect(columns.slice(0, 2)).toEqual(['    ', '    ']);
    const percents = columns.slice(2).map((c) => Number.parseInt(c ?? '', 10));
    expect(percents).toHaveLength(10);
    expect(percents.every((p, i) => i === 0 || p >= (percents[i - 1] as number))).toBe(true);
    expect(percents.at(-1)).toBe(100);
  });
});
