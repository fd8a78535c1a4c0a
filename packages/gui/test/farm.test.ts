// "Publish on farm": the GUI validates on the host, the host builds the farm jobs, and the GUI
// submits them to a real redis-server, where real `pyblish worker` processes run them; the GUI
// shows the jobs as they run (rows, Terminal, Report) and keeps them in its report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GuiOptions } from '../src/index.js';
import { reportView } from '../src/saved-report-view.js';
import { readReportFile } from '../src/session-report-reader.js';
import type { Report, TerminalEntry } from '../src/view-model.js';
import {
  type FarmHost,
  farmHost,
  freePort,
  integrated,
  outDir,
  patientLiveness,
  redisForTests,
  type Scene,
  startWorker,
  stopWorkers,
} from './farm-host.js';
import {
  cleanup,
  command,
  instanceByName,
  pluginByName,
  pythonHost,
  type TestGui,
  testGui,
} from './helpers.js';

const redis = redisForTests();
let url = '';
const workers: Awaited<ReturnType<typeof startWorker>>[] = [];
const hosts: FarmHost[] = [];

beforeEach(() => {
  url = redis.database().url;
});
afterEach(async () => {
  await cleanup();
  await Promise.all(hosts.splice(0).map((h) => h.kill()));
  await stopWorkers(workers.splice(0));
});

/** A GUI whose farm is this test's Redis database, retrying quickly. */
async function gui(options: GuiOptions = {}): Promise<TestGui> {
  return testGui({
    liveness: patientLiveness,
    farm: { farm: url, open: { attempts: 2, backoffMs: 50 } },
    ...options,
  });
}

async function host(g: TestGui, scene: Scene, farm?: string): Promise<FarmHost> {
  const h = await farmHost(g, g.env, scene, farm);
  hosts.push(h);
  return h;
}

async function worker(): Promise<void> {
  workers.push(await startWorker(url));
}

const terminal = (g: TestGui): TerminalEntry[] => g.store.terminalAfter(0);
const said = (g: TestGui): string[] => terminal(g).flatMap((e) => (e.type === 'message' ? [e.text] : []));

/**
 * A GUI on this test's farm writing its report into a fresh folder, our host on `scene` (its
 * output in that folder too), and `workers` pyblish worker processes.
 */
async function setUp(scene: Scene, workers = 1) {
  const out = outDir();
  const reportFile = join(out, 'report.json');
  const g = await gui({ reportFile });
  const h = await host(g, { out, ...scene });
  for (let i = 0; i < workers; i++) await worker();
  return { g, h, out, reportFile };
}

/** Publish on farm, and wait until the farm has the jobs. */
async function sent(g: TestGui): Promise<void> {
  await command(g, { type: 'publishOnFarm' });
  await g.waitFor((s) => s.message.startsWith('On the farm'), 30_000);
}
const finished = (g: TestGui) => g.waitFor((s) => s.phase === 'finished', 60_000);

describe('Publish on farm', () => {
  it('validates here, then the farm extracts and integrates; the GUI shows the jobs and keeps them in its report', async () => {
    const out = outDir();
    const reportFile = join(out, 'report.json');
    // The GUI has no farm of its own: the host's Farm setting offers one.
    const g = await gui({ reportFile, farm: {} });
    expect(g.snapshot().farm ?? null).toBeNull();
    await host(g, { assets: 2, out }, url);
    expect(g.snapshot().farm).toBe(url);
    await worker();
    await command(g, { type: 'publishOnFarm' });
    const s = await finished(g);
    expect(s.message).toBe('Published on the farm');
    expect(s.fault).toBeNull();
    expect(s.progress).toMatchObject({ done: 3, planned: 3 });

    // Validated here, extracted and integrated there: every row says so.
    expect(pluginByName(s, 'ValidateNaming').passed).toBeGreaterThanOrEqual(2);
    expect(pluginByName(s, 'ExtractModel')).toMatchObject({ status: 'succeeded', passed: 2 });
    expect(pluginByName(s, 'IntegratePublish')).toMatchObject({ status: 'succeeded', passed: 1 });
    for (const name of ['asset_0000', 'asset_0001'])
      expect(instanceByName(s, name)).toMatchObject({ status: 'succeeded', hasError: false });

    // Log records came live, under their plug-in and instance, with the farm machine.
    const lines = terminal(g);
    const extracted = lines.find(
      (e) => e.type === 'record' && e.record.message.startsWith('extracted asset_0001 on '),
    );
    expect(extracted).toMatchObject({ pluginId: 'ExtractModel', farm: { attempt: 1 } });
    const machine = (extracted as { farm: { machine: string } }).farm.machine;
    expect(machine).toMatch(/:\d+$/);
    expect(
      lines.some((e) => e.type === 'instance' && e.label === 'asset_0001' && e.farm?.machine === machine),
    ).toBe(true);
    expect(
      lines.some((e) => e.type === 'message' && /^Submitted publish \S+ to the farm /.test(e.text)),
    ).toBe(true);

    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.kind).toBe('farm');
    expect(report.success).toBe(true);
    const [publish] = report.farm ?? [];
    expect(publish).toMatchObject({ farm: url, builtBy: 'host', done: true, cancelled: null });
    expect(publish?.jobs.map((j) => j.state)).toEqual(['finished', 'finished', 'finished']);
    const farmPairs = report.results.filter((r) => r.farm);
    expect(farmPairs.find((r) => r.pluginId === 'ExtractModel')?.farm?.machine).toBe(machine);
    expect(integrated(out, publish?.publishId ?? '')).toEqual(['asset_0000', 'asset_0001']);
  }, 120_000);

  it('shows a failing instance: its error and farm machine in the Report, each retry, and the jobs that could not run', async () => {
    const { g, out, reportFile } = await setUp({ assets: 2, failing: 'asset_0001' });
    expect(g.snapshot().farm).toBe(url);
    await command(g, { type: 'publishOnFarm' });
    const s = await finished(g);
    expect(s.message).toBe('Published on the farm, with errors.. (1 retry)');
    expect(instanceByName(s, 'asset_0000')).toMatchObject({ status: 'succeeded', hasError: false });
    // Failed on both runs; the row shows the last one only.
    expect(instanceByName(s, 'asset_0001')).toMatchObject({ status: 'failed', failed: 1 });
    expect(pluginByName(s, 'ExtractModel')).toMatchObject({ status: 'failed', passed: 1, failed: 1 });
    expect(pluginByName(s, 'IntegratePublish').processed).toBe(false);

    const lines = terminal(g);
    const id = instanceByName(s, 'asset_0001').id;
    const errors = lines.filter((e) => e.type === 'error' && e.instanceId === id);
    expect(errors.map((e) => e.type === 'error' && [e.pluginId, e.farm?.attempt])).toEqual([
      ['ExtractModel', 1],
      ['ExtractModel', 2],
    ]);
    const error = errors[1] as Extract<TerminalEntry, { type: 'error' }>;
    expect(error.error).toMatchObject({
      message: 'Cannot extract asset_0001: its geometry has no faces.',
      fname: expect.stringContaining('extract_model.ts'),
      lineNumber: expect.any(Number),
    });
    expect(error.farm?.machine).toBe(workers[0] && `${error.farm?.machine.split(':')[0]}:${workers[0].pid}`);
    const messages = said(g);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^Job asset_0001 runs again on \S+ \(attempt 2\): the previous attempt failed: Extract model/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^Job asset_0001 failed on \S+ \(attempt 2\): Extract model › asset_0001: Cannot extract/,
      ),
    );

    // The report keeps both runs' pairs; the saved report shows what the window showed.
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.success).toBe(false);
    const jobs = report.farm?.[0]?.jobs ?? [];
    expect(jobs.map((j) => j.state).sort()).toEqual(['failed', 'finished', 'skipped']);
    expect(jobs.find((j) => j.state === 'failed')?.retries).toHaveLength(1);
    expect(integrated(out, report.farm?.[0]?.publishId ?? '')).toEqual(['asset_0000']);
    const view = reportView(readReportFile(reportFile), reportFile);
    const saved = (name: string) => view.instances.find((i) => i.name === name);
    expect(saved('asset_0001')).toMatchObject({ status: 'failed', failed: 1 });
    expect(saved('asset_0000')).toMatchObject({ status: 'succeeded' });
    expect(view.plugins.find((p) => p.id === 'ExtractModel')).toMatchObject({ passed: 1, failed: 1 });
    const savedErrors = view.terminal.filter((e) => e.type === 'error' && e.instanceId === id);
    expect(savedErrors.map((e) => e.type === 'error' && e.farm?.machine)).toEqual([
      error.farm?.machine,
      error.farm?.machine,
    ]);
    expect(view.terminal).toContainEqual(
      expect.objectContaining({
        type: 'message',
        text: expect.stringMatching(/^Publish \S+ on the farm \S+: 1 finished, 1 failed, 1 skipped$/),
      }),
    );
  }, 120_000);

  it('shows a job whose worker was lost run again on another, and ends as if nothing happened', async () => {
    const { g, out } = await setUp({ assets: 2, waitMs: 2000 }, 2);
    await sent(g);
    // The first job to start: its worker is killed in the middle of its extraction.
    const started = await vi.waitFor(
      () => {
        const line = terminal(g).find((e) => e.type === 'message' && / started on \S+:\d+$/.test(e.text));
        if (line?.type !== 'message') throw new Error('no job started yet');
        return line.text;
      },
      { timeout: 30_000 },
    );
    const pid = Number(started.split(':').at(-1));
    workers.find((w) => w.pid === pid)?.child.kill('SIGKILL');
    const s = await finished(g);
    expect(s.message).toMatch(/^Published on the farm \(\d+ retr(y|ies)\)$/);
    expect(said(g)).toContainEqual(
      expect.stringMatching(/ runs again on \S+ \(attempt 2\): the previous worker was lost/),
    );
    expect(pluginByName(s, 'ExtractModel')).toMatchObject({ status: 'succeeded', passed: 2, failed: 0 });
    for (const name of ['asset_0000', 'asset_0001']) expect(instanceByName(s, name).status).toBe('succeeded');
    const publish = g.report().farm?.[0];
    expect(publish?.jobs.flatMap((j) => j.retries.map((r) => r.reason))).toContainEqual(
      expect.stringContaining('the previous worker was lost'),
    );
    expect(integrated(out, publish?.publishId ?? '')).toEqual(['asset_0000', 'asset_0001']);
  }, 120_000);

  it('sends nothing when validation fails here', async () => {
    const g = await gui();
    await host(g, { assets: 1, out: outDir(), instance: { name: 'Bad Name' } });
    await command(g, { type: 'publishOnFarm' });
    const s = await finished(g);
    expect(s.message).toBe('Not sent to the farm: validation failed');
    expect(instanceByName(s, 'Bad Name').status).toBe('failed');
    const keys = new Redis(url);
    try {
      expect(await keys.keys('*')).toEqual([]);
    } finally {
      keys.disconnect();
    }
  }, 120_000);

  it('Stop cancels the jobs that have not finished', async () => {
    const { g, out } = await setUp({ assets: 4, waitMs: 1500 });
    await command(g, { type: 'publishOnFarm' });
    // A job runs on the farm, the others wait.
    await g.waitFor(
      (s) => s.message.startsWith('On the farm') && s.instances.some((i) => i.status === 'processing'),
      30_000,
    );
    await command(g, { type: 'stop' });
    const s = await finished(g);
    expect(s.message).toMatch(/^Cancelled on the farm by \S+ \(Stop in the GUI\)$/);
    const report = g.report();
    const jobs = report.farm?.[0]?.jobs ?? [];
    expect(jobs.filter((j) => j.state === 'cancelled').length).toBeGreaterThanOrEqual(3);
    // Nothing runs on after the cancel: the running job stopped, the others never start.
    await new Promise((r) => setTimeout(r, 2500));
    expect(integrated(out, report.farm?.[0]?.publishId ?? '')).toEqual([]);
    expect(s.instances.filter((i) => i.status === 'processing')).toEqual([]);
  }, 120_000);

  it('says plainly when the jobs cannot be made or the farm cannot be reached, and sends nothing', async () => {
    const g = await gui();
    // The host refuses to plan a farmGroup that is not a group name.
    await host(g, {
      assets: 1,
      out: outDir(),
      instance: { name: 'odd_one', data: { farmGroup: 'no spaces' } },
    });
    await command(g, { type: 'publishOnFarm' });
    let s = await finished(g);
    expect(s.message).toBe('Not sent to the farm');
    expect(s.fault).toMatchObject({
      code: 'HOST_FAULT',
      message: expect.stringContaining('farmGroup "no spaces" is not a group name'),
    });
    const away = await gui({ farm: { farm: `redis://127.0.0.1:${await freePort()}` } });
    await host(away, { assets: 1, out: outDir() });
    await command(away, { type: 'publishOnFarm' });
    s = await finished(away);
    expect(s.fault).toMatchObject({
      code: 'FARM_UNREACHABLE',
      message: expect.stringMatching(
        /^Nothing was sent to the farm: The farm's Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached/,
      ),
    });
  }, 120_000);

  it('follows the farm to the end when the host goes away, and keeps what it saw when the GUI closes', async () => {
    const { g, h, out, reportFile } = await setUp({ assets: 2, waitMs: 800 });
    await sent(g);
    await h.kill();
    const s = await finished(g);
    expect(s.message).toBe('Published on the farm');
    expect(integrated(out, g.report().farm?.[0]?.publishId ?? '')).toEqual(['asset_0000', 'asset_0001']);

    // The GUI closes while the farm works: the report says so, and the farm goes on without it.
    const again = await gui({ reportFile });
    await host(again, { assets: 2, out, waitMs: 800 });
    await sent(again);
    const publishId = /Submitted publish (\S+)/.exec(said(again).join('\n'))?.[1] as string;
    await again.close();
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    expect(report.fault?.code).toBe('GUI_CLOSED');
    expect(report.farm?.[0]).toMatchObject({ publishId, done: false });
    await vi.waitFor(() => expect(integrated(out, publishId)).toEqual(['asset_0000', 'asset_0001']), {
      timeout: 30_000,
    });
  }, 120_000);

  it('refuses Publish on farm when no farm is set up', async () => {
    const g = await gui({ farm: {} });
    await host(g, { assets: 1, out: outDir() });
    expect(g.snapshot().farm ?? null).toBeNull();
    const reply = await g.controller.command({ type: 'publishOnFarm' });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'NO_FARM', message: expect.stringContaining('--farm') },
    });
    expect(g.snapshot().phase).toBe('ready');
  }, 120_000);

  it("publishes on a local farm: worker processes of the GUI run the host's plug-ins; after a passed Validate, without validating again", async () => {
    const out = outDir();
    const g = await gui({ farm: { farm: 'local', open: { workers: 1 } } });
    await host(g, { assets: 2, out });
    expect(g.snapshot().farm).toBe('local');
    await command(g, { type: 'validate' });
    expect((await finished(g)).message).toBe('Validated');
    await command(g, { type: 'publishOnFarm' });
    // The Validate's end is 'finished' too: wait for the farm's.
    const s = await g.waitFor((v) => v.phase === 'finished' && v.message.includes('farm'), 60_000);
    expect(s.message).toBe('Published on the farm');
    // Validated here once (by Validate); the farm validated its side too.
    const validated = g.report().results.filter((r) => r.pluginId === 'ValidateNaming');
    expect(validated.filter((r) => !r.farm)).toHaveLength(2);
    expect(validated.filter((r) => r.farm)).toHaveLength(2);
    expect(integrated(out, g.report().farm?.[0]?.publishId ?? '')).toEqual(['asset_0000', 'asset_0001']);
  }, 120_000);

  it("builds a Python host's jobs from the data it shares, and says so", async () => {
    const g = await gui();
    await pythonHost(g);
    await g.waitFor((s) => s.phase === 'ready', 30_000);
    // Its "Failure 1" fails validation until repaired: leave it out.
    await command(g, { type: 'toggle', id: instanceByName(g.snapshot(), 'Failure 1').id, value: false });
    await sent(g);
    expect(said(g)).toContainEqual(expect.stringContaining('the GUI built them from what the host shares'));
    // No worker: the jobs wait in the queue, as the GUI built them.
    const publish = g.snapshot();
    const instance = publish.instances.find((i) => !i.isContext && i.toggled);
    const queue = new Queue('publish', { connection: { url }, prefix: 'pyblish' });
    try {
      const jobs = await queue.getJobs(['waiting', 'waiting-children']);
      const job = jobs.find((j) => j.data.jobId === `instance-${instance?.id}`);
      expect(job?.data.instances[0]).toEqual({
        id: instance?.id,
        name: instance?.name,
        data: { ...instance?.data, publish: true },
      });
    } finally {
      await queue.close();
    }
    await command(g, { type: 'stop' });
    expect((await finished(g)).message).toMatch(/^Cancelled on the farm/);
    // A local farm would run the host's plug-ins, which a Python host's are not.
    const local = await gui({ farm: { farm: 'local' } });
    await pythonHost(local);
    await local.waitFor((s) => s.phase === 'ready', 30_000);
    const reply = await local.controller.command({ type: 'publishOnFarm' });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'NO_FARM', message: expect.stringContaining('Python host') },
    });
  }, 120_000);
});
