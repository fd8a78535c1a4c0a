// The pieces of a farm publish as the GUI shows and keeps them, the same for a live publish
// (farm-view.ts) and a saved report (saved-report-view.ts): a job's name, a job that failed
// without a failed pair as Report entries, the jobs as the report keeps them, and what a saved
// report's Terminal says of them. Pure.
import type { PlannedJob, PublishStatus } from '@pyblish/farm';
import type { ErrorRow, FarmJobReport, FarmPublishReport, FarmRef, PairReport } from './view-model.js';
import type { NewTerminalEntry } from './view-state.js';

/** "Job asset_0001", "Job group g0 (asset_0000, asset_0001)", "Context job". */
export function jobLabel(job: Pick<PlannedJob, 'jobId' | 'kind' | 'instances'>): string {
  if (job.kind === 'context') return 'Context job';
  const names = job.instances.map((i) => i.name);
  const shown =
    names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return job.jobId.startsWith('group-') ? `Job ${job.jobId.slice(6)} (${shown})` : `Job ${shown}`;
}

/** The plug-in id of a job's own failure in the Terminal and the Report (no plug-in failed). */
export const farmJobPluginId = (jobId: string) => `farm-job:${jobId}`;

/**
 * A job that failed for good without a failed pair (refused, its workers lost too often, stopped):
 * one Report error per instance it carried (the context for the context job).
 */
export function farmJobEntries(
  job: Pick<PlannedJob, 'jobId' | 'kind' | 'instances'>,
  ref: FarmRef,
  message: string,
): Array<Extract<NewTerminalEntry, { type: 'error' }>> {
  const error: ErrorRow = { message, fname: null, lineNumber: null, func: null, exc: 'FarmJobFailure' };
  const targets = job.kind === 'context' ? [null] : job.instances.map((i) => i.id);
  return targets.map((instanceId) => ({
    type: 'error',
    pluginId: farmJobPluginId(job.jobId),
    instanceId,
    error,
    farm: ref,
    label: jobLabel(job),
  }));
}

/** The jobs of a publish as the report keeps them (no results: those are the report's pairs). */
export function farmJobsReport(status: PublishStatus): FarmJobReport[] {
  return status.jobs.map((j) => ({
    jobId: j.jobId,
    kind: j.kind,
    instances: j.instances,
    state: j.state,
    attempt: j.attempt,
    machine: j.machine,
    retries: j.retries,
    error: j.error,
    duration: j.duration,
  }));
}

/**
 * What a saved report's Terminal says of a farm publish after its pairs: how its jobs ended, their
 * retries, and the jobs that failed with no failed pair (as Report errors, as they were live).
 */
export function farmPublishEntries(
  publish: FarmPublishReport,
  results: readonly PairReport[],
): NewTerminalEntry[] {
  const counts = new Map<string, number>();
  for (const job of publish.jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
  const ok = publish.done && publish.jobs.every((j) => j.state === 'finished');
  const entries: NewTerminalEntry[] = [
    {
      type: 'message',
      level: ok ? 'info' : 'warning',
      text: `Publish ${publish.publishId} on the farm ${publish.farm}: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}${publish.cancelled ? `; cancelled by ${publish.cancelled}` : ''}${publish.done ? '' : '; the GUI stopped following it before it was over'}`,
    },
  ];
  for (const job of publish.jobs) {
    for (const retry of job.retries)
      entries.push({
        type: 'message',
        level: 'warning',
        text: `${jobLabel(job)} ran again on ${retry.machine} (attempt ${retry.attempt}): ${retry.reason}`,
      });
    const failedPair = results.some(
      (r) =>
        r.farm?.publishId === publish.publishId &&
        r.farm.jobId === job.jobId &&
        r.farm.attempt === job.attempt &&
        !r.success,
    );
    if (job.state === 'failed' && !failedPair)
      entries.push(
        ...farmJobEntries(
          job,
          { jobId: job.jobId, attempt: job.attempt, machine: job.machine ?? '' },
          job.error ?? 'failed',
        ),
      );
  }
  return entries;
}
