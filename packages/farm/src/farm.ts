// Opening a farm by its name, submitting a publish and following it: what the CLI and the GUI use.
import type { Context } from '@pyblish/core';
import type { FarmBackend, Logged } from './backend.js';
import { FarmError } from './errors.js';
import { type PlanOptions, planPublish } from './job.js';
import { PublishLedger } from './ledger.js';
import { LocalFarm, type LocalFarmOptions } from './local.js';
import { RedisFarm, type RedisFarmOptions } from './redis.js';

export interface OpenOptions extends RedisFarmOptions, Partial<LocalFarmOptions> {}

/** 'local' (worker processes of this machine), or redis://[user:password@]HOST:PORT[/DB] (rediss:// for TLS). */
export function openFarm(spec: string, options: OpenOptions = {}): FarmBackend {
  if (spec === 'local') return new LocalFarm({ pluginPaths: [], ...options });
  if (/^rediss?:\/\//.test(spec)) return new RedisFarm(spec, options);
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
