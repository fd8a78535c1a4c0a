// Typed errors of the farm: a stable `code` and a message that says what to do next.
export type FarmErrorCode =
  /** A job document failed the schema (malformed, forged, or from a newer pyblish). */
  | 'JOB_INVALID'
  /** Instance or context data that JSON cannot carry; the message names the key path. */
  | 'NOT_JSON_SAFE'
  /** A --farm value that is neither "local" nor a redis:// or rediss:// URL. */
  | 'FARM_URL'
  /** The farm's Redis did not answer (not running, or not reachable from here). */
  | 'FARM_UNREACHABLE'
  /** The farm's Redis refused us: no or wrong user and password, or an ACL without the rights. */
  | 'FARM_REFUSED'
  /** No publish with that id on this farm (never submitted, or expired). */
  | 'UNKNOWN_PUBLISH'
  /** What this backend cannot do (e.g. detach from a local farm). */
  | 'UNSUPPORTED'
  /** Nothing to send: no instance is left to publish after local validation. */
  | 'NOTHING_TO_PUBLISH';

export class FarmError extends Error {
  constructor(
    readonly code: FarmErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FarmError';
  }
}
