// The ledger of a publish: what a follower believes. A lost worker that writes on, or a job's
// run after the job is over, changes nothing, and the follower is told so (`taken`).
import { describe, expect, it } from 'vitest';
import { type FarmEvent, PublishLedger } from '../src/index.js';

const publishId = 'publish-0001';
const ref = (attempt: number, machine = 'farm1:10') =>
  ({ publishId, at: Date.now(), jobId: 'instance-a', kind: 'instances', attempt, machine }) as const;
const result = (attempt: number, success: boolean): FarmEvent => ({
  ...ref(attempt),
  type: 'result',
  result: {
    plugin: { id: 'ExtractModel', label: 'Extract model' },
    instance: { id: 'a', name: 'a' },
    action: null,
    success,
    error: null,
    records: [],
    duration: 1,
  },
});

describe('the ledger of a publish', () => {
  it('takes what the current run of a job says, and passes over a superseded run and a job that is over', () => {
    const ledger = new PublishLedger(publishId);
    const taken = (event: FarmEvent) => {
      ledger.apply(event);
      return ledger.taken;
    };
    expect(
      taken({
        type: 'submitted',
        publishId,
        at: Date.now(),
        origin: { host: 'ws', user: 'ann', scene: null, time: '2026-01-01T00:00:00Z', pyblish: '1.9.0' },
        targets: ['farm'],
        jobs: [{ jobId: 'instance-a', kind: 'instances', instances: [{ id: 'a', name: 'a' }] }],
      }),
    ).toBe(true);
    expect(taken({ ...ref(1), type: 'started' })).toBe(true);
    expect(taken({ ...ref(2, 'farm2:20'), type: 'started' })).toBe(true);
    // The first run's worker was lost but writes on: nothing of it counts.
    expect(taken(result(1, false))).toBe(false);
    expect(taken(result(2, true))).toBe(true);
    expect(taken({ ...ref(2, 'farm2:20'), type: 'finished', pairs: 1, duration: 1 })).toBe(true);
    expect(taken({ ...ref(3, 'farm3:30'), type: 'started' })).toBe(false);
    expect(
      taken({ type: 'submitted', publishId: 'another', at: 0, origin: null as never, targets: [], jobs: [] }),
    ).toBe(false);
    const [job] = ledger.status().jobs;
    expect(job).toMatchObject({ state: 'finished', attempt: 2, machine: 'farm2:20' });
    expect(job?.results.map((r) => r.success)).toEqual([true]);
  });
});
