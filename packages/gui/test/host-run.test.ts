// A run our host iterates itself (pyblish.run) shows exactly what the same run driven pair by pair
// shows: the same results, records, statuses, terminal and report. Each scenario runs twice, on a
// fresh GUI and host each time, once in each mode, and the two outcomes are compared with what
// differs by nature left out (timings, ids, ports, request counts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report, TerminalEntry, ViewState } from '../src/view-model.js';
import {
  cleanup,
  command,
  type HostProcess,
  instanceByName,
  pluginByName,
  testGui,
  tsHost,
} from './helpers.js';

afterEach(cleanup);

const COMPARE_PLUGINS = fileURLToPath(new URL('./fixtures/compare', import.meta.url));

type Gui = Awaited<ReturnType<typeof testGui>>;

interface Outcome {
  state: unknown;
  report: unknown;
  terminal: unknown[];
  /** Requests of the last run: a host-side run takes far fewer than its pairs. */
  requests: number;
  pairs: number;
}

/** A message without the host's port (each run has a host of its own). */
const withoutPort = (text: string) => text.replace(/port \d+/, 'port N');

/** What the user sees and keeps, without what differs by nature between two runs. */
function outcome(gui: Gui): Outcome {
  const s = gui.snapshot();
  const names = new Map(s.instances.map((i) => [i.id, i.isContext ? 'Context' : i.name]));
  const name = (id: string | null) => (id === null ? null : (names.get(id) ?? `unknown ${id}`));
  const report = gui.report();
  const record = ({ created, msecs, ...r }: { created: number; msecs: number; [k: string]: unknown }) => r;
  return {
    state: {
      phase: s.phase,
      message: withoutPort(s.message),
      fault: s.fault?.code ?? null,
      progress: { ...s.progress, currentInstance: name(s.progress.currentInstance) },
      instances: s.instances.map(({ id, duration, data, ...row }) => ({
        ...row,
        data: { ...data, port: 0, connectTime: '' },
      })),
      plugins: s.plugins.map(({ duration, ...row }) => row),
    },
    report: reportWithout(report, name),
    terminal: gui.store.terminalAfter(0).map((e) => terminalEntry(e, name, record)),
    requests: report.stats.requests,
    pairs: report.stats.pairs,
  };
}

function reportWithout(report: Report, name: (id: string | null) => string | null): unknown {
  const { startedAt, finishedAt, host, context, stats, results, instances, ...rest } = report;
  return {
    ...rest,
    message: withoutPort(report.message),
    fault: report.fault?.code ?? null,
    instances: instances.map(({ id, ...i }) => i),
    results: results.map(({ duration, instanceId, records, ...r }) => ({
      ...r,
      instance: name(instanceId),
      records: records.map((x) => [x.levelname, x.message, x.name, x.funcName]),
    })),
    stats: { pairs: stats.pairs, failed: stats.failed, droppedResults: stats.droppedResults },
  };
}

function terminalEntry(
  e: TerminalEntry,
  name: (id: string | null) => string | null,
  record: (r: never) => unknown,
): unknown {
  const { seq, ...entry } = e;
  if (entry.type === 'context') return { type: 'context', keys: Object.keys(entry.header) };
  if (entry.type === 'record')
    return { ...entry, instanceId: name(entry.instanceId), record: record(entry.record as never) };
  if (entry.type === 'instance' || entry.type === 'error')
    return { ...entry, instanceId: name(entry.instanceId) };
  if (entry.type === 'message') return { ...entry, text: withoutPort(entry.text) };
  return entry;
}

/**
 * Runs `scenario` on a fresh GUI and our host, driven one way then the other; returns both
 * outcomes (host-side first).
 */
async function bothWays(
  scenario: (gui: Gui, host: HostProcess) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): Promise<[Outcome, Outcome]> {
  const outcomes: Outcome[] = [];
  for (const pairByPair of [false, true]) {
    const gui = await testGui({ pairByPair });
    const host = await tsHost(gui, [], env, COMPARE_PLUGINS);
    await gui.controller.idle();
    expect(gui.snapshot().capabilities).toContain('pyblish.run');
    await scenario(gui, host);
    await gui.controller.idle();
    outcomes.push(outcome(gui));
    await cleanup();
  }
  return outcomes as [Outcome, Outcome];
}

/**
 * Waits for ExtractShots to be running on sh020 (it waits there until cancelled), its first
 * record in the terminal while it runs.
 */
async function waitingOnSh020(gui: Gui): Promise<void> {
  await gui.waitFor((s: ViewState) => {
    const { currentPlugin, currentInstance } = s.progress;
    return currentPlugin === 'ExtractShots' && currentInstance === instanceByName(s, 'sh020').id;
  });
  await gui.waitFor(() =>
    gui.store.terminalAfter(0).some((e) => e.type === 'record' && e.record.message === 'extracting sh020'),
  );
}

describe('a run on our host, driven whole by the host or pair by pair', () => {
  it('collects, fails validation and stops the publish after it, alike', async () => {
    const [whole, pairs] = await bothWays(async (gui) => {
      // Collection itself: cam020 was made by the second collector and collected on; the
      // last collector's edit (data only, the instances unchanged) is shown.
      expect(instanceByName(gui.snapshot(), 'cam020').processed).toBe(false);
      expect(gui.snapshot().comment).toBe('shots of the week');
      await command(gui, { type: 'validate' });
      await gui.controller.idle();
      expect(gui.snapshot().message).toBe('Validated, with errors..');
      await command(gui, { type: 'publish' });
      await gui.controller.idle();
      expect(gui.snapshot().message).toBe('Stopped due to failed validation');
    });
    expect(whole.state).toEqual(pairs.state);
    expect(whole.report).toEqual(pairs.report);
    expect(whole.terminal).toEqual(pairs.terminal);
    expect(whole.pairs).toBe(pairs.pairs);
    // Pair by pair, at least one request a pair; whole, a few a run.
    expect(pairs.requests).toBeGreaterThan(pairs.pairs);
    expect(whole.requests).toBeLessThan(pairs.requests);
  });

  it('honours an instance and a plug-in switched off and an optional one switched on; a plug-in that throws', async () => {
    const [whole, pairs] = await bothWays(async (gui) => {
      const s = gui.snapshot();
      await command(gui, { type: 'toggle', id: instanceByName(s, 'sh030').id, value: false });
      await command(gui, { type: 'toggle', id: pluginByName(s, 'ValidateOptional').id, value: true });
      await command(gui, { type: 'toggle', id: pluginByName(s, 'ExtractOptional').id, value: false });
      await command(gui, { type: 'validate' });
      await gui.controller.idle();
      expect(gui.snapshot().message).toBe('Validated');
      await command(gui, { type: 'publish' });
      await gui.controller.idle();
      const done = gui.snapshot();
      expect(done.message).toBe('Published, with errors..');
      expect(pluginByName(done, 'ExtractThrows').failed).toBe(1);
      expect(pluginByName(done, 'ExtractOptional').status).toBe('skipped');
      expect(instanceByName(done, 'sh030').status).toBe('skipped');
    });
    expect(whole.state).toEqual(pairs.state);
    expect(whole.report).toEqual(pairs.report);
    expect(whole.terminal).toEqual(pairs.terminal);
  });

  it('shows a long plug-in running with its records as it logs them, and the records after, alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyblish-compare-'));
    const gate = join(dir, 'gate');
    try {
      const [whole, pairs] = await bothWays(
        async (gui) => {
          rmSync(gate, { force: true });
          await command(gui, {
            type: 'toggle',
            id: instanceByName(gui.snapshot(), 'sh030').id,
            value: false,
          });
          await command(gui, { type: 'publish' });
          await gui.waitFor((s: ViewState) => {
            const { currentPlugin, currentInstance } = s.progress;
            return currentPlugin === 'ExtractShots' && currentInstance === instanceByName(s, 'sh010').id;
          });
          const messages = () =>
            gui.store.terminalAfter(0).flatMap((e) => (e.type === 'record' ? [e.record.message] : []));
          await gui.waitFor(() => messages().includes('extracting sh010'));
          const running = gui.snapshot();
          expect(pluginByName(running, 'ExtractShots').status).toBe('processing');
          expect(instanceByName(running, 'sh010').status).toBe('processing');
          expect(messages()).not.toContain('wrote sh010');
          writeFileSync(gate, '');
          await gui.controller.idle();
          expect(messages()).toContain('wrote sh010');
          const reported = gui
            .report()
            .results.find(
              (r) =>
                r.pluginId === pluginByName(running, 'ExtractShots').id &&
                r.instanceId === instanceByName(running, 'sh010').id,
            );
          expect(reported?.records.map((r) => r.message)).toEqual(['extracting sh010', 'wrote sh010']);
        },
        { PYBLISH_COMPARE_GATE: gate },
      );
      expect(whole.state).toEqual(pairs.state);
      expect(whole.report).toEqual(pairs.report);
      expect(whole.terminal).toEqual(pairs.terminal);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops inside the running plug-in when Stop is pressed in the middle, alike', async () => {
    const [whole, pairs] = await bothWays(
      async (gui) => {
        await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'sh030').id, value: false });
        await command(gui, { type: 'publish' });
        await waitingOnSh020(gui);
        await command(gui, { type: 'stop' });
        await gui.controller.idle();
        const s = gui.snapshot();
        expect(s.message).toBe('Stopped');
        expect(pluginByName(s, 'ExtractShots').hasError).toBe(true);
        expect(pluginByName(s, 'IntegrateAll').processed).toBe(false);
      },
      { PYBLISH_COMPARE_WAIT: '1' },
    );
    expect(whole.state).toEqual(pairs.state);
    expect(whole.report).toEqual(pairs.report);
    expect(whole.terminal).toEqual(pairs.terminal);
  });

  it('ends with the host lost, and the pairs it finished kept, when the host is killed in the middle, alike', async () => {
    const [whole, pairs] = await bothWays(
      async (gui, host) => {
        await command(gui, { type: 'toggle', id: instanceByName(gui.snapshot(), 'sh030').id, value: false });
        await command(gui, { type: 'publish' });
        await waitingOnSh020(gui);
        await host.kill('SIGKILL');
        await gui.controller.idle();
        const s = gui.snapshot();
        expect(s.fault?.code).toBe('HOST_LOST');
        expect(pluginByName(s, 'ExtractShots').passed).toBe(1);
        expect(s.plugins.some((p) => p.status === 'processing')).toBe(false);
      },
      { PYBLISH_COMPARE_WAIT: '1' },
    );
    expect(whole.state).toEqual(pairs.state);
    expect(whole.report).toEqual(pairs.report);
    expect(whole.terminal).toEqual(pairs.terminal);
  });
});
