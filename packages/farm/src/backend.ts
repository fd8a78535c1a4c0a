// The one interface both farms implement: the submitting side (FarmBackend) and the working side
// (WorkSource). `local` runs worker processes fed over IPC by a dispatcher in this process; a
// redis:// URL uses BullMQ. The worker code above them (worker.ts) is the same for both.
import type { FarmEvent } from './events.js';
import type { PublishPlan } from './job.js';

/** How both farms retry a job whose extraction or integration failed. */
export interface RetryOptions {
  /** Runs of such a job, counting the first. Default 3. */
  attempts?: number;
  /** Milliseconds before it runs again, doubling each time. Default 5,000. */
  backoffMs?: number;
}

/** The wait before the run after `failures` failed ones. */
export function retryDelay(options: RetryOptions, failures: number): number {
  return (options.backoffMs ?? 5000) * 2 ** (failures - 1);
}

export interface EventsOptions {
  /** Only events after this position (a `seq` from an earlier event). */
  after?: string;
  /** Keep waiting for new events (until the signal aborts); otherwise stop at the current end. */
  follow?: boolean;
  signal?: AbortSignal;
}

/** An event with its position in the log (a Redis stream id, or a counter for the local farm). */
export type Logged = FarmEvent & { seq: string };

export interface FarmBackend {
  /** 'local', or the Redis URL without its password. */
  readonly name: string;
  /** Resolves once the farm answers; FARM_UNREACHABLE or FARM_REFUSED otherwise. */
  reach(): Promise<void>;
  /** Queues the plan's jobs (the context job after all the others) and logs a 'submitted' event. */
  submit(plan: PublishPlan): Promise<void>;
  /** The publish's events in order, from the start or after `options.after`. */
  events(publishId: string, options?: EventsOptions): AsyncIterable<Logged>;
  /** Jobs not started never run; running ones are told to stop. Logs a 'cancelled' event. */
  cancel(publishId: string, by: string): Promise<void>;
  close(): Promise<void>;
}

/** One job handed to a worker. */
export interface Claim {
  /** The job document as received: the worker checks it before trusting it. */
  document: unknown;
  /** The backend's id of the job; a document claiming another is refused. */
  jobId: string;
  publishId: string | null;
  /** 1 for the first start; every start counts, a lost worker's too. */
  attempt: number;
  /** No retry follows if this attempt fails. */
  lastAttempt: boolean;
  /** Why this job runs again (null on its first start). */
  previous: string | null;
  /** Aborts when the publish is cancelled or the worker must hand the job back. */
  signal: AbortSignal;
  /** Appends an event to the publish's log (in order; `flush` waits until all are stored). */
  emit(event: FarmEvent): void;
  flush(): Promise<void>;
}

export type JobHandler = (claim: Claim) => Promise<void>;

export interface WorkSource {
  /** Starts handing jobs to `handler`, up to `concurrency` at a time. */
  serve(handler: JobHandler, concurrency: number): Promise<void>;
  /**
   * Stops taking jobs and waits up to `graceMs` for running ones to finish; then aborts them,
   * and their jobs go back to the queue for another worker.
   */
  stop(graceMs: number): Promise<void>;
}
