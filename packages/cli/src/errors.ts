// The `pyblish` command's own error, on the one base of @pyblish/errors: bad usage, which the
// command reports with its help and exit status 2. Errors of the packages it drives (a HostError,
// say) keep their own classes and codes.
import { CodedError } from '@pyblish/errors';

export const USAGE_ERROR_CODES = [
  /** `--data` is not KEY=VALUE. */
  'BAD_DATA_OPTION',
  /** `--port` or `--gui-port` is not a port number. */
  'BAD_PORT_OPTION',
] as const;
export type UsageErrorCode = (typeof USAGE_ERROR_CODES)[number];

/** The command line asks for something the command cannot do; the message says what to change. */
export class UsageError extends CodedError<UsageErrorCode> {
  static override readonly brand = 'pyblish.cli.UsageError';
  static override readonly codes = USAGE_ERROR_CODES;
}
