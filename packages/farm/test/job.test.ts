import { Context } from '@pyblish/core';
import { describe, expect, it } from 'vitest';
import { FarmError, JOB_SCHEMA_VERSION, parseJob, parsePlan, planPublish } from '../src/index.js';

function context(count = 2, extra: Record<string, unknown> = {}) {
  const c = new Context({ currentFile: '/shots/sh010.ma', shot: 'sh010', results: ['not sent'] });
  for (let i = 0; i < count; i++) c.createInstance(`asset_${i}`, { family: 'model', ...extra });
  return c;
}

function error(fn: () => unknown): FarmError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FarmError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('the publish-job document', () => {
  it('plans one job per instance and the context job last, with origin, targets and publish id', () => {
    const c = context(3);
    c.createInstance('off', { publish: false });
    const plan = planPublish(c);
    expect(plan.jobs.map((j) => j.kind)).toEqual(['instances', 'instances', 'instances', 'context']);
    const first = plan.jobs[0]!;
    expect(first).toMatchObject({
      schema: 'pyblish.farm.job',
      version: JOB_SCHEMA_VERSION,
      targets: ['farm'],
    });
    expect(first.publishId).toBe(plan.publishId);
    expect(first.origin.scene).toBe('/shots/sh010.ma');
    expect(first.origin.host).not.toBe('');
    expect(first.context.data).toEqual({ currentFile: '/shots/sh010.ma', shot: 'sh010' });
    expect(first.instances.map((i) => i.name)).toEqual(['asset_0']);
    expect(first.instances[0]!.id).toBe([...c][0]!.id);
    expect(plan.jobs.at(-1)!.instances.map((i) => i.name)).toEqual(['asset_0', 'asset_1', 'asset_2']);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('puts the instances of one farmGroup into one job', () => {
    const c = new Context();
    c.createInstance('a', { farmGroup: 'chars' });
    c.createInstance('b', { farmGroup: 'chars' });
    c.createInstance('c');
    const jobs = planPublish(c).jobs;
    expect(jobs.map((j) => [j.jobId.split('-')[0], j.instances.map((i) => i.name)])).toEqual([
      ['group', ['a', 'b']],
      ['instance', ['c']],
      ['context', ['a', 'b', 'c']],
    ]);
  });

  it.each([
    ['a function', () => 1, 'instances.asset_0.data.value is a function'],
    ['a Date', new Date(0), 'instances.asset_0.data.value is a Date'],
    ['NaN', Number.NaN, 'instances.asset_0.data.value is NaN'],
    ['a Map', new Map(), 'instances.asset_0.data.value is a Map object'],
    ['undefined', undefined, 'instances.asset_0.data.value is undefined'],
    [
      'a bigint deep down',
      { frames: [1, { step: 2n }] },
      'instances.asset_0.data.value.frames[1].step is a bigint',
    ],
  ])('refuses %s in instance data, naming the key path', (_what, value, message) => {
    const e = error(() => planPublish(context(1, { value })));
    expect(e.code).toBe('NOT_JSON_SAFE');
    expect(e.message).toContain(message);
  });

  it('refuses cycles and non-JSON context data', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(error(() => planPublish(context(1, { node: cyclic }))).message).toContain(
      'instances.asset_0.data.node.self is a reference to itself',
    );
    const c = context(1);
    c.data['scene handle'] = new (class SceneNode {})();
    expect(error(() => planPublish(c)).message).toContain(
      'context.data["scene handle"] is a SceneNode object',
    );
  });

  it('sends nothing when no instance is to be published', () => {
    expect(error(() => planPublish(new Context())).code).toBe('NOTHING_TO_PUBLISH');
  });
});

describe('a worker reading a job', () => {
  const job = () => structuredClone(planPublish(context(1)).jobs[0]!) as unknown as Record<string, unknown>;

  it('accepts a well-formed job', () => {
    expect(parseJob(job()).kind).toBe('instances');
  });

  it.each([
    [
      'plug-in code smuggled in',
      (j: Record<string, unknown>) => (j.plugins = ['export class X {}']),
      '$ has the unknown key "plugins"',
    ],
    [
      'a missing publish id',
      (j: Record<string, unknown>) => delete j.publishId,
      'lacks the required key "publishId"',
    ],
    [
      'a bad kind',
      (j: Record<string, unknown>) => (j.kind = 'shell'),
      '$.kind must be one of "instances", "context"',
    ],
    [
      'instance data that is not an object',
      (j: Record<string, unknown>) => ((j.instances as { data: unknown }[])[0]!.data = 'x'),
      '$.instances[0].data must be object',
    ],
    [
      'a prototype key',
      (j: Record<string, unknown>) => (j.context = JSON.parse('{"data":{"__proto__":{"admin":true}}}')),
      '$.context.data is a "__proto__" key',
    ],
  ])('refuses %s, naming the path', (_what, forge, message) => {
    const j = job();
    forge(j);
    const e = error(() => parseJob(j));
    expect(e.code).toBe('JOB_INVALID');
    expect(e.message).toContain(message);
  });

  it('tells a job from a newer pyblish apart from a broken one', () => {
    const j = job();
    j.version = JOB_SCHEMA_VERSION + 1;
    expect(error(() => parseJob(j)).message).toContain('update pyblish on the worker');
    expect(error(() => parseJob('{}')).message).toContain('$ must be object, not string');
  });
});

describe("a plan made elsewhere (a host's pyblish.farmPlan)", () => {
  const plan = () => JSON.parse(JSON.stringify(planPublish(context(2))));

  it('is accepted as it was planned', () => {
    const made = plan();
    expect(parsePlan(made)).toEqual(made);
  });

  it('is refused when its jobs do not make one publish', () => {
    const cases: Array<[string, (p: ReturnType<typeof plan>) => void]> = [
      ['not an object with a list of "jobs"', (p) => delete p.jobs],
      ['one or more instances jobs, then one context job', (p) => p.jobs.reverse()],
      ['one or more instances jobs, then one context job', (p) => p.jobs.splice(0, 2)],
      ['belongs to another publish', (p) => (p.jobs[0].publishId = 'another-publish-id')],
      ['another origin or other targets', (p) => (p.jobs[1].targets = ['farm', 'linux'])],
      ['two jobs have the same id', (p) => (p.jobs[1].jobId = p.jobs[0].jobId)],
      ['exactly the instances of the other jobs', (p) => p.jobs[2].instances.pop()],
      ['$.instances[0].data must be object', (p) => (p.jobs[0].instances[0].data = 'forged')],
    ];
    for (const [message, spoil] of cases) {
      const p = plan();
      spoil(p);
      const e = error(() => parsePlan(p));
      expect(e.code).toBe('JOB_INVALID');
      expect(e.message).toContain(message);
    }
  });
});
