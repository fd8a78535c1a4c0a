// The publish-job document: what a farm worker needs to publish some instances of a context, as
// plain JSON (never plug-in code: workers load plug-ins from their own paths). One publish is a
// plan of jobs: one per instance (or per `farmGroup`), then one context job after all of them.
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { type Context, type Data, pyblishVersion } from '@pyblish/core';
import { FarmError } from './errors.js';
import type { FarmEvent } from './events.js';
import { check, keyPath, type Schema } from './schema.js';

export const JOB_SCHEMA_VERSION = 1;

export interface Origin {
  /** The machine that submitted the publish. */
  host: string;
  user: string;
  /** The work file (context.data.currentFile), or null. */
  scene: string | null;
  /** When it was submitted (ISO 8601). */
  time: string;
  /** The submitter's pyblish API level. */
  pyblish: string;
}

export interface InstanceDocument {
  /** The instance's id on the submitting side; the rebuilt instance keeps it. */
  id: string;
  name: string;
  data: Data;
}

export type JobKind = 'instances' | 'context';

export interface JobDocument {
  schema: 'pyblish.farm.job';
  version: typeof JOB_SCHEMA_VERSION;
  publishId: string;
  jobId: string;
  /** 'instances': instance plug-ins on `instances`; 'context': context plug-ins, after every other job. */
  kind: JobKind;
  /** The worker's session targets (['farm'] by default). */
  targets: string[];
  origin: Origin;
  context: { data: Data };
  /** An instances job: the instance or group it extracts. The context job: every instance. */
  instances: InstanceDocument[];
}

/** The jobs of one publish, the context job last. */
export interface PublishPlan {
  publishId: string;
  origin: Origin;
  targets: string[];
  jobs: JobDocument[];
}

const ID = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$';
const text = { type: 'string', maxLength: 4096 } as const satisfies Schema;
const data = { type: 'object' } as const satisfies Schema;

/** The published JSON Schema of a job document (docs/farm.md shows it); workers check jobs with it. */
export const jobSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://pyblish.ts/schemas/farm-job-1.json',
  title: 'Pyblish farm publish job',
  type: 'object',
  required: ['schema', 'version', 'publishId', 'jobId', 'kind', 'targets', 'origin', 'context', 'instances'],
  additionalProperties: false,
  properties: {
    schema: { const: 'pyblish.farm.job' },
    version: { const: JOB_SCHEMA_VERSION },
    publishId: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
    jobId: { type: 'string', pattern: ID },
    kind: { enum: ['instances', 'context'] },
    targets: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: { type: 'string', pattern: '^[\\w.-]{1,64}$' },
    },
    origin: {
      type: 'object',
      required: ['host', 'user', 'scene', 'time', 'pyblish'],
      additionalProperties: false,
      properties: {
        host: text,
        user: text,
        scene: { type: ['string', 'null'], maxLength: 4096 },
        time: { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$' },
        pyblish: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
      },
    },
    context: { type: 'object', required: ['data'], additionalProperties: false, properties: { data } },
    instances: {
      type: 'array',
      maxItems: 100_000,
      items: {
        type: 'object',
        required: ['id', 'name', 'data'],
        additionalProperties: false,
        properties: { id: { type: 'string', pattern: ID }, name: { ...text, minLength: 1 }, data },
      },
    },
  },
} as const satisfies Schema;

const MAX_DEPTH = 64;

/**
 * Throws NOT_JSON_SAFE naming the first key path whose value JSON would lose or change: functions,
 * symbols, undefined, bigints, NaN and infinities, dates, class instances (Map, Set, scene handles),
 * cycles, and `__proto__` keys. Plain objects, arrays, strings, finite numbers, booleans and null pass.
 */
export function assertJsonSafe(value: unknown, path: string): void {
  const stack = new Set<object>();
  const visit = (v: unknown, at: string, depth: number): void => {
    const fail = (what: string, fix: string) =>
      new FarmError('NOT_JSON_SAFE', `${at} is ${what}, which a farm job cannot carry: ${fix}.`);
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw fail(String(v), 'use null or a finite number');
      return;
    }
    if (v === undefined) throw fail('undefined', 'delete the key or set it to null');
    if (typeof v !== 'object')
      throw fail(`a ${typeof v}`, 'keep it out of the data (instance.members is never sent)');
    if (stack.has(v)) throw fail('a reference to itself (a cycle)', 'store an id instead');
    if (depth > MAX_DEPTH) throw fail(`nested deeper than ${MAX_DEPTH} levels`, 'flatten it');
    if (v instanceof Date) throw fail('a Date', 'store v.toISOString()');
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null)
      throw fail(
        `a ${proto?.constructor?.name ?? 'class'} object`,
        'store plain data (objects, arrays, strings, numbers)',
      );
    stack.add(v);
    if (Array.isArray(v)) for (const [i, item] of v.entries()) visit(item, keyPath(at, i), depth + 1);
    else
      for (const [key, item] of Object.entries(v)) {
        if (key === '__proto__') throw fail('a "__proto__" key', 'rename the key');
        visit(item, keyPath(at, key), depth + 1);
      }
    stack.delete(v);
  };
  visit(value, path, 0);
}

/** Refuses anything that is not a well-formed job of this schema version, naming what is wrong. */
export function parseJob(value: unknown): JobDocument {
  const problems = check(jobSchema, value);
  if (problems.length > 0) {
    const doc = value as { schema?: unknown; version?: unknown } | null;
    const newer =
      doc?.schema === 'pyblish.farm.job' &&
      typeof doc.version === 'number' &&
      doc.version > JOB_SCHEMA_VERSION
        ? ` It is version ${doc.version}; this worker reads version ${JOB_SCHEMA_VERSION}: update pyblish on the worker.`
        : '';
    throw new FarmError(
      'JOB_INVALID',
      `Refused a malformed job: ${problems
        .slice(0, 5)
        .map((p) => `${p.path} ${p.message}`)
        .join('; ')}.${newer}`,
    );
  }
  const job = value as JobDocument;
  try {
    for (const [i, instance] of job.instances.entries())
      assertJsonSafe(instance.data, `$.instances[${i}].data`);
    assertJsonSafe(job.context.data, '$.context.data');
  } catch (error) {
    throw new FarmError('JOB_INVALID', `Refused a malformed job: ${(error as Error).message}`);
  }
  return job;
}

export interface PlanOptions {
  /** The workers' targets; ['farm'] when omitted. */
  targets?: string[];
  publishId?: string;
  origin?: Partial<Origin>;
}

/** The name of the job an instance goes to: its `farmGroup` when a plug-in set one, else its id. */
export function groupOf(instance: { id: string; name: string; data: Data }): string {
  const group = instance.data.farmGroup;
  if (group === undefined || group === null || group === '') return `instance-${instance.id}`;
  if (typeof group !== 'string' || !/^[\w.-]{1,100}$/.test(group))
    throw new FarmError(
      'JOB_INVALID',
      `${keyPath('instances', instance.name)}.data.farmGroup ${JSON.stringify(group)} is not a group name: use up to 100 letters, digits, _, . and -.`,
    );
  return `group-${group}`;
}

/**
 * The jobs that publish a context's instances on a farm: each instance that is to be published
 * (publish is not false) goes to its own job, or to one job per `data.farmGroup`; then a context
 * job. Throws NOT_JSON_SAFE naming the key that JSON cannot carry, NOTHING_TO_PUBLISH when no
 * instance is left.
 */
export function planPublish(context: Context, options: PlanOptions = {}): PublishPlan {
  const publishId = options.publishId ?? randomUUID();
  const { results: _results, ...contextData } = context.data;
  assertJsonSafe(contextData, 'context.data');
  const instances: InstanceDocument[] = [];
  for (const instance of context) {
    if (!instance.publish) continue;
    assertJsonSafe(instance.data, `${keyPath('instances', instance.name)}.data`);
    instances.push({ id: instance.id, name: instance.name, data: instance.data });
  }
  if (instances.length === 0)
    throw new FarmError('NOTHING_TO_PUBLISH', 'No instance is set to publish: nothing was sent to the farm.');
  const scene = context.data.currentFile;
  const origin: Origin = {
    host: hostname(),
    user: userInfo().username,
    scene: typeof scene === 'string' ? scene : null,
    time: new Date().toISOString(),
    pyblish: pyblishVersion,
    ...options.origin,
  };
  const targets = options.targets ?? ['farm'];
  const job = (jobId: string, kind: JobKind, members: InstanceDocument[]): JobDocument => ({
    schema: 'pyblish.farm.job',
    version: JOB_SCHEMA_VERSION,
    publishId,
    jobId,
    kind,
    targets,
    origin,
    context: { data: contextData },
    instances: members,
  });
  const groups = new Map<string, InstanceDocument[]>();
  for (const instance of instances) {
    const group = groupOf(instance);
    groups.set(group, [...(groups.get(group) ?? []), instance]);
  }
  const jobs = [...groups].map(([group, members]) => job(group, 'instances', members));
  jobs.push(job('context', 'context', instances));
  for (const j of jobs) parseJob(j);
  return { publishId, origin, targets, jobs };
}

/**
 * A plan made elsewhere (a host's `pyblish.farmPlan`), checked before anything of it is submitted:
 * each job a well-formed document of this version, all of one publish with one origin and one set
 * of targets, job ids unique, instances jobs first and the context job last with all their
 * instances. Throws JOB_INVALID saying what is wrong.
 */
export function parsePlan(value: unknown): PublishPlan {
  const fail = (why: string) => new FarmError('JOB_INVALID', `Refused a farm plan: ${why}.`);
  const jobsOf = (value as { jobs?: unknown } | null)?.jobs;
  if (!Array.isArray(jobsOf)) throw fail('it is not an object with a list of "jobs"');
  const jobs = jobsOf.map(parseJob);
  const context = jobs.at(-1);
  const parts = jobs.slice(0, -1);
  if (context?.kind !== 'context' || parts.length === 0 || parts.some((j) => j.kind !== 'instances'))
    throw fail('it must hold one or more instances jobs, then one context job');
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const job of jobs) {
    if (job.publishId !== context.publishId) throw fail(`job ${job.jobId} belongs to another publish`);
    if (!same(job.origin, context.origin) || !same(job.targets, context.targets))
      throw fail(`job ${job.jobId} has another origin or other targets than the rest`);
  }
  if (new Set(jobs.map((j) => j.jobId)).size !== jobs.length) throw fail('two jobs have the same id');
  const inParts = parts.flatMap((j) => j.instances.map((i) => i.id)).sort();
  if (!same(inParts, context.instances.map((i) => i.id).sort()))
    throw fail('the context job must hold exactly the instances of the other jobs');
  return { publishId: context.publishId, origin: context.origin, targets: context.targets, jobs };
}

/** The event that opens a publish's log: its jobs and their instances, without their data. */
export function submittedEvent(plan: PublishPlan): FarmEvent {
  return {
    type: 'submitted',
    publishId: plan.publishId,
    at: Date.now(),
    origin: plan.origin,
    targets: plan.targets,
    jobs: plan.jobs.map((j) => ({
      jobId: j.jobId,
      kind: j.kind,
      instances: j.instances.map((i) => ({ id: i.id, name: i.name })),
    })),
  };
}
