// Workers killed (SIGKILL) at random points of a 200-instance farm publish, 10 times: every
// instance must still be integrated exactly once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { followPublish, type PublishLedger } from '../src/index.js';
import { RedisFarm } from '../src/redis.js';
import {
  examplePlugins,
  integrated,
  outDir,
  pyblish,
  startWorker,
  stopWorkers,
  type WorkerProcess,
} from './support/farm.js';
import { redisForTests } from './support/redis-server.js';

const redis = redisForTests();

/** A small seeded generator, so a failing run can be repeated with its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it('integrates every instance exactly once while workers are killed mid-job at random, 10 times', {
  timeout: 180_000,
}, async () => {
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
  const next = random(seed);
  const url = redis.server.url;
  const live = new Set<WorkerProcess>(await Promise.all([0, 1, 2].map(() => startWorker(url))));
  const dead: WorkerProcess[] = [];
  const out = outDir();
  const farm = new RedisFarm(url);
  try {
    const submit = await pyblish([
      'publish',
      '-p',
      examplePlugins,
      '--farm',
      url,
      '--detach',
      '-d',
      'assets=200',
      '-d',
      'waitMs=150',
      '-d',
      'burnMs=5',
      '-d',
      `out=${out}`,
    ]);
    expect(submit.code).toBe(0);
    const publishId = submit.stdout.trim().split('\n').at(-1)!;

    const seen: { ledger: PublishLedger | null } = { ledger: null };
    let kills = 0;
    let killing = Promise.resolve();
    const killer = (async () => {
      while (kills < 10) {
        await new Promise((resolve) => setTimeout(resolve, 100 + next() * 300));
        // Someone must be left to work: wait for the replacements when only one is up.
        if (live.size < 2) await killing;
        // A worker in the middle of a job (as the ledger says so far).
        let victim: WorkerProcess | undefined;
        for (;;) {
          const busy = new Set(
            (seen.ledger?.status().jobs ?? []).filter((j) => j.state === 'running').map((j) => j.machine),
          );
          const victims = [...live].filter((w) => [...busy].some((m) => m?.endsWith(`:${w.pid}`)));
          victim = victims[Math.floor(next() * victims.length)];
          if (victim || seen.ledger?.done) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        if (!victim) break;
        live.delete(victim);
        dead.push(victim);
        victim.child.kill('SIGKILL');
        kills++;
        killing = killing.then(async () => {
          live.add(await startWorker(url));
        });
      }
    })();

    const integrations = new Map<string, number>();
    for await (const step of followPublish(farm, publishId)) {
      seen.ledger = step.ledger;
      const e = step.event;
      if (e.type === 'record' && e.plugin === 'Integrate model' && e.record.message.startsWith('integrated '))
        integrations.set(e.instance!, (integrations.get(e.instance!) ?? 0) + 1);
    }
    await killer;
    await killing;
    const report = seen.ledger!.report();
    const retried = report.jobs.filter((j) => j.retries.length > 0);
    console.log(
      `chaos (seed ${seed}): ${kills} workers killed, ${report.summary.retried} retries over ${retried.length} jobs, ` +
        `${report.summary.jobs} jobs, ${integrated(out, publishId).length} instances integrated`,
    );

    expect(kills).toBe(10);
    expect(report.summary.success).toBe(true);
    expect(report.jobs.every((j) => j.state === 'finished')).toBe(true);
    // Most kills land mid-job; one may land as its job was finishing.
    expect(report.summary.retried).toBeGreaterThanOrEqual(5);
    expect(retried.every((j) => j.retries.every((r) => r.reason.includes('worker was lost')))).toBe(true);
    // At least once: a marker for each of the 200. At most once: no instance integrated twice.
    const expected = Array.from({ length: 200 }, (_, i) => `asset_${String(i).padStart(4, '0')}`);
    expect(integrated(out, publishId)).toEqual(expected);
    expect([...integrations.values()].every((n) => n === 1)).toBe(true);
    for (const name of expected) {
      const marker = JSON.parse(readFileSync(join(out, publishId, 'integrated', name), 'utf8'));
      expect(marker.attempt).toBeGreaterThanOrEqual(1);
    }
  } finally {
    await farm.close();
    await stopWorkers([...live, ...dead]);
  }
});
