// The farm's errors, on the one base of @pyblish/errors (a code typed as a union, instanceof
// across copies): a stable `code` and a message that says what to do next.
import { codedError } from '@pyblish/errors';

export class FarmError extends codedError('pyblish.farm.FarmError', [
  'JOB_INVALID', // A job document failed the schema (malformed, forged, or from a newer pyblish).
  'NOT_JSON_SAFE', // Instance or context data that JSON cannot carry; the message names the key path.
  'FARM_URL', // A --farm value that is neither "local" nor a redis:// or rediss:// URL.
  'FARM_UNREACHABLE', // The farm's Redis did not answer (not running, or not reachable from here).
  'FARM_REFUSED', // The farm's Redis refused us: no or wrong user and password, or an ACL without the rights.
  'UNKNOWN_PUBLISH', // No publish with that id on this farm (never submitted, or expired).
  'UNSUPPORTED', // What this backend cannot do (e.g. detach from a local farm).
  'NOTHING_TO_PUBLISH', // Nothing to send: no instance is left to publish after local validation.
]) {}
export type FarmErrorCode = FarmError['code'];

/** Why an attempt of a job ended without finishing. `retry` false: no other attempt may help. */
export class JobFailure extends codedError('pyblish.farm.JobFailure', [
  'ATTEMPT_FAILED', // This attempt failed; another (on any worker) may succeed.
  'JOB_UNRECOVERABLE', // The job cannot succeed as sent (a failed farm-side validation, a refused job).
]) {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(retry ? 'ATTEMPT_FAILED' : 'JOB_UNRECOVERABLE', message);
  }
}

/** Thrown by a handler whose claim was aborted for a shutdown: the job goes back to the queue. */
export class HandBack extends codedError('pyblish.farm.HandBack', [
  'HANDED_BACK', // The worker stops: the job goes back to the queue for another worker.
]) {
  constructor() {
    super('HANDED_BACK', 'handed back');
  }
}
