// The `pyblish` command's own error, on the one base of @pyblish/errors: bad usage, which the
// command reports with its help and exit status 2. Errors of the packages it drives (a HostError,
// say) keep their own classes and codes.
import { codedError } from '@pyblish/errors';

/** The command line asks for something the command cannot do; the message says what to change. */
export class UsageError extends codedError('pyblish.cli.UsageError', [
  'BAD_DATA_OPTION', // `--data` is not KEY=VALUE.
  'BAD_PORT_OPTION', // `--port` or `--gui-port` is not a port number.
  'BAD_NUMBER_OPTION', // A count or delay (`--workers`, `--attempts`, `--retry-delay`) is not a whole number.
  'FARM_OPTION_ALONE', // An option of farm publishing (`--detach`, `--workers`...) without `--farm`.
]) {}
export type UsageErrorCode = UsageError['code'];
