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
import { codedError } from '@pyblish/errors';

/** A command from the page refused; its code reaches the page as CommandReply's error code. */
export class CommandError extends codedError('pyblish.gui.CommandError', [
  'BAD_COMMAND', // Not a command the GUI knows, or a field of the wrong type.
  'BAD_CONTENT_TYPE', // A command not sent as application/json.
  'READ_ONLY', // The viewer of a saved report runs and changes nothing.
  'BUSY', // A run is going.
  'NOT_READY', // No host shown yet, or not in a phase that allows the command (reset first).
  'NOT_RUNNING', // Stop with nothing running.
  'HOST_LOST', // The shown host (or the one to switch to) stopped answering.
  'HOST_UNRESPONSIVE', // The GUI gave the host's call up after Stop; it has not answered since.
  'UNKNOWN_HOST', // No host at that port.
  'UNKNOWN_ITEM', // No instance or plug-in with that id.
  'CANNOT_TOGGLE', // The item is not optional, or is the context.
  'UNKNOWN_ACTION',
  'BROKEN_ACTION', // The action's class is malformed (its error is in the terminal).
  'INACTIVE_ACTION',
  'UNAVAILABLE_ACTION', // The action does not apply to the plug-in's state (its `on`).
  'CANNOT_REPAIR', // The plug-in has no repair.
  'NOTHING_TO_REPAIR', // The plug-in has not failed.
  'NO_FARM', // Publish on farm with no farm set up for the host (or a local farm for a Python host).
  'INTERNAL', // A fault of the GUI itself; the message says what.
  'UNREACHABLE', // Made by the page itself: the GUI process did not answer the command.
  'NOT_AUTHORISED', // Made by the page itself: the GUI process refused the page's secret (HTTP 401).
]) {}

/** A call to a host that failed; `method` names the call. */
export class HostCallError extends codedError('pyblish.gui.HostCallError', [
  'HOST_GONE', // The connection was refused or reset: the host process is gone.
  'HOST_TIMEOUT',
  'HOST_FAULT', // The host answered with a fault.
  'HOST_REFUSED_AUTH', // The host refused the GUI's token (HTTP 401/403).
  'HOST_BAD_REPLY', // The reply is not what the method returns.
  'HOST_CALL_ABORTED', // The GUI gave the call up (the host was lost, or the GUI is closing).
]) {
  constructor(
    code: HostCallErrorCode,
    message: string,
    readonly method: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A report file that cannot be shown; the message names the file and what is wrong with it. */
export class ReportFileError extends codedError('pyblish.gui.ReportFileError', [
  'REPORT_NOT_FOUND',
  'REPORT_UNREADABLE', // A folder, a pipe, a device, or a file that cannot be read.
  'REPORT_TOO_LARGE', // A file over the viewer's size limit (MAX_REPORT_BYTES).
  'REPORT_TOO_DEEP', // JSON nested deeper than the viewer's limit (MAX_REPORT_DEPTH).
  'REPORT_NOT_JSON',
  'REPORT_NOT_A_REPORT', // JSON, but neither a GUI report nor a headless publish report.
  'REPORT_WRONG_VERSION', // A GUI report of a formatVersion this GUI does not read.
  'REPORT_MALFORMED', // A report with a field missing or of the wrong type.
]) {
  constructor(
    code: ReportFileErrorCode,
    readonly file: string,
    message: string,
  ) {
    super(code, `${file}: ${message}`);
  }
}

/** A field of the wrong type: where it is and what it should be ("report.results[3].success must be boolean"). */
export class Malformed extends codedError('pyblish.gui.Malformed', ['MALFORMED_FIELD']) {
  constructor(message: string) {
    super('MALFORMED_FIELD', message);
  }
}

// The codes of each class, as types.
/** Why a command was refused: the `code` of CommandReply's error. */
export type CommandErrorCode = CommandError['code'];
export type HostCallErrorCode = HostCallError['code'];
export type ReportFileErrorCode = ReportFileError['code'];
