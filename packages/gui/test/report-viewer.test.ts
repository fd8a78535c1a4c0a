// `--open-report`: a report written by a real publish, read back and shown as the live GUI
// showed it: the same rows and statuses, the same terminal, the same footer, and nothing runs.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openReportViewer, ReportBuilder, type ReportViewer, writeReportFile } from '../src/index.js';
import type { TerminalEntry, ViewState } from '../src/view-model.js';
import { cleanup, command, instanceByName, pluginByName, pythonHost, testGui, tsHost } from './helpers.js';

let viewer: ReportViewer | null = null;
const dirs: string[] = [];
afterEach(async () => {
  await viewer?.close();
  viewer = null;
  await cleanup();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** What a row shows, without the fields a report does not keep (data, actions, options). */
const shown = (s: ViewState) =>
  [...s.instances, ...s.plugins].map((r) => ({
    name: r.name,
    label: r.label,
    status: r.status,
    toggled: r.toggled,
    passed: r.passed,
    failed: r.failed,
    hasError: r.hasError,
    hasWarning: r.hasWarning,
    section: r.kind === 'instance' ? r.category : r.verb,
    where: r.kind === 'plugin' ? [r.module, r.path, r.families, r.doc] : [],
  }));

/** The terminal as text, without sequence numbers. */
const lines = (entries: TerminalEntry[]) =>
  entries.map((e) => {
    switch (e.type) {
      case 'record':
        return `${e.record.levelname} ${e.record.message}`;
      case 'error':
        return `ERROR ${e.error.message}`;
      case 'message':
        return `${e.level} ${e.text}`;
      case 'context':
        return 'context';
      default:
        return `${e.type} ${e.label}`;
    }
  });

describe('pyblish-gui --open-report', () => {
  it('shows a saved publish as the live GUI showed it, read-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyblish-report-viewer-'));
    dirs.push(dir);
    const file = join(dir, 'publish.json');
    const gui = await testGui({ reportFile: file });
    await tsHost(gui);
    await gui.controller.idle();
    // Two runs since the reset: the report keeps both, the view shows the last as the GUI did.
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    await command(gui, { type: 'publish' });
    await gui.controller.idle();
    const stopped = gui.snapshot();
    expect(stopped.message).toBe('Stopped due to failed validation');
    // A repair clears one failure; an action changes no row. Both show in the terminal.
    const failing = pluginByName(stopped, 'ValidateFailure');
    await command(gui, { type: 'repair', pluginId: failing.id });
    await gui.controller.idle();
    const print = failing.actions.find((a) => a.label === 'Print instances');
    await command(gui, { type: 'action', pluginId: failing.id, actionId: print?.id ?? '' });
    await gui.controller.idle();
    const live = gui.snapshot();
    const liveTerminal = gui.store.terminalAfter(0);
    expect(live.message).toBe('Print instances: done');
    await cleanup();

    viewer = await openReportViewer({ file });
    const saved = viewer.snapshot();
    expect(shown(saved)).toEqual(shown(live));
    expect(lines(viewer.store.terminalAfter(0))).toEqual(lines(liveTerminal));
    expect(saved.message).toBe('Print instances: done');
    expect(saved.progress.done).toBe(live.progress.done);
    // The Report tab lists what came after the last run began, as in the live window.
    expect(live.runStartSeq).toBeGreaterThan(0);
    expect(saved.runStartSeq).toBe(live.runStartSeq);
    expect(saved.hosts).toEqual([]);
    expect(saved.savedReport).toEqual({
      file,
      host: viewer.report.host?.label,
      startedAt: viewer.report.startedAt,
      finishedAt: viewer.report.finishedAt,
      kind: 'action',
    });
    expect(viewer.report.iteration).toBe('publish');
    expect(saved.savedReport?.host).toMatch(/\S/);
    // What the user sees after a failed validation and a repair, as the live run left it.
    expect(pluginByName(saved, 'ValidateFailure').hasError).toBe(false);
    expect(pluginByName(saved, 'ValidateFailure').failed).toBe(1);
    expect(instanceByName(saved, 'Failure 1').hasError).toBe(false);
    expect(lines(viewer.store.terminalAfter(0))).toContain('INFO Repaired Failure 1');
    expect(pluginByName(saved, 'ValidateNames').status).toBe('warning');
    expect(pluginByName(saved, 'ExtractSlowly').status).toBe('skipped');
    expect(pluginByName(saved, 'CollectInstances').doc).toBe('Creates the instances of this fake scene.');
    // Nothing can be toggled, repaired or run from a report.
    for (const row of [...saved.instances, ...saved.plugins]) expect(row.optional).toBe(false);
    for (const row of saved.plugins) expect([row.hasRepair, row.actions]).toEqual([false, []]);

    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${viewer?.webPort}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${viewer?.windowSecret}`, 'content-type': 'application/json' },
      });
    const reply = await (await api('/api/commands', { method: 'POST', body: '{"type":"publish"}' })).json();
    expect(reply).toMatchObject({ ok: false, error: { code: 'READ_ONLY' } });
    expect(await (await api('/api/report')).json()).toEqual(viewer.report);
    expect(viewer.snapshot().version).toBe(saved.version);
  });

  it('opens the window at once, as the GUI does, unless told not to, and says what a report lacks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyblish-report-window-'));
    dirs.push(dir);
    const file = join(dir, 'empty.json');
    const report = ReportBuilder.empty();
    report.stats.droppedResults = 3;
    writeReportFile(file, report);
    // A stand-in for Chromium that writes down how it was started.
    const args = join(dir, 'args.txt');
    const chromium = join(dir, 'chromium');
    writeFileSync(chromium, `#!/bin/sh\nprintf '%s\\n' "$@" > '${args}'\n`);
    chmodSync(chromium, 0o755);
    const env = { ...process.env, PYBLISH_CHROMIUM: chromium, PYBLISH_RUNTIME_DIR: dir };
    const quiet = await openReportViewer({ file, env });
    await quiet.close();
    expect(existsSync(args)).toBe(false);
    viewer = await openReportViewer({ file, openBrowser: true, env });
    // Through a launch file: the page's address (and its secret) is not in the command line.
    await vi.waitFor(
      () => expect(readFileSync(args, 'utf8')).toMatch(/^--app=file:\/\/.*\/launch-\w+\.html$/m),
      {
        timeout: 10_000,
        interval: 20,
      },
    );
    expect(readFileSync(args, 'utf8')).not.toContain(viewer.windowSecret);
    expect(viewer.snapshot().message).toBe('This report holds no run');
    expect(lines(viewer.store.terminalAfter(0))).toContain(
      'warning This report no longer holds its 3 oldest results (reportResultLimit); what follows starts after them.',
    );
  });

  it("shows a Python host's failing source line as the source, also from a report written before it was kept apart", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyblish-report-python-'));
    dirs.push(dir);
    const file = join(dir, 'python.json');
    const gui = await testGui();
    await pythonHost(gui);
    await gui.controller.idle();
    await command(gui, { type: 'validate' });
    await gui.controller.idle();
    const report = gui.report();
    await cleanup();
    // Reports written before ErrorRow.source kept the text where the host sent it: exc.
    for (const result of report.results) {
      if (!result.error) continue;
      result.error.exc = result.error.source ?? null;
      delete result.error.source;
    }
    writeReportFile(file, report);
    viewer = await openReportViewer({ file });
    const errors = viewer.store.terminalAfter(0).flatMap((e) => (e.type === 'error' ? [e.error] : []));
    expect(errors).toEqual([
      expect.objectContaining({
        source: 'raise AssertionError("%s is broken: repair it" % instance.name)',
        exc: null,
      }),
    ]);
  });
});
