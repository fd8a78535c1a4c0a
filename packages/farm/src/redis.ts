// The BullMQ farm: jobs in a BullMQ flow (the context job is the parent of the instances jobs, so
// it runs once they all finished), events in one Redis stream per publish, cancellation as a key.
import { DelayedError, FlowProducer, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type {
  Claim,
  EventsOptions,
  FarmBackend,
  JobHandler,
  Logged,
  RetryOptions,
  WorkSource,
} from './backend.js';
import { FarmError, HandBack, JobFailure } from './errors.js';
import type { FarmEvent } from './events.js';
import { type PublishPlan, submittedEvent } from './job.js';
import { redisOptions } from './redis-url.js';

export interface RedisFarmOptions extends RetryOptions {
  /** How long the events and cancellation of a publish are kept, in seconds. Default 7 days. */
  keepSeconds?: number;
  /** BullMQ's key prefix (one farm per prefix). Default 'pyblish'. */
  prefix?: string;
  /** How long to wait for the server's first answer before saying it is unreachable. Default 10,000 ms. */
  connectTimeoutMs?: number;
}

export interface RedisWorkerOptions {
  /** A job whose worker stops renewing its lock for this long is given to another worker. Default 30,000 ms. */
  lockDurationMs?: number;
  /** How often workers look for such jobs. Default 15,000 ms. */
  stalledIntervalMs?: number;
  /** Lost workers a job survives before it fails for good. Default 3. */
  maxStalledCount?: number;
  /** How often a running job checks whether its publish was cancelled. Default 500 ms. */
  cancelPollMs?: number;
}

const QUEUE = 'publish';

function connect(url: string): Redis {
  const { options } = redisOptions(url);
  const redis = new Redis(url, options);
  // While the server is away, ioredis reconnects and commands wait; the errors say nothing new.
  redis.on('error', () => {});
  return redis;
}

/**
 * Waits for the server to answer (up to `timeoutMs`), so a wrong URL, a server that is down or
 * credentials it refuses are said at once and plainly, instead of waiting for ever.
 */
async function reach(redis: Redis, name: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new FarmError(
            'FARM_UNREACHABLE',
            `The farm's Redis at ${name} did not answer within ${timeoutMs / 1000} s: is it running, and may this machine reach it (bind, firewall, TLS)?`,
          ),
        ),
      timeoutMs,
    );
  });
  // A refused connection or an unknown host is known at once: no need to wait for the timeout.
  let onError: ((error: NodeJS.ErrnoException) => void) | undefined;
  const unreachable = new Promise<never>((_, reject) => {
    onError = (error) => {
      if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(error.code ?? ''))
        reject(
          new FarmError(
            'FARM_REFUSED',
            `The farm's Redis at ${name} has a certificate this machine does not trust (${error.code}: ${error.message}): give the studio CA in NODE_EXTRA_CA_CERTS.`,
          ),
        );
      if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH'].includes(error.code ?? ''))
        reject(
          new FarmError(
            'FARM_UNREACHABLE',
            `The farm's Redis at ${name} cannot be reached (${error.code}): is it running, and may this machine reach it?`,
          ),
        );
    };
    redis.on('error', onError);
  });
  try {
    await Promise.race([redis.ping(), timeout, unreachable]);
  } catch (error) {
    if (error instanceof FarmError) throw error;
    const message = (error as Error).message;
    if (/NOAUTH|WRONGPASS|NOPERM|invalid username-password/i.test(message))
      throw new FarmError(
        'FARM_REFUSED',
        `The farm's Redis at ${name} refused us (${message.split('\n')[0]}): give its user and password in the URL, redis://USER:PASSWORD@HOST:PORT.`,
      );
    throw error;
  } finally {
    clearTimeout(timer);
    if (onError) redis.off('error', onError);
  }
}

function keys(prefix: string, publishId: string) {
  return { events: `${prefix}:farm:${publishId}:events`, cancelled: `${prefix}:farm:${publishId}:cancelled` };
}

function parseEntries(entries: [string, string[]][]): Logged[] {
  const out: Logged[] = [];
  for (const [seq, fields] of entries) {
    const json = fields[fields.indexOf('e') + 1];
    if (json === undefined) continue;
    try {
      out.push({ ...(JSON.parse(json) as FarmEvent), seq });
    } catch {
      // A foreign entry in our stream; it carries no event.
    }
  }
  return out;
}

/** Appends to the publish's stream; the first events of a publish or a run (re)start its expiry. */
async function append(redis: Redis, prefix: string, event: FarmEvent, keepSeconds: number): Promise<void> {
  const key = keys(prefix, event.publishId).events;
  const json = JSON.stringify(event);
  if (event.type === 'submitted' || event.type === 'started' || event.type === 'cancelled')
    await redis.multi().xadd(key, '*', 'e', json).expire(key, keepSeconds).exec();
  else await redis.xadd(key, '*', 'e', json);
}

export class RedisFarm implements FarmBackend {
  readonly name: string;
  private readonly redis: Redis;
  private readonly flows: FlowProducer;
  private readonly queue: Queue;
  private readonly prefix: string;
  private readonly keep: number;
  private readonly readers = new Set<Redis>();
  private reached: Promise<void> | null = null;

  /** The server answered (asked once per farm object). */
  reach(): Promise<void> {
    this.reached ??= reach(this.redis, this.name, this.options.connectTimeoutMs ?? 10_000);
    return this.reached;
  }

  constructor(
    url: string,
    private readonly options: RedisFarmOptions = {},
  ) {
    this.name = redisOptions(url).name;
    this.prefix = options.prefix ?? 'pyblish';
    this.keep = options.keepSeconds ?? 7 * 24 * 3600;
    this.redis = connect(url);
    this.flows = new FlowProducer({ connection: this.redis, prefix: this.prefix });
    this.queue = new Queue(QUEUE, { connection: this.redis, prefix: this.prefix });
    // BullMQ repeats the connection's errors; ioredis reconnects on its own.
    this.flows.on('error', () => {});
    this.queue.on('error', () => {});
  }

  async submit(plan: PublishPlan): Promise<void> {
    await this.reach();
    const attempts = this.options.attempts ?? 3;
    const opts = (jobId: string) => ({
      jobId: `${plan.publishId}.${jobId}`,
      attempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs ?? 5000 },
      removeOnComplete: { age: this.keep },
      removeOnFail: { age: this.keep },
    });
    const context = plan.jobs.find((j) => j.kind === 'context');
    if (!context) throw new FarmError('JOB_INVALID', 'A publish plan needs its context job.');
    await append(this.redis, this.prefix, submittedEvent(plan), this.keep);
    await this.flows.add({
      name: 'context',
      queueName: QUEUE,
      data: context,
      opts: opts(context.jobId),
      children: plan.jobs
        .filter((j) => j !== context)
        .map((j) => ({
          name: 'instances',
          queueName: QUEUE,
          data: j,
          opts: { ...opts(j.jobId), failParentOnFailure: true },
        })),
    });
  }

  async *events(publishId: string, options: EventsOptions = {}): AsyncGenerator<Logged> {
    await this.reach();
    const key = keys(this.prefix, publishId).events;
    let after = options.after ?? '-';
    const first = after === '-';
    for (;;) {
      const page = (await this.redis.xrange(
        key,
        first && after === '-' ? '-' : `(${after}`,
        '+',
        'COUNT',
        1000,
      )) as [string, string[]][];
      if (page.length === 0) break;
      for (const event of parseEntries(page)) yield event;
      after = page[page.length - 1]![0];
    }
    if (after === '-' && (await this.redis.exists(key)) === 0)
      throw new FarmError(
        'UNKNOWN_PUBLISH',
        `No publish ${publishId} on ${this.name} (never submitted, or expired).`,
      );
    if (!options.follow) return;
    // A blocking read needs a connection of its own.
    const reader = this.redis.duplicate();
    reader.on('error', () => {});
    this.readers.add(reader);
    const stop = () => reader.disconnect();
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      while (!options.signal?.aborted) {
        let reply: [string, [string, string[]][]][] | null;
        try {
          reply = (await reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', key, after)) as typeof reply;
        } catch (error) {
          if (options.signal?.aborted) return;
          throw error;
        }
        const entries = reply?.[0]?.[1] ?? [];
        for (const event of parseEntries(entries)) yield event;
        if (entries.length > 0) after = entries[entries.length - 1]![0];
      }
    } finally {
      options.signal?.removeEventListener('abort', stop);
      this.readers.delete(reader);
      reader.disconnect();
    }
  }

  async cancel(publishId: string, by: string): Promise<void> {
    await this.reach();
    const k = keys(this.prefix, publishId);
    const [submitted] = parseEntries(
      (await this.redis.xrange(k.events, '-', '+', 'COUNT', 1)) as [string, string[]][],
    );
    if (submitted?.type !== 'submitted')
      throw new FarmError(
        'UNKNOWN_PUBLISH',
        `No publish ${publishId} on ${this.name} (never submitted, or expired).`,
      );
    await this.redis.set(k.cancelled, by, 'EX', this.keep);
    await append(this.redis, this.prefix, { type: 'cancelled', publishId, at: Date.now(), by }, this.keep);
    // Children first: a parent with a child still queued cannot be removed alone.
    for (const planned of [...submitted.jobs].reverse()) {
      const job = await this.queue.getJob(`${publishId}.${planned.jobId}`);
      if (!job) continue;
      const state = await job.getState();
      if (['waiting', 'delayed', 'prioritized', 'waiting-children'].includes(state))
        await job.remove({ removeChildren: false }).catch(() => {
          // Taken by a worker meanwhile: it sees the cancellation and stops.
        });
    }
  }

  async close(): Promise<void> {
    for (const reader of this.readers) reader.disconnect();
    await this.flows.close();
    await this.queue.close();
    this.redis.disconnect();
  }
}

/** Why a BullMQ job runs again, from what BullMQ kept of its earlier runs. */
function previousRun(job: Job): string | null {
  if (job.attemptsStarted <= 1) return null;
  if (job.failedReason && job.attemptsMade > 0) return `the previous attempt failed: ${job.failedReason}`;
  if (job.stalledCounter > 0) return 'the previous worker was lost (it stopped renewing its lock)';
  return 'the previous worker handed it back (it was shutting down)';
}

export class RedisWorkSource implements WorkSource {
  private worker: Worker | null = null;
  private queue: Queue | null = null;
  private readonly redis: Redis;
  private readonly running = new Map<string, AbortController>();
  private readonly prefix: string;

  private readonly name: string;

  constructor(
    url: string,
    private readonly options: RedisWorkerOptions &
      Pick<RedisFarmOptions, 'prefix' | 'keepSeconds' | 'connectTimeoutMs'> = {},
  ) {
    this.prefix = options.prefix ?? 'pyblish';
    this.name = redisOptions(url).name;
    this.redis = connect(url);
  }

  async serve(handler: JobHandler, concurrency: number): Promise<void> {
    try {
      await reach(this.redis, this.name, this.options.connectTimeoutMs ?? 10_000);
    } catch (error) {
      this.redis.disconnect();
      throw error;
    }
    const keep = this.options.keepSeconds ?? 7 * 24 * 3600;
    this.queue = new Queue(QUEUE, { connection: this.redis, prefix: this.prefix });
    this.queue.on('error', () => {});
    this.worker = new Worker(
      QUEUE,
      async (job: Job, token?: string) => {
        const id = job.id ?? '';
        const publishId = /^[A-Za-z0-9_-]{8,64}(?=\.)/.exec(id)?.[0] ?? null;
        const controller = new AbortController();
        this.running.set(id, controller);
        const cancelKey = publishId ? keys(this.prefix, publishId).cancelled : null;
        const checkCancel = async () => {
          const by = cancelKey ? await this.redis.get(cancelKey) : null;
          if (by !== null && !controller.signal.aborted) controller.abort(new Error(`Cancelled by ${by}`));
        };
        await checkCancel();
        const poll = setInterval(() => void checkCancel().catch(() => {}), this.options.cancelPollMs ?? 500);
        let pending: Promise<void> = Promise.resolve();
        const claim: Claim = {
          document: job.data,
          jobId: id,
          publishId,
          attempt: job.attemptsStarted,
          lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
          previous: previousRun(job),
          signal: controller.signal,
          // Sent at once: one connection keeps them in order, and auto-pipelining batches them.
          emit: (event) => {
            pending = Promise.all([pending, append(this.redis, this.prefix, event, keep)]).then(() => {});
          },
          flush: () => pending,
        };
        try {
          await handler(claim);
        } catch (error) {
          if (error instanceof HandBack) {
            await job.moveToDelayed(Date.now(), token);
            throw new DelayedError();
          }
          if (error instanceof JobFailure && !error.retry) throw new UnrecoverableError(error.message);
          throw error;
        } finally {
          clearInterval(poll);
          this.running.delete(id);
        }
      },
      {
        connection: this.redis,
        prefix: this.prefix,
        concurrency,
        lockDuration: this.options.lockDurationMs ?? 30_000,
        stalledInterval: this.options.stalledIntervalMs ?? 15_000,
        maxStalledCount: this.options.maxStalledCount ?? 3,
      },
    );
    // A job that lost its worker too often fails without any worker running it: say so in its log.
    this.worker.on('stalled', (jobId: string) => {
      void this.reportStallLimit(jobId, keep).catch(() => {});
    });
    this.worker.on('error', () => {
      // Connection errors: ioredis reconnects and BullMQ resumes; nothing is lost meanwhile.
    });
    await this.worker.waitUntilReady();
  }

  private async reportStallLimit(jobId: string, keep: number): Promise<void> {
    const job = this.queue && (await Job.fromId(this.queue, jobId));
    if (!job || (await job.getState()) !== 'failed') return;
    const doc = job.data as { publishId?: string; jobId?: string; kind?: 'instances' | 'context' };
    if (typeof doc.publishId !== 'string' || typeof doc.jobId !== 'string') return;
    await append(
      this.redis,
      this.prefix,
      {
        type: 'failed',
        publishId: doc.publishId,
        jobId: doc.jobId,
        kind: doc.kind ?? 'instances',
        attempt: job.attemptsStarted,
        machine: 'lost',
        at: Date.now(),
        error: `Its worker was lost ${job.stalledCounter} times (killed or hung); it was not run again.`,
        final: true,
      },
      keep,
    );
  }

  private stopping: Promise<void> | null = null;

  async stop(graceMs: number): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const timer = setTimeout(() => {
      for (const controller of this.running.values()) controller.abort(new HandBack());
    }, graceMs);
    this.stopping ??= (async () => {
      await worker.close();
      await this.queue?.close();
      this.redis.disconnect();
    })();
    await this.stopping;
    clearTimeout(timer);
  }
}
