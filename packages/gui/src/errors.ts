// The GUI process's errors, on the one base of @pyblish/errors (a code typed as a union,
// instanceof across copies). Four kinds, each with its own codes:
// - CommandError: a command from the page refused; its code reaches the page in CommandReply.
// - HostCallError: a call to a host failed; the controller turns it into the run's fault.
// - ReportFileError: a report file that cannot be shown.
// - Malformed: a field of a JSON document of the wrong type (becomes a ReportFileError).
// A code string belongs to one class across all packages (tests/errors.test.ts checks it), so a
// code says what happened without its class: a host lost while idle is the command's HOST_LOST,
// the connection found gone is the call's HOST_GONE, and a call given up is HOST_CALL_ABORTED, not
// the transport's ABORTED.
import { CodedError } from '@pyblish/errors';

export const COMMAND_ERROR_CODES = [
  /** Not a command the GUI knows, or a field of the wrong type. */
  'BAD_COMMAND',
  /** A command not sent as application/json. */
  'BAD_CONTENT_TYPE',
  /** The viewer of a saved report runs and changes nothing. */
  'READ_ONLY',
  /** A run is going. */
  'BUSY',
  /** No host shown yet, or not in a phase that allows the command (reset first). */
  'NOT_READY',
  /** Stop with nothing running. */
  'NOT_RUNNING',
  /** The shown host (or the one to switch to) stopped answering. */
  'HOST_LOST',
  /** No host at that port. */
  'UNKNOWN_HOST',
  /** No instance or plug-in with that id. */
  'UNKNOWN_ITEM',
  /** The item is not optional, or is the context. */
  'CANNOT_TOGGLE',
  'UNKNOWN_ACTION',
  /** The action's class is malformed (its error is in the terminal). */
  'BROKEN_ACTION',
  'INACTIVE_ACTION',
  /** The action does not apply to the plug-in's state (its `on`). */
  'UNAVAILABLE_ACTION',
  /** The plug-in has no repair. */
  'CANNOT_REPAIR',
  /** The plug-in has not failed. */
  'NOTHING_TO_REPAIR',
  /** A fault of the GUI itself; the message says what. */
  'INTERNAL',
  /** Made by the page itself: the GUI process did not answer the command. */
  'UNREACHABLE',
] as const;
/** Why a command was refused: the `code` of CommandReply's error. */
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

export class CommandError extends CodedError<CommandErrorCode> {
  static override readonly brand = 'pyblish.gui.CommandError';
  static override readonly codes = COMMAND_ERROR_CODES;
}

export const HOST_CALL_ERROR_CODES = [
  /** The connection was refused or reset: the host process is gone. */
  'HOST_GONE',
  'HOST_TIMEOUT',
  /** The host answered with a fault. */
  'HOST_FAULT',
  /** The host refused the GUI's token (HTTP 401/403). */
  'HOST_REFUSED_AUTH',
  /** The reply is not what the method returns. */
  'HOST_BAD_REPLY',
  /** The GUI gave the call up (the host was lost, or the GUI is closing). */
  'HOST_CALL_ABORTED',
] as const;
export type HostCallErrorCode = (typeof HOST_CALL_ERROR_CODES)[number];

export class HostCallError extends CodedError<HostCallErrorCode> {
  static override readonly brand = 'pyblish.gui.HostCallError';
  static override readonly codes = HOST_CALL_ERROR_CODES;
  constructor(
    code: HostCallErrorCode,
    message: string,
    readonly method: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export const REPORT_FILE_ERROR_CODES = [
  'REPORT_NOT_FOUND',
  /** A folder, or a file that cannot be read. */
  'REPORT_UNREADABLE',
  'REPORT_NOT_JSON',
  /** JSON, but neither a GUI report nor a headless publish report. */
  'REPORT_NOT_A_REPORT',
  /** A GUI report of a formatVersion this GUI does not read. */
  'REPORT_WRONG_VERSION',
  /** A report with a field missing or of the wrong type. */
  'REPORT_MALFORMED',
] as const;
export type ReportFileErrorCode = (typeof REPORT_FILE_ERROR_CODES)[number];

/** A report file that cannot be shown; the message names the file and what is wrong with it. */
export class ReportFileError extends CodedError<ReportFileErrorCode> {
  static override readonly brand = 'pyblish.gui.ReportFileError';
  static override readonly codes = REPORT_FILE_ERROR_CODES;
  constructor(
    code: ReportFileErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(code, `${file}: ${message}`);
  }
}

export const MALFORMED_CODES = ['MALFORMED_FIELD'] as const;

/** A field of the wrong type: where it is and what it should be ("report.results[3].success must be boolean"). */
export class Malformed extends CodedError<(typeof MALFORMED_CODES)[number]> {
  static override readonly brand = 'pyblish.gui.Malformed';
  static override readonly codes = MALFORMED_CODES;
  constructor(message: string) {
    super('MALFORMED_FIELD', message);
  }
}
