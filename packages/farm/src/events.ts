// What a farm publish tells its followers, as plain JSON: every event goes through the backend's
// event log (a Redis stream, or the local dispatcher's memory), in order, and can be replayed.
// The GUI turns them into rows (jobs), Terminal records and Report entries.
import type { LogRecord, ResultReport } from '@pyblish/core';
import type { JobKind, Origin } from './job.js';

interface Base {
  publishId: string;
  /** Epoch milliseconds on the machine that wrote the event. */
  at: number;
}

/** Which job, which run of it, and where. `attempt` counts from 1, every start included. */
export interface JobRef {
  jobId: string;
  kind: JobKind;
  attempt: number;
  /** The farm machine's name (and worker process id). */
  machine: string;
}

export interface PlannedJob {
  jobId: string;
  kind: JobKind;
  instances: { id: string; name: string }[];
}

export type FarmEvent =
  /** The publish was accepted by the farm: its jobs, the context job last. */
  | (Base & { type: 'submitted'; origin: Origin; targets: string[]; jobs: PlannedJob[] })
  /** A worker took a job. */
  | (Base & JobRef & { type: 'started' })
  /** A job runs again: its previous attempt's worker was lost, it handed the job back, or it failed. */
  | (Base & JobRef & { type: 'retried'; reason: string })
  /** Pairs done / pairs expected within the job. */
  | (Base & JobRef & { type: 'progress'; done: number; total: number })
  /** A log record, as it is logged: the plug-in's label and id, the instance's name and id. */
  | (Base &
      JobRef & {
        type: 'record';
        plugin: string;
        pluginId: string;
        instance: string | null;
        instanceId: string | null;
        record: LogRecord;
      })
  /** One processed pair, in the shape of a local publish's report (core's ResultReport). */
  | (Base & JobRef & { type: 'result'; result: ResultReport })
  /** Every pair of the job succeeded (a failed pair makes the attempt fail instead). */
  | (Base & JobRef & { type: 'finished'; pairs: number; duration: number })
  /**
   * The attempt ended without finishing: a pair failed, the job was refused or cancelled, or its
   * worker was lost too often. `final` says no other attempt will follow.
   */
  | (Base & JobRef & { type: 'failed'; error: string; final: boolean })
  /** Someone cancelled the publish: jobs not started never will be, running ones stop. */
  | (Base & { type: 'cancelled'; by: string });

export type FarmEventType = FarmEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A job's event as its worker writes it: the job, attempt, machine and time are added for it. */
export type JobEventBody = DistributiveOmit<Extract<FarmEvent, JobRef>, keyof JobRef | 'publishId' | 'at'>;
