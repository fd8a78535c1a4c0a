// Benchmark: 500 instances whose extractor burns about 20 ms of CPU each (the example plug-in set
// of docs/farm.md), published in this process, then on a redis farm with 1 and 2 `pyblish worker`
// processes, and on the local farm with 2; plus the farm's overhead per job (the same publish with
// no CPU burnt, against the same in process) and the submit-to-first-result latency.
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Context, collect, discover, publishIter, Registry } from '@pyblish/core';
import { type FarmBackend, farmTest, followPublish, LocalFarm, planPublish } from '@pyblish/farm';
import { RedisFarm } from '@pyblish/farm/redis';
import { examplePlugins, outDir, startWorker, stopWorkers } from '../test/support/farm.js';
import { RedisServer } from '../test/support/redis-server.js';

const INSTANCES = 500;
const BURN_MS = 20;

const registry = new Registry();
registry.registerTest(farmTest);
const { plugins } = await discover({ paths: [examplePlugins], registry });

async function collected(out: string, burnMs: number): Promise<Context> {
  const context = new Context({ assets: INSTANCES, burnMs, out });
  return collect({ context, plugins, targets: ['default'], registry });
}

/** Everything in this process: collect, validate, extract, integrate. */
async function inProcess(burnMs: number): Promise<number> {
  const out = outDir();
  const farm = {
    publishId: 'in-process',
    jobId: 'all',
    kind: 'instances',
    attempt: 1,
    machine: 'here',
    origin: {},
  };
  const context = new Context({ assets: INSTANCES, burnMs, out, farm });
  const started = performance.now();
  for await (const result of publishIter({ context, plugins, targets: ['default', 'farm'], registry })) {
    if (!result.success) throw new Error(result.error?.message);
  }
  const ms = performance.now() - started;
  if (context.length !== INSTANCES)
    throw new Error(`${context.length} instances published, not ${INSTANCES}`);
  rmSync(out, { recursive: true, force: true });
  return ms;
}

/** Submit to the farm and follow to the end: total and submit-to-first-result milliseconds. */
async function onFarm(
  farm: FarmBackend,
  burnMs: number,
): Promise<{ total: number; first: number; jobs: number }> {
  const out = outDir();
  const plan = planPublish(await collected(out, burnMs));
  const started = performance.now();
  await farm.submit(plan);
  let first = 0;
  let ledger = null;
  for await (const step of followPublish(farm, plan.publishId)) {
    if (first === 0 && step.event.type === 'result') first = performance.now() - started;
    ledger = step.ledger;
  }
  const total = performance.now() - started;
  if (!ledger?.status().success)
    throw new Error(`the farm publish failed: ${JSON.stringify(ledger?.report().summary.failures[0])}`);
  rmSync(out, { recursive: true, force: true });
  return { total, first, jobs: plan.jobs.length };
}

async function withRedisWorkers<T>(
  redis: RedisServer,
  db: number,
  count: number,
  run: (farm: RedisFarm) => Promise<T>,
) {
  const url = `${redis.url}/${db}`;
  const workers = await Promise.all(Array.from({ length: count }, () => startWorker(url)));
  const farm = new RedisFarm(url);
  try {
    return await run(farm);
  } finally {
    await farm.close();
    await stopWorkers(workers);
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
// The machine is shared: the load average beside each figure says how busy it was.
const load = () => `load ${loadavg()[0]!.toFixed(1)}`;
// Redis's default durability (an fsync a second), as a studio would run it.
const redis = await RedisServer.start({ fsync: 'everysec' });
try {
  console.log(
    `${INSTANCES} instances, extractor burning ${BURN_MS} ms of CPU each, 4 plug-ins per instance job`,
  );
  const here = await inProcess(BURN_MS);
  console.log(`in process                 ${s(here).padStart(9)}   1.00x   (${load()})`);
  const rows: [string, { total: number; first: number; jobs: number }, string][] = [];
  rows.push(['redis, 1 worker', await withRedisWorkers(redis, 1, 1, (f) => onFarm(f, BURN_MS)), load()]);
  rows.push(['redis, 2 workers', await withRedisWorkers(redis, 2, 2, (f) => onFarm(f, BURN_MS)), load()]);
  // The local farm starts its worker processes on the first submit: their start-up is in its figures.
  const local = new LocalFarm({ pluginPaths: [examplePlugins], workers: 2, log: () => {} });
  rows.push(['local, 2 workers', await onFarm(local, BURN_MS), load()]);
  await local.close();
  for (const [name, r, l] of rows)
    console.log(
      `${name.padEnd(26)} ${s(r.total).padStart(9)}   ${(here / r.total).toFixed(2)}x   first result after ${Math.round(r.first)} ms   (${l})`,
    );

  // Overhead: the same publish with no CPU burnt, farm (1 worker) against in process, per job.
  const bare = await inProcess(0);
  const farmBare = await withRedisWorkers(redis, 3, 1, (f) => onFarm(f, 0));
  const perJob = (farmBare.total - bare) / farmBare.jobs;
  console.log(
    `overhead per job (redis, 1 worker, nothing burnt): ${perJob.toFixed(2)} ms ` +
      `(${s(farmBare.total)} for ${farmBare.jobs} jobs against ${s(bare)} in process; ${load()})`,
  );
} finally {
  await redis.stop();
}
