// What a failed call to a host says, as a HostCallError whose message tells the user what to do,
// and what it shows of the host: it answered (a fault, a refusal), or it is gone (nothing listens).

import { cutText } from '@pyblish/host';
import { Fault, TransportError } from '@pyblish/xmlrpc';
import { HostCallError } from './errors.js';

/** Longest fault text of a host kept in an error message (it reaches the page and the report). */
const MAX_FAULT_TEXT = 2000;

const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'NETWORK', 'CLOSED', 'TRUNCATED']);

export interface Failure {
  error: HostCallError;
  /** `heard`: the host answered; `gone`: its connection was refused or reset; null: neither. */
  sign: 'heard' | 'gone' | null;
}

/** `err` from calling `method` on the host at `port` with `timeout` ms to answer. */
export function explainFailure(port: number, method: string, err: unknown, timeout: number): Failure {
  const where = `the host at port ${port}`;
  if (err instanceof Fault) {
    const said = cutText(err.faultString, MAX_FAULT_TEXT);
    const error = new HostCallError('HOST_FAULT', `${where} refused ${method}: ${said}`, method, {
      cause: err,
    });
    return { error, sign: 'heard' };
  }
  if (err instanceof TransportError) {
    if (err.code === 'ABORTED') {
      const error = new HostCallError('HOST_CALL_ABORTED', `${method} was cancelled`, method, { cause: err });
      return { error, sign: null };
    }
    if (err.code === 'TIMEOUT') {
      const error = new HostCallError(
        'HOST_TIMEOUT',
        `${where} did not answer ${method} within ${Math.round(timeout / 1000)} s. Check that it is not frozen, then Reset.`,
        method,
        { cause: err },
      );
      return { error, sign: null };
    }
    if (err.code === 'HTTP_STATUS' && (err.status === 401 || err.status === 403)) {
      const error = new HostCallError(
        'HOST_REFUSED_AUTH',
        `${where} refused the GUI's credentials (HTTP ${err.status}). Call show() again from the host so the GUI learns its token.`,
        method,
        { cause: err },
      );
      return { error, sign: 'heard' };
    }
    if (GONE.has(err.code)) {
      const error = new HostCallError(
        'HOST_GONE',
        `The host at port ${port} stopped answering. Restart it and it will show again.`,
        method,
        { cause: err },
      );
      return { error, sign: 'gone' };
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  const error = new HostCallError(
    'HOST_BAD_REPLY',
    `${where} sent an unusable reply to ${method}: ${message}`,
    method,
    {
      cause: err,
    },
  );
  return { error, sign: null };
}
