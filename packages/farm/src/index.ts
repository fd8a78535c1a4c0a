// @pyblish/farm: publish on other processes or machines and follow the results.

// The two sides of a farm: submitting and following (FarmBackend), serving workers (WorkSource)
export type {
  Claim,
  EventsOptions,
  FarmBackend,
  JobHandler,
  Logged,
  RetryOptions,
  WorkSource,
} from './backend.js';

// Errors
export { FarmError, type FarmErrorCode, HandBack, JobFailure } from './errors.js';

// Events, jobs, the ledger of a publish
export type { FarmEvent, FarmEventType, JobRef, PlannedJob } from './events.js';
export {
  type FollowOptions,
  followPublish,
  type OpenOptions,
  openFarm,
  readPublish,
  submitPublish,
} from './farm.js';
export {
  assertJsonSafe,
  groupOf,
  type InstanceDocument,
  JOB_SCHEMA_VERSION,
  type JobDocument,
  type JobKind,
  jobSchema,
  type Origin,
  type PlanOptions,
  type PublishPlan,
  parseJob,
  parsePlan,
  planPublish,
} from './job.js';
export {
  type FarmReport,
  type FarmResult,
  type JobState,
  type JobStatus,
  PublishLedger,
  type PublishStatus,
  type Retry,
} from './ledger.js';
export { LocalFarm, type LocalFarmOptions } from './local.js';
// The Redis farm itself is '@pyblish/farm/redis' (it loads BullMQ and ioredis); openFarm loads it
// when a redis:// farm is first used.
export type { RedisFarmOptions, RedisWorkerOptions } from './redis.js';
export { redisOptions } from './redis-url.js';
export { check, type Problem, type Schema } from './schema.js';
export { type ServeOptions, serveWorker } from './serve.js';
export { createHandler, type FarmData, farmTest, machineName, type WorkerOptions } from './worker.js';
