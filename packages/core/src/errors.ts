// The core's errors: PyblishError, raised by the core itself, and PluginError, what a failing
// plug-in call reports as plain data (a plug-in's exception is a result, never a throw, as in
// pyblish-base). The base class and its conventions: @pyblish/errors.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { codedError } from '@pyblish/errors';
import { parseStack } from './log.js';

/** An error raised by the core itself (bad arguments, invalid plug-ins). */
export class PyblishError extends codedError('pyblish.core.PyblishError', [
  'ACTION_NOT_FOUND', // processPlugin was asked for an action the plug-in does not list.
  'INSTANCE_REQUIRED', // An instance plug-in was processed without an instance.
  'NO_REPAIR', // repairPlugin on a plug-in without a repair method.
  'INVALID_PLUGIN', // Not a plug-in class, or one with invalid metadata.
]) {}
export type PyblishErrorCode = PyblishError['code'];

/** What went wrong inside a plug-in call, as plain data. */
export interface PluginError {
  message: string;
  stack: string;
  /** File, line and function of the failing frame inside the plug-in (null when unknown). */
  fname: string | null;
  lineNumber: number | null;
  func: string | null;
  /** The error class name ('Error', 'TypeError'...), or the type of a thrown non-Error value. */
  exc: string;
}

const coreDir = dirname(fileURLToPath(import.meta.url));
const demoDir = `${coreDir}/demo/`;

function isCoreFrame(path: string): boolean {
  return path.startsWith(`${coreDir}/`) && !path.startsWith(demoDir);
}

/**
 * Turns anything thrown into a PluginError. The failing frame is the first one in the plug-in's
 * own file, else the first one outside the core and Node's internals.
 */
export function toPluginError(thrown: unknown, pluginPath?: string): PluginError {
  if (!(thrown instanceof Error)) {
    const message =
      typeof thrown === 'string' ? thrown : inspect(thrown, { depth: 3, breakLength: Infinity });
    const exc =
      thrown === null
        ? 'null'
        : typeof thrown === 'object'
          ? (thrown.constructor?.name ?? 'Object')
          : typeof thrown;
    return {
      message: message || `(empty ${exc} thrown)`,
      stack: '',
      fname: null,
      lineNumber: null,
      func: null,
      exc,
    };
  }
  const frames = parseStack(thrown.stack).map((f) => ({ ...f, pathname: f.pathname.split('?')[0] ?? '' }));
  const frame =
    frames.find((f) => f.pathname === pluginPath) ??
    frames.find((f) => f.pathname !== '' && !f.pathname.startsWith('node:') && !isCoreFrame(f.pathname));
  return {
    message: thrown.message || thrown.name,
    stack: thrown.stack ?? '',
    fname: frame?.pathname ?? null,
    lineNumber: frame?.lineno ?? null,
    func: frame ? frame.funcName.replace(/^(?:Object|Module)\./, '') : null,
    exc: thrown.name && thrown.name !== 'Error' ? thrown.name : (thrown.constructor?.name ?? 'Error'),
  };
}

/**
 * The error of a call its signal aborted (Stop in a GUI, Ctrl+C in the CLI). The abort happened
 * to the plug-in, wherever abort() was called (inside a host's service, say), so the error
 * points at the plug-in's file and method instead of the frame that made the reason; its line
 * is unknown.
 */
export function abortError(reason: unknown, where: { path: string; func: string }): PluginError {
  const error = toPluginError(reason);
  return {
    ...error,
    fname: where.path,
    lineNumber: null,
    func: where.func,
    exc: error.exc === 'Error' ? 'AbortError' : error.exc,
  };
}
