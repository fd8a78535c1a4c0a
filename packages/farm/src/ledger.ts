// The state of a farm publish, folded from its events (pure): job rows, whether it is over, and
// the final report. The follower, `pyblish farm status` and the GUI all read a publish this way.
import {
  type Failure,
  pyblishVersion,
  type ResultReport,
  type Summary,
  summariseReports,
} from '@pyblish/core';
import type { FarmEvent, JobRef, PlannedJob } from './events.js';
import type { Origin } from './job.js';

export type JobState = 'waiting' | 'running' | 'finished' | 'failed' | 'skipped' | 'cancelled';

/** A result with the job, attempt and farm machine that produced it. */
export type FarmResult = ResultReport & Omit<JobRef, 'kind'>;

export interface Retry {
  attempt: number;
  machine: string;
  reason: string;
}

export interface JobStatus extends PlannedJob {
  state: JobState;
  /** The current (or last) attempt, 0 before the first start. */
  attempt: number;
  machine: string | null;
  retries: Retry[];
  progress: { done: number; total: number };
  /** The last failure's message (also of attempts that were retried). */
  error: string | null;
  /** The results of the current (or last) attempt only. */
  results: FarmResult[];
  duration: number | null;
}

export interface PublishStatus {
  publishId: string;
  origin: Origin | null;
  targets: string[];
  jobs: JobStatus[];
  cancelled: string | null;
  /** Every job is over (finished, failed for good, skipped or cancelled). */
  done: boolean;
  /** Over, and every job finished. */
  success: boolean;
  started: number | null;
  ended: number | null;
}

const TERMINAL: JobState[] = ['finished', 'failed', 'skipped', 'cancelled'];

export class PublishLedger {
  private readonly jobs = new Map<string, JobStatus>();
  private origin: Origin | null = null;
  private targets: string[] = [];
  private cancelled: string | null = null;
  private started: number | null = null;
  private last: number | null = null;

  constructor(readonly publishId: string) {}

  /**
   * Whether the last event applied counted: those of a superseded attempt (a lost worker that
   * wrote on) or of a job already over change nothing, and a follower shows them as nothing.
   */
  taken = false;

  apply(event: FarmEvent): void {
    this.taken = false;
    if (event.publishId !== this.publishId) return;
    this.taken = true;
    this.last = event.at;
    if (event.type === 'submitted') {
      this.origin = event.origin;
      this.targets = event.targets;
      this.started = event.at;
      for (const job of event.jobs)
        this.jobs.set(job.jobId, {
          ...job,
          state: 'waiting',
          attempt: 0,
          machine: null,
          retries: [],
          progress: { done: 0, total: 0 },
          error: null,
          results: [],
          duration: null,
        });
      return;
    }
    if (event.type === 'cancelled') {
      this.cancelled = event.by;
      for (const job of this.jobs.values()) if (!TERMINAL.includes(job.state)) job.state = 'cancelled';
      return;
    }
    const job = this.jobs.get(event.jobId);
    // Events of an attempt that was superseded (a lost worker that wrote on) change nothing.
    if (!job || event.attempt < job.attempt || TERMINAL.includes(job.state)) {
      this.taken = false;
      return;
    }
    switch (event.type) {
      case 'started':
        Object.assign(job, { state: 'running', attempt: event.attempt, machine: event.machine, results: [] });
        job.progress = { done: 0, total: 0 };
        return;
      case 'retried':
        job.retries.push({ attempt: event.attempt, machine: event.machine, reason: event.reason });
        return;
      case 'progress':
        job.progress = { done: event.done, total: event.total };
        return;
      case 'result':
        job.results.push({
          ...event.result,
          jobId: job.jobId,
          attempt: event.attempt,
          machine: event.machine,
        });
        return;
      case 'finished':
        Object.assign(job, { state: 'finished', duration: event.duration, error: null });
        return;
      case 'failed':
        job.error = event.error;
        job.state = event.final ? 'failed' : 'waiting';
        return;
      case 'record':
        return;
    }
  }

  /** One job as it stands (no copy: read, do not change). */
  job(jobId: string): Readonly<JobStatus> | undefined {
    return this.jobs.get(jobId);
  }

  /** A job that can no longer run: the context job once any instances job failed for good. */
  private settle(): void {
    const failed = [...this.jobs.values()].some((j) => j.kind === 'instances' && j.state === 'failed');
    for (const job of this.jobs.values())
      if (failed && job.kind === 'context' && (job.state === 'waiting' || job.state === 'running'))
        job.state = 'skipped';
  }

  get done(): boolean {
    this.settle();
    return this.jobs.size > 0 && [...this.jobs.values()].every((j) => TERMINAL.includes(j.state));
  }

  status(): PublishStatus {
    const done = this.done;
    const jobs = [...this.jobs.values()];
    return {
      publishId: this.publishId,
      origin: this.origin,
      targets: this.targets,
      jobs,
      cancelled: this.cancelled,
      done,
      success: done && jobs.every((j) => j.state === 'finished'),
      started: this.started,
      ended: done ? this.last : null,
    };
  }

  /** The final report: the shape of a local publish's report, with the farm's jobs and retries. */
  report() {
    const status = this.status();
    const results = status.jobs.flatMap((j) => j.results);
    const duration = (status.ended ?? this.last ?? 0) - (status.started ?? 0);
    const stopped = status.cancelled
      ? `Cancelled by ${status.cancelled}`
      : status.done
        ? null
        : 'Still running on the farm';
    const base = summariseReports(results, stopped, 0, duration);
    const jobFailures: Failure[] = status.jobs
      .filter((j) => (j.state === 'failed' || j.state === 'skipped') && !j.results.some((r) => !r.success))
      .map((j) => ({
        plugin: `farm job ${j.jobId}`,
        instance: j.kind === 'context' ? null : j.instances.map((i) => i.name).join(', '),
        message: j.state === 'skipped' ? 'Not run: an instance job failed.' : (j.error ?? 'failed'),
        file: null,
        line: null,
      }));
    const summary: Summary & { retried: number; jobs: number } = {
      ...base,
      success: base.success && status.success,
      failures: [...base.failures, ...jobFailures],
      retried: status.jobs.reduce((n, j) => n + j.retries.length, 0),
      jobs: status.jobs.length,
    };
    return {
      pyblish: { version: pyblishVersion, node: process.version },
      farm: { publishId: this.publishId, origin: status.origin, cancelled: status.cancelled },
      targets: status.targets,
      jobs: status.jobs.map(({ results: _results, ...job }) => job),
      results,
      summary,
    };
  }
}

export type FarmReport = ReturnType<PublishLedger['report']>;
