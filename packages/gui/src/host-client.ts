// The GUI's calls to one host's /pyblish service: typed, counted, each with a timeout suited
// to its kind, and every failure turned into a HostCallError that says what happened.

import type { ContextJSON, PluginJSON, RecordJSON, ResultJSON } from '@pyblish/host';
import { Fault, TransportError, XmlRpcClient, type XmlRpcValue } from '@pyblish/xmlrpc';
import { HostCallError } from './errors.js';

export interface Timeouts {
  /** ping, liveness, poll overhead. */
  probe: number;
  /** reset, context, discover, emit, stats. */
  query: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { probe: 2000, query: 30_000 };

export interface PollReply {
  done: boolean;
  seq: number;
  records: RecordJSON[];
  result: ResultJSON | null;
}

/** pyblish.begin's reply: with a wait, the pair's progress so far; without, its call id only. */
export interface BeginReply extends PollReply {
  callId: string;
}

export interface LivenessReply {
  busy: boolean;
  callId: string | null;
  since: number | null;
}

/** A result as our hosts send it: the wire shape plus the context revision extension. */
export type HostResult = ResultJSON & { contextRevision?: number };

export interface HostClientOptions {
  port: number;
  token?: string;
  timeouts?: Partial<Timeouts>;
  /** Called whenever the host answered (anything, even a fault): it is alive. */
  onHeard?(): void;
  /** Called when the connection was refused or reset: the host process is gone. */
  onGone?(): void;
}

const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'NETWORK', 'CLOSED', 'TRUNCATED']);

export class HostClient {
  readonly port: number;
  private readonly client: XmlRpcClient;
  private readonly timeouts: Timeouts;
  /** Requests made since the counter was last taken. */
  requests = 0;

  constructor(private readonly options: HostClientOptions) {
    this.port = options.port;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const clientOptions: { timeout: number; token?: string; keepAlive: boolean } = {
      timeout: this.timeouts.query,
      keepAlive: true,
    };
    if (options.token) clientOptions.token = options.token;
    this.client = new XmlRpcClient(`http://127.0.0.1:${options.port}/pyblish`, clientOptions);
  }

  /** One call; `timeout` 0 means none (a running plug-in may take hours; liveness watches it). */
  async call(
    method: string,
    params: XmlRpcValue[],
    timeout: number,
    signal?: AbortSignal,
  ): Promise<XmlRpcValue> {
    this.requests++;
    try {
      const callOptions: { timeout?: number; signal?: AbortSignal } = { timeout: Math.max(timeout, 0) };
      if (signal) callOptions.signal = signal;
      const reply = await this.client.call(method, params, callOptions);
      this.options.onHeard?.();
      return reply;
    } catch (err) {
      throw this.explain(method, err, timeout);
    }
  }

  private explain(method: string, err: unknown, timeout: number): HostCallError {
    const where = `the host at port ${this.port}`;
    if (err instanceof Fault) {
      this.options.onHeard?.();
      return new HostCallError('HOST_FAULT', `${where} refused ${method}: ${err.faultString}`, method, {
        cause: err,
      });
    }
    if (err instanceof TransportError) {
      if (err.code === 'ABORTED')
        return new HostCallError('HOST_CALL_ABORTED', `${method} was cancelled`, method, { cause: err });
      if (err.code === 'TIMEOUT') {
        return new HostCallError(
          'HOST_TIMEOUT',
          `${where} did not answer ${method} within ${Math.round(timeout / 1000)} s. Check that it is not frozen, then Reset.`,
          method,
          { cause: err },
        );
      }
      if (err.code === 'HTTP_STATUS' && (err.status === 401 || err.status === 403)) {
        this.options.onHeard?.();
        return new HostCallError(
          'HOST_REFUSED_AUTH',
          `${where} refused the GUI's credentials (HTTP ${err.status}). Call show() again from the host so the GUI learns its token.`,
          method,
          { cause: err },
        );
      }
      if (GONE.has(err.code)) {
        this.options.onGone?.();
        return new HostCallError(
          'HOST_GONE',
          `The host at port ${this.port} stopped answering. Restart it and it will show again.`,
          method,
          { cause: err },
        );
      }
    }
    const message = err instanceof Error ? err.message : String(err);
    return new HostCallError(
      'HOST_BAD_REPLY',
      `${where} sent an unusable reply to ${method}: ${message}`,
      method,
      {
        cause: err,
      },
    );
  }

  ping(): Promise<XmlRpcValue> {
    return this.call('ping', [], this.timeouts.probe);
  }

  async listMethods(): Promise<string[]> {
    try {
      const names = await this.call('system.listMethods', [], this.timeouts.probe);
      return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
    } catch (err) {
      // A host without introspection simply has no extensions.
      if (err instanceof HostCallError && err.code === 'HOST_FAULT') return [];
      throw err;
    }
  }

  async liveness(): Promise<LivenessReply> {
    return (await this.call('pyblish.liveness', [], this.timeouts.probe)) as unknown as LivenessReply;
  }

  async reset(): Promise<void> {
    await this.call('reset', [], this.timeouts.query);
  }

  async context(): Promise<ContextJSON> {
    const reply = await this.call('context', [], this.timeouts.query);
    if (!reply || typeof reply !== 'object' || !Array.isArray((reply as { children?: unknown }).children)) {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent a context without children`,
        'context',
      );
    }
    return reply as unknown as ContextJSON;
  }

  async discover(): Promise<PluginJSON[]> {
    const reply = await this.call('discover', [], this.timeouts.query);
    if (!Array.isArray(reply)) {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent no plug-in list`,
        'discover',
      );
    }
    return reply as unknown as PluginJSON[];
  }

  async process(
    pluginId: string,
    instanceId: string | null,
    actionId: string | null,
    signal?: AbortSignal,
  ): Promise<HostResult> {
    return (await this.call(
      'process',
      [{ id: pluginId }, instanceId === null ? null : { id: instanceId }, actionId],
      0,
      signal,
    )) as unknown as HostResult;
  }

  async repair(pluginId: string, instanceId: string | null, signal?: AbortSignal): Promise<HostResult> {
    return (await this.call(
      'repair',
      [{ id: pluginId }, instanceId === null ? null : { id: instanceId }],
      0,
      signal,
    )) as unknown as HostResult;
  }

  /**
   * Whether the host's pyblish.begin takes a fourth argument (waitMs): its signature lists it.
   * Hosts without introspection, or an older begin, get the call-id-only form.
   */
  async beginWaits(): Promise<boolean> {
    try {
      const signatures = await this.call('system.methodSignature', ['pyblish.begin'], this.timeouts.probe);
      return Array.isArray(signatures) && signatures.some((s) => Array.isArray(s) && s.length >= 5);
    } catch (err) {
      if (err instanceof HostCallError && err.code === 'HOST_FAULT') return false;
      throw err;
    }
  }

  /**
   * No timeout: a host may run a blocking plug-in before it answers; liveness watches it.
   * With `waitMs` (hosts whose begin waits) a quick pair comes back done, result and all.
   */
  async begin(
    pluginId: string,
    instanceId: string | null,
    actionId: string | null,
    signal?: AbortSignal,
    waitMs?: number,
  ): Promise<BeginReply> {
    const params: XmlRpcValue[] = [pluginId, instanceId, actionId];
    if (waitMs !== undefined) params.push(waitMs);
    const reply = await this.call('pyblish.begin', params, 0, signal);
    if (waitMs === undefined)
      return { callId: String(reply), done: false, seq: 0, records: [], result: null };
    if (!reply || typeof reply !== 'object' || typeof (reply as { callId?: unknown }).callId !== 'string') {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent no call id for pyblish.begin`,
        'pyblish.begin',
      );
    }
    return reply as unknown as BeginReply;
  }

  async poll(callId: string, afterSeq: number, waitMs: number, signal?: AbortSignal): Promise<PollReply> {
    return (await this.call(
      'pyblish.poll',
      [callId, afterSeq, waitMs],
      waitMs + this.timeouts.probe + 1000,
      signal,
    )) as unknown as PollReply;
  }

  async cancel(callId: string): Promise<boolean> {
    return (await this.call('pyblish.cancel', [callId], this.timeouts.probe)) === true;
  }

  async emit(signal: string, kwargs: Record<string, XmlRpcValue>): Promise<void> {
    await this.call('emit', [signal, kwargs], this.timeouts.query);
  }

  close(): void {
    this.client.close();
  }
}
