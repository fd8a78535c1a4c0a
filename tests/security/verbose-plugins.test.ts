// docs/security-cases.md, cases 53-55 and 58: a plug-in that logs megabytes. Its host caps the records
// per record and per pair (a closing record says what was dropped), pages them through polls,
// and does not repeat them in the result; a plain process() reply stays a list of records a
// Python GUI reads; the publish goes on past it.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TerminalEntry } from '@pyblish/gui/view-model';
import { RECORD_LIMITS } from '@pyblish/host';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, hostileHost, validated, webGet } from '../support/hostile.js';
import { guiEndpoint, ping, spawnHost, systemGui } from '../support/system.js';

const PEER = fileURLToPath(new URL('./python/peer.py', import.meta.url));
const run = promisify(execFile);

afterEach(cleanup);

/** The terminal's records of one plug-in. */
function recordsOf(entries: readonly TerminalEntry[], pluginId: string): string[] {
  return entries.flatMap((e) => (e.type === 'record' && e.pluginId === pluginId ? [e.record.message] : []));
}

describe('case 53: a validator that logs 100 lines of 1 MB', () => {
  for (const naive of [false, true]) {
    it(`case 53: ${naive ? 'plain process()' : 'begin and polls'}: the publish goes on to the extractors; each record is cut and shown once`, async () => {
      const gui = await systemGui({ naive });
      await spawnHost({ gui, env: { SECURITY_VERBOSE_LINES: '100', SECURITY_SLOW_MS: '0' } });
      await gui.waitFor((s) => s.phase === 'ready', 15_000);
      expect(await gui.controller.command({ type: 'publish' })).toEqual({ ok: true });
      const state = await gui.waitFor((s) => s.phase === 'finished', 60_000);
      expect(state.fault).toBeNull();
      expect(state.message).toBe('Published, with errors..');
      for (const id of ['ValidateVerbose', 'ExtractSlowly', 'IntegrateShots']) {
        expect(state.plugins.find((p) => p.id === id)?.processed, id).toBe(true);
      }
      const shown = recordsOf(gui.store.terminalAfter(0), 'ValidateVerbose');
      expect(shown).toHaveLength(100);
      for (const message of shown) {
        expect(message).toMatch(/^\d+ v+… \[cut: 1,048,5\d\d characters in all\]$/);
        expect(message.length).toBeLessThanOrEqual(RECORD_LIMITS.recordChars);
      }
      expect(new Set(shown).size).toBe(100);
      const pair = gui.report().results.find((r) => r.pluginId === 'ValidateVerbose');
      expect(pair?.records).toHaveLength(100);
      expect(await ping(guiEndpoint(gui))).toBeTruthy();
    }, 90_000);
  }

  it('case 53: beyond the cap of a pair, records are dropped and one closing record says how many', async () => {
    const gui = await systemGui();
    await spawnHost({ gui, env: { SECURITY_VERBOSE_LINES: '150' } });
    const state = await validated(gui);
    expect(state.fault).toBeNull();
    const shown = recordsOf(gui.store.terminalAfter(0), 'ValidateVerbose');
    expect(shown.length).toBeGreaterThan(100);
    expect(shown.length).toBeLessThan(150);
    const dropped = 150 - (shown.length - 1);
    expect(shown.at(-1)).toMatch(
      new RegExp(
        `^${dropped} more log records of this pair \\([\\d,]+ characters\\) were dropped: ` +
          'a host keeps at most 5,000 records and 8,388,608 characters of records per pair\\.$',
      ),
    );
    expect(state.plugins.find((p) => p.id === 'ValidateVerbose')?.hasWarning).toBe(true);
  }, 90_000);
});

describe('case 54: a plain process() reply to a Python GUI', () => {
  it('case 54: a Python ServerProxy gets a list of whole records, the last saying what was dropped', async () => {
    const host = await spawnHost({ env: { SECURITY_VERBOSE_LINES: '150' } });
    const { stdout } = await run('python3', [PEER, String(host.port), host.token!, 'verbose'], {
      maxBuffer: 1 << 20,
    });
    const out = JSON.parse(stdout) as {
      success: boolean;
      count: number;
      fields: string[];
      longest: number;
      last: { levelname: string; message: string };
    };
    expect(out.success).toBe(true);
    expect(out.count).toBeGreaterThan(100);
    expect(out.count).toBeLessThan(152);
    expect(out.fields).toEqual(
      [
        'args',
        'created',
        'exc_info',
        'exc_text',
        'filename',
        'funcName',
        'levelname',
        'levelno',
        'lineno',
        'message',
        'module',
        'msecs',
        'name',
        'pathname',
        'process',
        'processName',
        'relativeCreated',
        'thread',
        'threadName',
      ].sort(),
    );
    expect(out.longest).toBeLessThanOrEqual(RECORD_LIMITS.recordChars);
    expect(out.last.levelname).toBe('WARNING');
    expect(out.last.message).toMatch(/more log records of this pair .* were dropped/);
  }, 60_000);
});

describe("case 55: a Python host whose process() reply is over the GUI's 64 MiB", () => {
  it('case 55: that pair fails with an error saying why, and the run goes on to the next plug-in', async () => {
    const gui = await systemGui();
    await hostileHost(gui, 'big');
    const state = await validated(gui);
    expect(state.fault).toBeNull();
    expect(state.message).toBe('Validated, with errors..');
    expect(state.plugins.find((p) => p.id === 'ValidateAfter')?.processed).toBe(true);
    const error = gui.store.terminalAfter(0).find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.error.message).toMatch(
      /ran this pair, but its reply was too large for the GUI to read .* Make the plug-in log less\./,
    );
    expect(gui.report().results.find((r) => r.pluginId === 'ValidateOdd')?.success).toBe(false);
  }, 90_000);
});

describe('case 58: the terminal backlog a window fetches', () => {
  it('case 58: megabytes of log come back in pages of a few MiB, and paging on from the last entry gets them all', async () => {
    const gui = await systemGui();
    await spawnHost({ gui, env: { SECURITY_VERBOSE_LINES: '100' } });
    const state = await validated(gui);
    let after = 0;
    let pages = 0;
    const seen: number[] = [];
    for (;;) {
      const reply = await webGet(gui, `/api/terminal?after=${after}`);
      expect(reply.status).toBe(200);
      const page = JSON.parse(reply.body) as TerminalEntry[];
      if (page.length === 0) break;
      expect(reply.body.length).toBeLessThan(5 * 1024 * 1024);
      pages++;
      seen.push(...page.map((e) => e.seq));
      after = page.at(-1)!.seq;
    }
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: state.terminalSeq }, (_, i) => i + 1));
  }, 90_000);
});
