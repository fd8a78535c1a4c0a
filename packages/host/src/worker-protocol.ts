// Messages between a host's main thread and its server worker (see transport.ts).
import type { EncodedValueData, MethodOptions, XmlRpcValue } from '@pyblish/xmlrpc';
import type { GuiState, HeartbeatOptions } from './heartbeat.js';

export interface WorkerConfig {
  port: number;
  token: string | null;
  methods: { name: string; options: MethodOptions }[];
  /** The BusyBoard's memory: the main thread writes the running pair, the worker reads it. */
  busy: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'reply'; id: number; value: XmlRpcValue }
  /** A reply the worker only sends on, encoded on the main thread (see ENCODED_HERE in transport.ts). */
  | { type: 'encoded'; id: number; data: EncodedValueData }
  | { type: 'fault'; id: number; code: number; message: string }
  | { type: 'heartbeat'; options: HeartbeatOptions }
  | { type: 'heartbeat-stop' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; port: number }
  | { type: 'listen-error'; code: string; message: string }
  | { type: 'call'; id: number; method: string; params: XmlRpcValue[]; uncounted?: true }
  | { type: 'abort'; id: number }
  | { type: 'counted' }
  | { type: 'gui'; state: GuiState }
  | { type: 'closed' };
