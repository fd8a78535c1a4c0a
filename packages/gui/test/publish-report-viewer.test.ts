// `pyblish-gui --open-report` on the JSON of a headless publish (`pyblish publish --json`, as on
// a farm or in CI): the real CLI writes the report, the viewer shows the rows, failures,
// terminal and summary that report holds, with a banner naming the CLI instead of a host.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openReportViewer, type ReportViewer } from '../src/index.js';
import type { InstanceRow, PluginRow, TerminalEntry } from '../src/view-model.js';
import { REPO } from './helpers.js';

const CLI = join(REPO, 'packages/cli/bin/pyblish.mjs');
const GUI = join(REPO, 'packages/gui/bin/pyblish-gui.mjs');
const CLEAN_PLUGINS = join(REPO, 'packages/gui/test/fixtures/headless');

interface CliReport {
  pluginPaths: string[];
  targets: string[];
  plugins: Array<{ id: string; type: string }>;
  instances: Array<{ id: string; name: string; publish: boolean }>;
  discovery: { errors: Array<{ name: string | null; reason: string }> };
  results: Array<{
    plugin: { id: string };
    instance: { id: string } | null;
    success: boolean;
    error: { message: string } | null;
    records: Array<{ message: string; levelno: number }>;
  }>;
  summary: { success: boolean; stopped: string | null; failures: Array<{ message: string }> };
}

interface Published {
  file: string;
  report: CliReport;
  /** The CLI's last line: "Published: ..." or "Failed: ...". */
  verdict: string;
}

let dir: string;
let demo: Published;
let clean: Published;
let viewer: ReportViewer | null = null;

/** Runs the real `pyblish publish ... --json FILE` in the temp dir, as a farm job would. */
function publish(name: string, args: string[]): Promise<Published> {
  const file = join(dir, name);
  const proc = spawn(process.execPath, [CLI, 'publish', ...args, '--json', file], {
    cwd: dir,
    env: { ...process.env, PYBLISH_PLUGINPATH: '', PYBLISH_DEMO_DELAY: '1' },
  });
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', () => {
      const verdict = out.split('\n').find((l) => /^(Published|Failed): /.test(l));
      if (!verdict) return reject(new Error(`pyblish publish printed no summary:\n${out}`));
      resolve({ file, report: JSON.parse(readFileSync(file, 'utf8')), verdict });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pyblish-headless-report-'));
  [demo, clean] = await Promise.all([
    publish('farm.json', ['--demo']),
    publish('clean.json', ['-p', CLEAN_PLUGINS]),
  ]);
}, 60_000);
afterEach(async () => {
  await viewer?.close();
  viewer = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The status a row should show after the run, worked out from the CLI's results alone. */
function expectedStatus(results: CliReport['results'], none = 'skipped'): string {
  if (results.length === 0) return none;
  if (results.some((r) => !r.success)) return 'failed';
  return results.some((r) => r.records.some((rec) => rec.levelno >= 30)) ? 'warning' : 'succeeded';
}

const textOf = (entries: TerminalEntry[], type: TerminalEntry['type']) =>
  entries.flatMap((e) =>
    e.type !== type
      ? []
      : e.type === 'record'
        ? [e.record.message]
        : e.type === 'error'
          ? [e.error.message]
          : e.type === 'message'
            ? [`${e.level} ${e.text}`]
            : [],
  );

function checkAgainstCli({ report, verdict }: Published, v: ReportViewer) {
  const state = v.snapshot();
  const collectors = new Set(report.plugins.filter((p) => p.type === 'Collector').map((p) => p.id));
  const ran = new Set(report.results.map((r) => r.plugin.id));

  // A plug-in row shows what its pairs did; one that never ran after a stop shows as skipped.
  const plugins = new Map<string, PluginRow>(state.plugins.map((p) => [p.id, p]));
  for (const p of report.plugins) {
    if (collectors.has(p.id) && !ran.has(p.id)) continue;
    const row = plugins.get(p.id);
    const status = expectedStatus(report.results.filter((r) => r.plugin.id === p.id));
    expect({ id: p.id, status: row?.status }).toEqual({ id: p.id, status });
  }
  // Instance rows (the context too) show the run after the collectors, as a Publish in the
  // window does; one left out shows as skipped, one on that nothing applied to stays idle.
  const afterCollect = report.results.filter((r) => !collectors.has(r.plugin.id));
  const context = state.instances.find((r) => r.isContext) as InstanceRow;
  expect(context.status).toBe(
    expectedStatus(
      afterCollect.filter((r) => r.instance === null),
      'idle',
    ),
  );
  for (const i of report.instances) {
    const row = state.instances.find((r) => r.id === i.id);
    const status = expectedStatus(
      afterCollect.filter((r) => r.instance?.id === i.id),
      i.publish ? 'idle' : 'skipped',
    );
    expect({ name: i.name, status: row?.status }).toEqual({ name: i.name, status });
  }

  // Every record and every failure of the report is in the terminal, in the report's order.
  const terminal = v.store.terminalAfter(0);
  expect(textOf(terminal, 'record')).toEqual(report.results.flatMap((r) => r.records.map((x) => x.message)));
  expect(textOf(terminal, 'error')).toEqual(report.summary.failures.map((f) => f.message));
  // The footer ends with the line the CLI ended with, and starts with why it stopped.
  expect(state.message.endsWith(verdict)).toBe(true);
  if (report.summary.stopped) expect(state.message.startsWith(report.summary.stopped)).toBe(true);
  expect(state.phase).toBe('finished');
  expect(state.savedReport).toMatchObject({
    host: null,
    kind: 'publish',
    headless: { targets: report.targets, pluginPaths: report.pluginPaths },
  });
  return { state, terminal };
}

describe('pyblish-gui --open-report with a headless publish report', () => {
  it('shows a farm publish that failed validation: failures, stop, discovery errors', async () => {
    expect(demo.report.summary.success).toBe(false);
    expect(demo.report.summary.failures.length).toBeGreaterThan(0);
    viewer = await openReportViewer({ file: demo.file });
    const { state, terminal } = checkAgainstCli(demo, viewer);
    expect(state.message).toMatch(/^Stopped due to failed validation\. Failed: \d+ pairs/);
    // Extraction never began: its rows show as skipped, as after a stopped Publish in the window.
    const extract = state.plugins.filter((p) => p.verb === 'Extract' && p.hasCompatible);
    expect(extract.length).toBeGreaterThan(0);
    for (const row of extract) expect(row.status).toBe('skipped');
    // Plug-ins that failed to load are in the terminal before the run, with the reason.
    expect(demo.report.discovery.errors.length).toBeGreaterThan(0);
    const messages = textOf(terminal, 'message');
    for (const e of demo.report.discovery.errors) {
      const line = messages.findIndex((m) => m.startsWith('error Discovery:') && m.includes(e.reason));
      expect(line).toBeGreaterThanOrEqual(0);
    }
    expect(terminal[1]).toMatchObject({ type: 'message', level: 'error' });
    expect(terminal[0]).toMatchObject({ type: 'context', header: { Targets: 'default' } });
    expect(state.window.title).toBe('farm.json (headless publish report)');
  });

  it('shows a clean publish through extraction, with its warning', async () => {
    expect(clean.report.summary.success).toBe(true);
    viewer = await openReportViewer({ file: clean.file });
    const { state } = checkAgainstCli(clean, viewer);
    expect(state.message).toMatch(/^Published: 5 pairs, 5 succeeded, 0 failed, 1 with warnings in /);
    expect(state.plugins.map((p) => [p.label, p.status])).toEqual([
      ['Collect shots', 'succeeded'],
      ['Validate frame range', 'warning'],
      ['Extract cache', 'succeeded'],
    ]);
  });

  it('refuses a damaged headless report with one line and status 2', async () => {
    const damaged = JSON.parse(readFileSync(clean.file, 'utf8'));
    damaged.results[1].success = 'yes';
    const file = join(dir, 'damaged.json');
    writeFileSync(file, JSON.stringify(damaged));
    const runtime = join(dir, 'runtime');
    mkdirSync(runtime, { recursive: true });
    const proc = spawn(process.execPath, [GUI, '--open-report', file, '--no-browser'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYBLISH_RUNTIME_DIR: runtime },
    });
    let output = '';
    proc.stdout.on('data', (d) => {
      output += d;
    });
    proc.stderr.on('data', (d) => {
      output += d;
    });
    const status = await new Promise((resolve) => proc.on('close', resolve));
    expect(status).toBe(2);
    expect(output).toBe(
      `pyblish-gui: ${file}: is a damaged headless publish report (pyblish publish --json): report.results[1].success must be boolean.\n`,
    );
  });
});
