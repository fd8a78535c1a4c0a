// Opening a farm by its name, submitting a publish and following it: what the CLI and the GUI use.
import type { Context } from '@pyblish/core';
import type { EventsOptions, FarmBackend, Logged } from './backend.js';
import { FarmError } from './errors.js';
import { type PlanOptions, type PublishPlan, planPublish } from './job.js';
import { PublishLedger } from './ledger.js';
import { LocalFarm, type LocalFarmOptions } from './local.js';
import type { RedisFarm, RedisFarmOptions } from './redis.js';
import { redisOptions } from './redis-url.js';

export interface OpenOptions extends RedisFarmOptions, Partial<LocalFarmOptions> {}

/**
 * A Redis farm whose backend (BullMQ, ioredis: a fifth of a second to load) is loaded at its
 * first use, so a program that may publish on a farm does not pay for it at start.
 */
class LazyRedisFarm implements FarmBackend {
  readonly name: string;
  private loaded: Promise<RedisFarm> | null = null;

  constructor(
    private readonly url: string,
    private readonly options: RedisFarmOptions,
  ) {
    this.name = redisOptions(url).name;
  }

  private farm(): Promise<RedisFarm> {
    this.loaded ??= import('./redis.js').then((m) => new m.RedisFarm(this.url, this.options));
    return this.loaded;
  }

  async reach(): Promise<void> {
    return (await this.farm()).reach();
  }

  async submit(plan: PublishPlan): Promise<void> {
    return (await this.farm()).submit(plan);
  }

  async *events(publishId: string, options?: EventsOptions): AsyncIterable<Logged> {
    yield* (await this.farm()).events(publishId, options);
  }

  async cancel(publishId: string, by: string): Promise<void> {
    return (await this.farm()).cancel(publishId, by);
  }

  async close(): Promise<void> {
    if (this.loaded) await (await this.loaded).close();
  }
}

/** 'local' (worker processes of this machine), or redis://[user:password@]HOST:PORT[/DB] (rediss:// for TLS). */
export function openFarm(spec: string, options: OpenOptions = {}): FarmBackend {
  if (spec === 'local') return new LocalFarm({ pluginPaths: [], ...options });
  if (/^rediss?:\/\//.test(spec)) return new LazyRedisFarm(spec, options);
  throw new FarmError(
    'FARM_URL',
    `"${spec}" is not a farm: use "local", or redis://[user:password@]HOST:PORT.`,
  );
}

/** Plans the context's instances as farm jobs and submits them; returns the publish id. */
export async function submitPublish(
  farm: FarmBackend,
  context: Context,
  options: PlanOptions = {},
): Promise<string> {
  const plan = planPublish(context, options);
  await farm.submit(plan);
  return plan.publishId;
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Resume after this event (a `seq` seen before). */
  after?: string;
}

/**
 * The publish's events as they happen (the past ones first), each with the ledger that folds
 * them; ends when every job is over, or when the signal aborts. The ledger's `report()` is the
 * final report.
 */
export async function* followPublish(
  farm: FarmBackend,
  publishId: string,
  options: FollowOptions = {},
): AsyncGenerator<{ event: Logged; ledger: PublishLedger }> {
  const ledger = new PublishLedger(publishId);
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const event of farm.events(publishId, {
      follow: true,
      signal: stop.signal,
      after: options.after,
    })) {
      ledger.apply(event);
      yield { event, ledger };
      if (ledger.done) return;
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    stop.abort();
  }
}

/** The publish as it stands now (its events so far, folded). */
export async function readPublish(
  farm: FarmBackend,
  publishId: string,
): Promise<{ ledger: PublishLedger; events: Logged[] }> {
  const ledger = new PublishLedger(publishId);
  const events: Logged[] = [];
  for await (const event of farm.events(publishId)) {
    ledger.apply(event);
    events.push(event);
  }
  return { ledger, events };
}
