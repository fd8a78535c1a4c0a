// Messages between a host's main thread and its server worker (see transport.ts).
import type { EncodedValueData, XmlRpcValue } from '@pyblish/xmlrpc';
import type { GuiState, HeartbeatOptions } from './heartbeat.js';
import type { HostMethodKey } from './protocol.js';

export interface WorkerConfig {
  port: number;
  token: string | null;
  /** The methods to serve (their declarations are in protocol.ts). */
  served: readonly HostMethodKey[];
  /** The BusyBoard's memory: the main thread writes the running pair, the worker reads it. */
  busy: SharedArrayBuffer;
  /** The RequestCounter's memory: the worker counts, the main thread's `stats` reads. */
  requests: SharedArrayBuffer;
  /** The session's Generation (reply-cache.ts): the main thread moves it on, the worker reads it. */
  changes: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'reply'; id: number; value: XmlRpcValue }
  /**
   * A reply the worker only sends on, encoded on the main thread (see ENCODED_HERE in transport.ts);
   * with the generation it was built at when the worker may send it again while that lasts.
   */
  | { type: 'encoded'; id: number; data: EncodedValueData; generation: number | null }
  | { type: 'fault'; id: number; code: number; message: string }
  | { type: 'heartbeat'; options: HeartbeatOptions }
  | { type: 'heartbeat-stop' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; port: number }
  | { type: 'listen-error'; code: string; message: string }
  | { type: 'call'; id: number; method: string; params: XmlRpcValue[] }
  | { type: 'abort'; id: number }
  | { type: 'gui'; state: GuiState }
  | { type: 'closed' };
