// docs/security-cases.md, cases 50-52 and 60-61: what a host sends back flows on to the page, the report and
// the terminal; values they cannot carry as they are must not take the GUI down.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openReportViewer } from '@pyblish/gui';
import type { Report, TerminalEntry } from '@pyblish/gui/view-model';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, eventStream, guiProcess, hostileHost, validated, webGet } from '../support/hostile.js';
import { call, guiEndpoint, ping, spawnHost, systemGui, tempDir, until } from '../support/system.js';

afterEach(cleanup);

describe('case 50: host values the page cannot carry', () => {
  it('case 50: an <i8> beyond 2^53 in an instance does not take down the GUI process with a window open', async () => {
    const gui = await guiProcess();
    const window = eventStream(gui.webPort, gui.windowSecret);
    await window.waitFor((s) => s.phase === 'noHost');
    await hostileHost(gui, 'i8');
    const seen = await window.waitFor((s) => s.phase === 'ready' || s.phase === 'finished', 30_000);
    expect(seen.fault).toBeNull();
    // The process lives and answers.
    expect(await call({ name: 'GUI', port: gui.port, path: '/', token: gui.token }, 'ping')).toBeTruthy();
    // A window opened now gets the whole state, with the values converted and flagged.
    const later = eventStream(gui.webPort, gui.windowSecret);
    const state = await later.waitFor((s) => s.instances.length > 1);
    const instance = state.instances.find((r) => !r.isContext);
    expect(instance?.data.frames).toBe('9223372036854775807');
    expect(instance?.converted).toEqual({ frames: 'i8' });
    expect(gui.proc.exitCode).toBeNull();
  });
});

/** GET a path of the web server with the window's secret, parsed as JSON. */
async function webJson(gui: { webPort: number; windowSecret: string }, path: string): Promise<unknown> {
  const reply = await webGet(gui, path);
  expect(reply.status, `${path}: ${reply.body.slice(0, 200)}`).toBe(200);
  return JSON.parse(reply.body);
}

/** How deep `v` nests (a scalar: 0). */
function depthOf(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  return 1 + Math.max(0, ...Object.values(v).map(depthOf));
}

describe('case 51: every kind of value a page or a JSON file cannot carry as it is', () => {
  it('case 51: dates, bytes, NaN, infinities, <i8>, megabytes of text, 90 levels, __proto__ keys: converted, flagged, and on to the page, the terminal, the report and the viewer', async () => {
    const reportFile = join(tempDir(), 'report.json');
    const gui = await systemGui({ reportFile });
    await hostileHost(gui, 'values');
    const state = await validated(gui);
    expect(state.fault).toBeNull();
    expect(state.message).toBe('Validated, with errors..');

    // The rows: converted values, flagged by field.
    const context = state.instances.find((r) => r.isContext)!;
    const instance = state.instances.find((r) => !r.isContext)!;
    for (const row of [context, instance]) {
      expect(row.data.big).toBe('9223372036854775807');
      expect(row.data.negative).toBe('-4611686018427387907');
      expect(row.data.when).toBe('2024-05-01T12:30:00.000Z');
      expect(row.data.blob).toBe(Buffer.from('\x00\x01binary\xff', 'latin1').toString('base64'));
      expect([row.data.nan, row.data.inf, row.data.ninf]).toEqual(['NaN', 'Infinity', '-Infinity']);
      expect(String(row.data.huge)).toMatch(/^x{65500}… \[cut: 2,097,152 characters in all\]$/);
      expect(depthOf(row.data.deep)).toBe(90);
      expect(Object.keys(row.data)).toContain('__proto__');
      expect(row.data.constructor).toBe('not a function');
      expect(row.data.mixed).toEqual([1, '1152921504606846976', { at: '2001-01-01T00:00:00.000Z' }]);
      expect(row.converted).toEqual({
        big: 'i8',
        negative: 'i8',
        when: 'dateTime',
        blob: 'base64',
        nan: 'double',
        inf: 'double',
        ninf: 'double',
        huge: 'truncated',
        mixed: 'nested',
      });
    }
    // Nothing reached a prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The plug-in's fields: a number for a label, in its families, in an action's "on", a long doc.
    const odd = state.plugins.find((p) => p.id === 'ExtractOdd')!;
    expect(odd.label).toBe('9223372036854775807');
    expect(odd.families).toEqual(['*', '4611686018427387904']);
    expect(odd.doc?.length).toBeLessThan(70_000);
    expect(odd.actions[0]?.error).toMatch(/Unknown value for "on": 9223372036854775807/);

    // The terminal backlog as the page fetches it.
    const terminal = (await webJson(gui, '/api/terminal?after=0')) as TerminalEntry[];
    const records = terminal.flatMap((e) => (e.type === 'record' ? [e.record] : []));
    const fields = records.find((r) => r.message === 'odd fields')!;
    // Fields typed as numbers stay numbers: the nearest one, or 0 for what is none.
    expect(fields.lineno).toBe(2 ** 63);
    expect(fields.created).toBe(0);
    expect(records.some((r) => /^y{65500}… \[cut: 3,145,728 characters in all\]$/.test(r.message))).toBe(
      true,
    );
    const error = terminal.find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.error.lineNumber).toBe(2 ** 63);

    // The report: Export report (GET /api/report), the report file, and the viewer reading it.
    const exported = (await webJson(gui, '/api/report')) as Report;
    expect(exported.context.data.big).toBe('9223372036854775807');
    const pair = exported.results.find((r) => r.pluginId === 'ValidateOdd')!;
    expect(pair.success).toBe(false);
    expect(pair.duration).toBe(0);
    const saved = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(saved.context.data.when).toBe('2024-05-01T12:30:00.000Z');
    const viewer = await openReportViewer({ file: reportFile });
    try {
      const shown = viewer.snapshot();
      expect(shown.instances.find((r) => r.isContext)?.data.big).toBe('9223372036854775807');
      expect(shown.plugins.find((p) => p.id === 'ValidateOdd')?.status).toBe('failed');
    } finally {
      await viewer.close();
    }
    expect(await ping(guiEndpoint(gui))).toBeTruthy();
  });
});

describe('case 52: a window whose stream fails', () => {
  it('case 52: a stream that cannot send an event is closed and logged; other windows, the run and the report go on', async () => {
    const gui = await systemGui();
    const host = await spawnHost({ gui });
    await gui.waitFor((s) => s.phase === 'ready', 15_000);
    const failing = eventStream(gui.webPort, gui.windowSecret);
    await failing.waitFor((s) => s.phase === 'ready');
    expect(await gui.controller.command({ type: 'publish' })).toEqual({ ok: true });
    // A value no JSON carries, as a path that forgot the boundary would let through.
    gui.store.notify({ level: 'info', text: 1n as unknown as string });
    await failing.ended;
    expect(gui.logs.some((l) => /closed an event stream: its notice could not be sent/.test(l))).toBe(true);
    const other = eventStream(gui.webPort, gui.windowSecret);
    const done = await other.waitFor((s) => s.phase === 'finished', 20_000);
    expect(done.message).toBe('Published, with errors..');
    expect(gui.report().results.length).toBeGreaterThan(3);
    expect(host.proc.exitCode).toBeNull();
    expect(await ping(guiEndpoint(gui))).toBeTruthy();
  });
});

describe('cases 60-61: text that reaches the page from elsewhere', () => {
  it('case 60: a host fault megabytes long is cut before it reaches the terminal and the notices', async () => {
    const gui = await systemGui();
    await hostileHost(gui, 'values');
    await gui.waitFor((s) => s.phase === 'ready', 30_000);
    expect(await gui.controller.command({ type: 'comment', text: 'hello' })).toEqual({ ok: true });
    let refused: string | undefined;
    await until(() => {
      const entry = gui.store
        .terminalAfter(0)
        .find((e) => e.type === 'message' && /did not take "commented"/.test(e.text));
      refused = entry?.type === 'message' ? entry.text : undefined;
      return refused !== undefined;
    }, 20_000);
    expect(refused).toMatch(/refused emit: .*e{100}.*… \[cut: 5,242,\d{3} characters in all\]$/);
    expect(refused!.length).toBeLessThan(3000);
  });

  it('case 61: a comment with a lone surrogate from the page goes to the report file, Export report and the viewer intact', async () => {
    const reportFile = join(tempDir(), 'report.json');
    const gui = await systemGui({ reportFile });
    await spawnHost({ gui });
    await gui.waitFor((s) => s.phase === 'ready', 15_000);
    const text = 'take \ud800 two \udfff';
    expect(await gui.controller.command({ type: 'comment', text })).toEqual({ ok: true });
    await validated(gui);
    expect(((await webJson(gui, '/api/report')) as Report).comment).toBe(text);
    expect((JSON.parse(readFileSync(reportFile, 'utf8')) as Report).comment).toBe(text);
    const viewer = await openReportViewer({ file: reportFile });
    try {
      expect(viewer.snapshot().comment).toBe(text);
    } finally {
      await viewer.close();
    }
  });
});
