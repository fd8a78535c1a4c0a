// docs/security-cases.md, case 57: a host that sends a huge context. The GUI's work on it (the
// reply read and converted, rows built, pairs planned, compatibility counted) is done in slices,
// so its 9090 server keeps answering and a window keeps getting the state; past 50,000 instances
// the reset ends with a clear fault instead.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { watch } from '../../packages/gui/test/helpers.js';
import { cleanup, eventStream, guiProcess, hostileHost } from '../support/hostile.js';

const PEER = fileURLToPath(new URL('./python/peer.py', import.meta.url));

const pingers = new Set<() => Promise<void>>();
afterEach(async () => {
  for (const kill of pingers) await kill();
  pingers.clear();
  await cleanup();
});

/**
 * How long a host waits for the GUI's answer to show or find_available_port (host.ts): a GUI
 * busy longer than this loses the hosts that call it meanwhile. Measured by a separate process.
 * (On an idle machine the slowest ping here is a few hundred milliseconds.)
 */
const ANSWER_WITHIN_MS = 5000;

/**
 * A Python peer pinging the GUI's 9090 server one after another (in its own process: only the
 * GUI's work counts in how long a ping waits) until stopped.
 */
async function pinger(gui: { port: number; token: string }): Promise<{
  stop(): Promise<{ slowest: number; answered: number }>;
}> {
  const proc = spawn('python3', [PEER, String(gui.port), gui.token, 'pings'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const watched = watch(proc, 30_000);
  pingers.add(() => watched.kill());
  await watched.line(/^PINGING$/);
  return {
    stop: async () => {
      proc.stdin.write('stop\n');
      const line = await watched.line(/^\{"answered"/);
      const out = JSON.parse(line) as { answered: number; slowest_ms: number };
      return { slowest: out.slowest_ms, answered: out.answered };
    },
  };
}

/**
 * The GUI (its own process, a window open) shown a huge host of `instances` and `plugins`, while
 * a pinger calls it: the state the window ends with, once the reset has ended, and the pings.
 */
async function digest(instances: number, plugins: number) {
  const gui = await guiProcess();
  const window = eventStream(gui.webPort, gui.windowSecret);
  const pings = await pinger(gui);
  await hostileHost(gui, 'huge', ['--instances', String(instances), '--plugins', String(plugins)]);
  const state = await window.waitFor((s) => s.phase === 'finished' || s.phase === 'ready', 150_000);
  const { slowest, answered } = await pings.stop();
  expect(answered).toBeGreaterThan(10);
  expect(slowest).toBeLessThan(ANSWER_WITHIN_MS);
  return state;
}

describe('case 57: a host that sends a huge context', () => {
  it('case 57: 240,000 instances: refused with a clear fault, and the GUI answers all along', async () => {
    const state = await digest(240_000, 20);
    expect(state.fault?.message).toMatch(
      /sent a context of 240,000 instances; the GUI shows at most 50,000\. Collect fewer at once/,
    );
  }, 180_000);

  it('case 57: 50,000 instances and 50 plug-ins: collected and planned while the GUI and its window keep answering', async () => {
    const state = await digest(50_000, 50);
    expect(state.fault).toBeNull();
    expect(state.instances).toHaveLength(50_001);
    expect(state.plugins).toHaveLength(52);
    // 50,000 instances of 7 families, every validator for all families.
    expect(state.plugins.find((p) => p.id === 'Validate00000')?.compatibleCount).toBe(50_000);
  }, 180_000);
});
