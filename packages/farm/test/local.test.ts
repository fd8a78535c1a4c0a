// `--farm local`: the same job documents, worker code and events, in worker processes of this
// machine fed by a dispatcher in the publishing process; no Redis.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Context } from '@pyblish/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FarmReport, followPublish, LocalFarm, submitPublish } from '../src/index.js';
import { examplePlugins, integrated, outDir, pyblish } from './support/farm.js';

let farm: LocalFarm | null = null;
afterEach(async () => {
  await farm?.close();
  farm = null;
});

function assets(out: string, count: number, data: Record<string, unknown> = {}): Context {
  const context = new Context({ out, ...data });
  for (let i = 0; i < count; i++) context.createInstance(`asset_${i}`, { family: 'model' });
  return context;
}

async function follow(
  f: LocalFarm,
  publishId: string,
  onEvent?: (e: { type: string; machine?: string }) => void,
) {
  let report: FarmReport | null = null;
  for await (const { event, ledger } of followPublish(f, publishId)) {
    onEvent?.(event as { type: string; machine?: string });
    report = ledger.report();
  }
  return report!;
}

/** `pyblish publish` of the example set on a local farm of 2 workers, with a JSON report in `out`. */
function publishLocally(out: string, args: string[]) {
  return pyblish([
    ...['publish', '-p', examplePlugins, '--farm', 'local', '--workers', '2'],
    ...['-d', `out=${out}`, '--json', join(out, 'report.json'), ...args],
  ]);
}

describe('pyblish publish --farm local', () => {
  it('validates here, extracts and integrates in worker processes, and reports like a local publish', async () => {
    const out = outDir();
    const json = join(out, 'report.json');
    const run = await publishLocally(out, ['-d', 'assets=6']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ok \[.*\] Validate naming › asset_0005/);
    expect(run.stdout).toMatch(/Submitted publish [\w-]+ to local/);
    expect(run.stdout).toMatch(/ok \[.*\] Integrate model › asset_0003 \(.* ms\) on .+:\d+/);
    expect(run.stdout).toContain('Published: 26 pairs, 26 succeeded, 0 failed');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const publishId = report.farm.publishId;
    expect(integrated(out, publishId)).toHaveLength(6);
    expect(existsSync(join(out, publishId, 'publish.json'))).toBe(true);
    expect(report.jobs.map((j: { state: string }) => j.state)).toEqual(Array(7).fill('finished'));
    expect(report.local.summary.pairs).toBe(7);
    const integrate = report.results.find(
      (r: { plugin: { label: string } }) => r.plugin.label === 'Integrate publish',
    );
    expect(integrate).toMatchObject({ success: true, attempt: 1, instance: null });
    expect(integrate.records[0].message).toMatch(/^registered 6 assets from /);
  });

  it('stops a job that keeps failing after its attempts, with its last error, file and line', async () => {
    const out = outDir();
    const json = join(out, 'report.json');
    const run = await publishLocally(out, [
      '-d',
      'assets=3',
      '--retry-delay',
      '50',
      '-d',
      'failing=asset_0001',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL .* Extract model › asset_0001/);
    expect(run.stdout).toMatch(
      /Cannot extract asset_0001: its geometry has no faces\. \(extract_model\.ts:\d+\)/,
    );
    expect(run.stdout).toMatch(
      /FAILED job instance-.* \(attempt 3\): Extract model › asset_0001: Cannot extract asset_0001: its geometry has no faces\. \(Stopped due to failed extraction\)/,
    );
    expect(run.stdout).toMatch(/^Failed: /m);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const failed = report.jobs.find((j: { state: string }) => j.state === 'failed');
    expect(failed.instances[0].name).toBe('asset_0001');
    expect(failed.attempt).toBe(3);
    expect(failed.retries.map((r: { reason: string }) => r.reason)).toEqual(
      Array(2).fill(
        'the previous attempt failed: Extract model › asset_0001: Cannot extract asset_0001: its geometry has no faces. (Stopped due to failed extraction)',
      ),
    );
    expect(report.jobs.at(-1).state).toBe('skipped');
    expect(report.summary.failures[0]).toMatchObject({
      plugin: 'Extract model',
      instance: 'asset_0001',
      file: join(examplePlugins, 'extract_model.ts'),
      line: expect.any(Number),
    });
    expect(integrated(out, report.farm.publishId)).toEqual(['asset_0000', 'asset_0002']);
    expect(existsSync(join(out, report.farm.publishId, 'publish.json'))).toBe(false);
  });

  it('refuses to detach from a local farm', async () => {
    const run = await pyblish(['publish', '-p', examplePlugins, '--farm', 'local', '--detach']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot detach');
  });
});

describe('the local farm', () => {
  it('runs the job of a worker killed mid-job on another worker, and the report says so', async () => {
    const out = outDir();
    farm = new LocalFarm({ pluginPaths: [examplePlugins], workers: 2, log: () => {} });
    const publishId = await submitPublish(farm, assets(out, 1, { waitMs: 600 }));
    let killed = '';
    const report = await follow(farm, publishId, (event) => {
      if (event.type === 'started' && !killed) {
        killed = event.machine!;
        process.kill(Number(killed.split(':').at(-1)), 'SIGKILL');
      }
    });
    expect(report.summary.success).toBe(true);
    const job = report.jobs[0]!;
    expect(job).toMatchObject({ state: 'finished', attempt: 2 });
    expect(job.machine).not.toBe(killed);
    expect(job.retries).toEqual([
      { attempt: 2, machine: job.machine, reason: expect.stringContaining('the previous worker was lost') },
    ]);
    expect(report.summary.retried).toBe(1);
    expect(integrated(out, publishId)).toEqual(['asset_0']);
  });

  it('cancels a publish: queued jobs never run, the running one stops', async () => {
    const out = outDir();
    farm = new LocalFarm({ pluginPaths: [examplePlugins], workers: 1, log: () => {} });
    const publishId = await submitPublish(farm, assets(out, 4, { waitMs: 2000 }));
    const report = await follow(farm, publishId, (event) => {
      if (event.type === 'started') void farm!.cancel(publishId, 'the test');
    });
    expect(report.farm.cancelled).toBe('the test');
    expect(report.jobs.map((j) => j.state)).toEqual(Array(5).fill('cancelled'));
    expect(report.summary.success).toBe(false);
    expect(report.summary.stopped).toBe('Cancelled by the test');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(integrated(out, publishId)).toEqual([]);
  });
});
