// The BullMQ farm against a real redis-server and real `pyblish worker` processes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FarmReport, type Logged, planPublish, readPublish } from '../src/index.js';
import { RedisFarm } from '../src/redis.js';
import {
  examplePlugins,
  integrated,
  outDir,
  output,
  pyblish,
  root,
  startPyblish,
  startWorker,
  stopWorkers,
  type WorkerProcess,
} from './support/farm.js';
import { freePort, RedisServer, redisForTests } from './support/redis-server.js';

const servers = redisForTests();
let redis: RedisServer;
let db = 0;
let url = '';
const workers: WorkerProcess[] = [];
const farms: RedisFarm[] = [];

// Each test on a database of its own: nothing left queued by one is taken by the next.
beforeEach(() => {
  redis = servers.server;
  ({ url, db } = servers.database());
});
afterEach(async () => {
  await stopWorkers(workers.splice(0));
  await Promise.all(farms.splice(0).map((f) => f.close()));
});

async function worker(extra: string[] = []): Promise<WorkerProcess> {
  const w = await startWorker(url, extra);
  workers.push(w);
  return w;
}

function farm(): RedisFarm {
  const f = new RedisFarm(url);
  farms.push(f);
  return f;
}

/** Polls the publish's events until one matches. */
async function until(publishId: string, match: (e: Logged) => boolean): Promise<Logged> {
  const f = farm();
  for (;;) {
    try {
      const found = (await readPublish(f, publishId)).events.find(match);
      if (found) return found;
    } catch {
      // Not submitted yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function publish(out: string, args: string[]) {
  return [
    'publish',
    '-p',
    examplePlugins,
    '--farm',
    url,
    '--retry-delay',
    '50',
    '-d',
    `out=${out}`,
    '--json',
    join(out, 'report.json'),
    ...args,
  ];
}

function report(out: string): FarmReport {
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
}

/** The id a following `pyblish publish` prints once it submitted. */
async function submitted(run: ReturnType<typeof output>): Promise<string> {
  for (;;) {
    const match = /Submitted publish ([\w-]+)/.exec(run.text().stdout);
    if (match) return match[1]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function detach(out: string, args: string[]): Promise<string> {
  const run = await pyblish(publish(out, ['--detach', ...args]));
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.trim().split('\n').at(-1)!;
}

describe('a farm on redis', () => {
  it('publishes on the workers, follows them live and exits with the outcome', async () => {
    await Promise.all([worker(), worker()]);
    const out = outDir();
    const run = await pyblish(publish(out, ['-d', 'assets=4']));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Submitted publish [\w-]+ to redis:\/\/127\.0\.0\.1:\d+\/\d+/);
    expect(run.stdout).toContain('Published: 18 pairs, 18 succeeded, 0 failed');
    const r = report(out);
    const machines = new Set(r.results.map((x) => x.machine));
    expect([...machines].every((m) => workers.some((w) => m.endsWith(`:${w.pid}`)))).toBe(true);
    expect(integrated(out, r.farm.publishId)).toEqual([
      'asset_0000',
      'asset_0001',
      'asset_0002',
      'asset_0003',
    ]);

    const status = await pyblish(['farm', 'status', r.farm.publishId, '--farm', url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Publish ${r.farm.publishId} from `);
    expect(status.stdout).toContain(': succeeded');
    expect(status.stdout).toMatch(/finished +instance-\S+ +asset_0002 +attempt 1 on /);
    const logs = await pyblish(['farm', 'logs', r.farm.publishId, '--farm', url]);
    expect(logs.stdout).toMatch(/INFO +Integrate model › asset_0001: integrated asset_0001/);
  });

  it('--detach prints the publish id at once; the jobs wait for a worker', async () => {
    const out = outDir();
    const id = await detach(out, ['-d', 'assets=3']);
    expect(id).toMatch(/^[\w-]{36}$/);
    const waiting = await pyblish(['farm', 'status', id, '--farm', url]);
    expect(waiting.stdout).toContain(': running');
    expect(waiting.stdout).toMatch(/waiting +instance-/);
    await worker();
    const logs = await pyblish(['farm', 'logs', id, '--follow', '--farm', url]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('registered 3 assets');
    expect(integrated(out, id)).toHaveLength(3);
  });

  it('runs the job of a worker killed mid-job (SIGKILL) on another, and the report says it was retried', async () => {
    const first = await worker();
    const out = outDir();
    const run = output(startPyblish(publish(out, ['-d', 'assets=1', '-d', 'waitMs=1500'])));
    const started = await until(await submitted(run), (e) => e.type === 'started');
    expect(started).toMatchObject({ machine: expect.stringMatching(new RegExp(`:${first.pid}$`)) });
    first.child.kill('SIGKILL');
    const second = await worker();
    expect(await run.code).toBe(0);
    const { stdout } = run.text();
    expect(stdout).toMatch(/retry {2}job instance-\S+ \(attempt 2 on .+\): the previous worker was lost/);
    const r = report(out);
    expect(r.summary).toMatchObject({ success: true, retried: 1 });
    expect(r.jobs[0]).toMatchObject({
      state: 'finished',
      attempt: 2,
      machine: expect.stringMatching(new RegExp(`:${second.pid}$`)),
    });
    // The integrator got the publish id and the attempt number.
    const marker = JSON.parse(readFileSync(join(out, r.farm.publishId, 'integrated', 'asset_0000'), 'utf8'));
    expect(marker).toEqual({ machine: r.jobs[0]!.machine, attempt: 2 });
  });
});

describe('faults on a redis farm', () => {
  it('loses no submitted job when Redis is killed and restarted on the same append-only file', async () => {
    const out = outDir();
    const id = await detach(out, ['-d', 'assets=6', '-d', 'waitMs=150']);
    await worker();
    await until(id, (e) => e.type === 'finished');
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.start();
    const logs = await pyblish(['farm', 'logs', id, '--follow', '--farm', url]);
    expect(logs.code).toBe(0);
    const status = await pyblish(['farm', 'status', id, '--farm', url]);
    expect(status.stdout).toContain(': succeeded');
    expect(integrated(out, id)).toHaveLength(6);
  });

  it('stops a job that keeps failing after the set attempts, with its last error', async () => {
    await worker();
    const out = outDir();
    const run = await pyblish(
      publish(out, ['-d', 'assets=2', '-d', 'failing=asset_0001', '--attempts', '2']),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /failed job instance-\S+ \(attempt 1\): Extract model › asset_0001: Cannot extract asset_0001: its geometry has no faces\. .*\(it will be retried\)/,
    );
    expect(run.stdout).toMatch(
      /FAILED job instance-\S+ \(attempt 2\): Extract model › asset_0001: Cannot extract/,
    );
    const r = report(out);
    const failed = r.jobs.find((j) => j.state === 'failed')!;
    expect(failed).toMatchObject({ attempt: 2, instances: [{ name: 'asset_0001' }] });
    expect(failed.error).toContain('Cannot extract asset_0001');
    expect(r.jobs.find((j) => j.kind === 'context')!.state).toBe('skipped');
    expect(r.summary.failures[0]).toMatchObject({
      instance: 'asset_0001',
      file: join(examplePlugins, 'extract_model.ts'),
    });
    const queue = new Queue('publish', {
      connection: { host: '127.0.0.1', port: redis.port, db },
      prefix: 'pyblish',
    });
    const job = (await queue.getJob(`${r.farm.publishId}.${failed.jobId}`))!;
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(2);
    await queue.close();
  });

  it('refuses a malformed or forged job with a clear error and keeps serving', async () => {
    const w = await worker();
    const queue = new Queue('publish', {
      connection: { host: '127.0.0.1', port: redis.port, db },
      prefix: 'pyblish',
    });
    const out = outDir();
    const { Context } = await import('@pyblish/core');
    const context = new Context({ out });
    context.createInstance('asset_0000', { family: 'model' });
    const plan = planPublish(context);
    const good = plan.jobs[0]!;
    const attempts = { attempts: 3 };
    await queue.add(
      'instances',
      { ...good, plugins: ['export class Evil {}'] },
      { jobId: `${plan.publishId}.smuggled`, ...attempts },
    );
    await queue.add('instances', good, { jobId: `${plan.publishId}.someone-else`, ...attempts });
    await queue.add('instances', 'not even an object', { jobId: `${plan.publishId}.garbage`, ...attempts });
    const failed = async (id: string) => {
      const jobId = `${plan.publishId}.${id}`;
      for (;;) {
        // The state first, then the job: a job read just before it failed lacks its failedReason.
        if ((await queue.getJobState(jobId)) === 'failed') return (await queue.getJob(jobId))!;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const smuggled = await failed('smuggled');
    expect(smuggled.failedReason).toBe('Refused a malformed job: $ has the unknown key "plugins".');
    expect(smuggled.attemptsMade).toBe(1);
    expect((await failed('someone-else')).failedReason).toContain(
      `Refused a forged job: it says it is ${plan.publishId}.${good.jobId}, but it was queued as ${plan.publishId}.someone-else.`,
    );
    expect((await failed('garbage')).failedReason).toContain('$ must be object, not string');
    expect(w.log()).toContain('refused job');
    await queue.close();
    // Still serving.
    const run = await pyblish(publish(out, ['-d', 'assets=2']));
    expect(run.code).toBe(0);
    expect(w.child.exitCode).toBe(null);
  });

  it('SIGTERM lets the running job finish, then the worker stops', async () => {
    const w = await worker();
    const out = outDir();
    const id = await detach(out, ['-d', 'assets=1', '-d', 'waitMs=1000']);
    await until(id, (e) => e.type === 'started');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    const { ledger } = await readPublish(farm(), id);
    expect(ledger.status().jobs[0]).toMatchObject({ state: 'finished', attempt: 1 });
    expect(w.log()).toContain('SIGTERM: finishing the running job(s), then stopping');
  });

  it('--exit-when-idle: a worker run as a farm manager task stops once there is no work', async () => {
    const out = outDir();
    const id = await detach(out, ['-d', 'assets=2']);
    const w = await worker(['--exit-when-idle', '1']);
    expect(await w.exited).toBe(0);
    expect(w.log()).toContain('idle for 1 s: finishing the running job(s), then stopping');
    expect(integrated(out, id)).toHaveLength(2);
  });

  it('after the grace period a stopping worker hands its job back, and another runs it', async () => {
    const w = await worker(['--grace', '0']);
    const out = outDir();
    const id = await detach(out, ['-d', 'assets=1', '-d', 'waitMs=1500']);
    await until(id, (e) => e.type === 'started');
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    const other = await worker();
    await until(id, (e) => e.type === 'finished');
    const job = (await readPublish(farm(), id)).ledger.status().jobs[0]!;
    expect(job).toMatchObject({
      state: 'finished',
      attempt: 2,
      machine: expect.stringMatching(new RegExp(`:${other.pid}$`)),
    });
    expect(job.retries[0]!.reason).toBe('the previous worker handed it back (it was shutting down)');
  });

  it('pyblish farm cancel stops a publish from another terminal', async () => {
    await worker();
    const out = outDir();
    const id = await detach(out, ['-d', 'assets=3', '-d', 'waitMs=4000']);
    await until(id, (e) => e.type === 'started');
    const cancel = await pyblish(['farm', 'cancel', id, '--farm', url]);
    expect(cancel.stdout).toContain(`Cancelled publish ${id}`);
    const status = await pyblish(['farm', 'status', id, '--farm', url]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/: cancelled by \S+@\S+/);
    await until(id, (e) => e.type === 'failed' && e.error.startsWith('Cancelled by'));
    expect(integrated(out, id)).toEqual([]);
    const again = await pyblish(['farm', 'cancel', id, '--farm', url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is already over; nothing to cancel');
  });
});

describe('a secured redis farm', () => {
  it('works with the ACL user of docs/farm.md, and says clearly when Redis refuses or is not there', async () => {
    const doc = readFileSync(join(root, 'docs/farm.md'), 'utf8');
    const acl = [...doc.matchAll(/^ {2}(user .+)$/gm)].map((m) => m[1]!.split(' '));
    expect(acl.map((u) => u[1])).toEqual(['default', 'farm-worker', 'farm-artist']);
    const secured = await RedisServer.start({ args: acl.flatMap(([, ...rules]) => ['--user', ...rules]) });
    try {
      const secret = acl[1]!.find((r) => r.startsWith('>'))!.slice(1);
      url = `redis://farm-worker:${secret}@127.0.0.1:${secured.port}`;
      await worker();
      const out = outDir();
      const ok = await pyblish(publish(out, ['-d', 'assets=2']));
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`Submitted publish`);
      expect(ok.stdout).toContain(`to redis://farm-worker:***@127.0.0.1:${secured.port}`);
      expect(ok.stdout).not.toContain(secret);

      url = `redis://127.0.0.1:${secured.port}`;
      const refused = await pyblish(publish(out, ['-d', 'assets=2']));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`The farm's Redis at ${url} refused us (NOAUTH`);
      expect(refused.stderr).toContain('give its user and password in the URL');
      expect(refused.stdout).toBe('');
      const badWorker = await pyblish([
        'worker',
        '--farm',
        `redis://farm-worker:wrong@127.0.0.1:${secured.port}`,
      ]);
      expect(badWorker.code).toBe(1);
      expect(badWorker.stderr).toContain('refused us (WRONGPASS');

      url = `redis://127.0.0.1:${await freePort()}`;
      const away = await pyblish(publish(out, ['-d', 'assets=2']));
      expect(away.code).toBe(1);
      expect(away.stderr).toContain(`The farm's Redis at ${url} cannot be reached (ECONNREFUSED)`);
    } finally {
      await stopWorkers(workers.splice(0));
      await secured.stop();
    }
  });

  it('works over TLS (rediss://) with the studio CA in NODE_EXTRA_CA_CERTS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyblish-tls-'));
    const ssl = (args: string[]) => {
      const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
    };
    ssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Studio CA',
    ]);
    ssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'redis.key',
      '-out',
      'redis.csr',
      '-subj',
      '/CN=127.0.0.1',
    ]);
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    ssl([
      'x509',
      '-req',
      '-in',
      'redis.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'redis.crt',
      '-days',
      '2',
      '-extfile',
      'san.cnf',
    ]);
    const port = await freePort();
    const tls = await RedisServer.start({
      args: [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        join(dir, 'redis.crt'),
        '--tls-key-file',
        join(dir, 'redis.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.crt'),
        '--tls-auth-clients',
        'no',
      ],
    });
    try {
      url = `rediss://127.0.0.1:${port}`;
      const env = { NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt') };
      const w = startPyblish(['worker', '--farm', url, '-p', examplePlugins], env);
      const serving = output(w);
      const out = outDir();
      const run = await pyblish(publish(out, ['-d', 'assets=2']), env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`to ${url}`);
      expect(integrated(out, report(out).farm.publishId)).toEqual(['asset_0000', 'asset_0001']);
      w.kill('SIGTERM');
      expect(await serving.code).toBe(0);
      // Without the studio CA, the certificate is not trusted: no plain-text fallback.
      const untrusted = await pyblish(publish(out, ['-d', 'assets=2']));
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toContain(
        `The farm's Redis at ${url} has a certificate this machine does not trust`,
      );
      expect(untrusted.stderr).toContain('give the studio CA in NODE_EXTRA_CA_CERTS');
      expect(untrusted.stdout).toBe('');
    } finally {
      await tls.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
