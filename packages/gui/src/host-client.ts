// The GUI's calls to one host's /pyblish service: typed by their declarations (HostMethod in
// @pyblish/host), counted, each with a timeout suited to its kind, and every failure turned into
// a HostCallError that says what happened. runPair is the transport of one pair: begin (waiting
// a moment for a quick pair), long polls streaming its records, or one plain process call;
// followRun that of a whole run the host iterates itself (pyblish.run, then long polls).

import {
  type BeginJSON,
  type ContextJSON,
  HostMethod,
  type LivenessJSON,
  type PingJSON,
  type PluginJSON,
  type PollJSON,
  type RecordJSON,
  type ResultJSON,
  type RunPollJSON,
  type RunSpecJSON,
  readRunColumns,
  runResultsOf,
} from '@pyblish/host';
import {
  isStruct,
  type MethodType,
  type ParamList,
  SystemMethod,
  TransportError,
  XmlRpcClient,
  type XmlRpcStruct,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { HostCallError } from './errors.js';
import { explainFailure } from './host-call-failure.js';
import { fromHost } from './host-values.js';

export interface Timeouts {
  /** ping, liveness, poll overhead. */
  probe: number;
  /** reset, context, discover, emit, stats. */
  query: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { probe: 2000, query: 30_000 };

/** How runPair runs one pair. */
export interface PairOptions {
  /** Aborts the outstanding request (the host was lost, or the GUI closes). */
  signal: AbortSignal;
  /** begin and long polls, records streamed as they are logged; false: one plain process call. */
  stream: boolean;
  /** How long the host's begin may wait for a quick pair; 0: begin answers with the call id only. */
  beginWaitMs: number;
  /** How long each poll may wait for a record. */
  pollWaitMs: number;
  /** Records as the plug-in logs them (streamed pairs only; the result repeats them). */
  onRecords(records: RecordJSON[]): void;
  /** The call id while the begun pair runs (what pyblish.cancel stops), then null. */
  onCallId(callId: string | null): void;
  /** Asked when a poll timed out: a blocked host delays polls too; poll on while it lives. */
  stillAlive(): boolean;
}

/** How followRun follows a host-side run. */
export interface RunFollowOptions {
  /** Aborts the outstanding request (the host was lost, or the GUI closes). */
  signal: AbortSignal;
  /** How long each poll may wait for news. */
  pollWaitMs: number;
  /** The run id while the run goes on (what pyblish.cancel stops), then null. */
  onRunId(runId: string | null): void;
  /**
   * Each reply in turn, the next not before this one has been taken in. The next poll is out
   * meanwhile (one at most): the host sends its batch while the GUI shows this one.
   */
  onReply(reply: RunPollJSON): void | Promise<void>;
  /** Asked when a poll timed out: a blocked host delays polls too; poll on while it lives. */
  stillAlive(): boolean;
  /** A poll is out (true), or answered (false): a poll the host is slow to answer reads as busy. */
  onPolling(polling: boolean): void;
}

export interface HostClientOptions {
  port: number;
  token?: string;
  timeouts?: Partial<Timeouts>;
  /** Called whenever the host answered (anything, even a fault): it is alive. */
  onHeard?(): void;
  /** Called when the connection was refused or reset: the host process is gone. */
  onGone?(): void;
  /** Asked before every call: null to go ahead, or what to wait for first (it may refuse by throwing). */
  beforeCall?(): Promise<void> | null;
}

/**
 * The most instances (and plug-ins) the GUI takes from a host: its work on them is sliced, but
 * a window's snapshot and the report grow with them, and an artist cannot review more anyway.
 */
export const MAX_CONTEXT_INSTANCES = 50_000;
export const MAX_PLUGINS = 5000;

/**
 * Replies longer than this are decoded as they arrive, in short steps (slower in all, never
 * frozen); a shorter one is read in one go, in some 50 ms at the most (the context of 10,000
 * instances is about 8 MiB: three times as fast that way).
 */
const STREAM_ABOVE_BYTES = 16 * 1024 * 1024;

/**
 * A run reply's result columns (resultsAs 'columns'), read and checked, taken out of the reply;
 * null when it has none. An Error thrown here becomes call()'s HOST_BAD_REPLY naming the method.
 */
function takeColumns(reply: XmlRpcValue): XmlRpcValue | null {
  if (!isStruct(reply) || typeof reply.resultColumns !== 'string') return null;
  const columns = readRunColumns(reply.resultColumns);
  delete reply.resultColumns;
  return columns as unknown as XmlRpcValue;
}

/** The calls whose replies may carry result columns (run-columns.ts in @pyblish/host). */
const RUN_METHODS: ReadonlySet<string> = new Set([HostMethod.run.name, HostMethod.pollRun.name]);

export class HostClient {
  readonly port: number;
  private readonly client: XmlRpcClient;
  private readonly timeouts: Timeouts;
  /** Requests made since the counter was last taken. */
  requests = 0;
  /** Aborted by abandon(): every call outstanding then settles as given up. */
  private giveUp = new AbortController();

  constructor(private readonly options: HostClientOptions) {
    this.port = options.port;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const clientOptions: { timeout: number; token?: string; keepAlive: boolean; streamAboveBytes: number } = {
      timeout: this.timeouts.query,
      keepAlive: true,
      // A large context is read as it arrives: the GUI keeps serving others meanwhile.
      streamAboveBytes: STREAM_ABOVE_BYTES,
    };
    if (options.token) clientOptions.token = options.token;
    this.client = new XmlRpcClient(`http://127.0.0.1:${options.port}/pyblish`, clientOptions);
  }

  /** One call; `timeout` 0 means none (a running plug-in may take hours; liveness watches it). */
  async call<P extends ParamList, R>(
    method: MethodType<P, R>,
    params: P,
    timeout: number,
    signal?: AbortSignal,
  ): Promise<R> {
    const gate = this.options.beforeCall?.();
    if (gate) await gate;
    this.requests++;
    const stop = this.callSignal(signal);
    try {
      const callOptions = { timeout: Math.max(timeout, 0), signal: stop.signal };
      const reply = await this.client.call(method, params, callOptions);
      this.options.onHeard?.();
      const columns = RUN_METHODS.has(method.name) ? takeColumns(reply as XmlRpcValue) : null;
      // Where host data enters the GUI: from here on it is plain JSON (host-values.ts).
      const safe = (await fromHost(reply as XmlRpcValue)) as R;
      // Result columns are made safe as columns (a few lists, not 5,000 structs), then made results.
      if (columns) (safe as RunPollJSON).results = runResultsOf((await fromHost(columns)) as never);
      return safe;
    } catch (err) {
      throw this.explain(method.name, err, timeout);
    } finally {
      stop.done();
    }
  }

  /** The signal a call runs under: the caller's, and abandon()'s. */
  private callSignal(signal: AbortSignal | undefined): { signal: AbortSignal; done(): void } {
    const giveUp = this.giveUp.signal;
    if (!signal) return { signal: giveUp, done: () => undefined };
    const both = new AbortController();
    const abort = () => both.abort();
    if (signal.aborted || giveUp.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    giveUp.addEventListener('abort', abort, { once: true });
    return {
      signal: both.signal,
      done: () => {
        signal.removeEventListener('abort', abort);
        giveUp.removeEventListener('abort', abort);
      },
    };
  }

  /** Gives up every call outstanding (the host does not answer them); later calls go out as usual. */
  abandon(): void {
    const giveUp = this.giveUp;
    this.giveUp = new AbortController();
    giveUp.abort();
  }

  /** The failure as a HostCallError; what it says of the host reaches liveness. */
  private explain(method: string, err: unknown, timeout: number): HostCallError {
    const { error, sign } = explainFailure(this.port, method, err, timeout);
    if (sign === 'heard') this.options.onHeard?.();
    else if (sign === 'gone') this.options.onGone?.();
    return error;
  }

  ping(): Promise<PingJSON> {
    return this.call(HostMethod.ping, [], this.timeouts.probe);
  }

  async listMethods(): Promise<string[]> {
    try {
      const names = await this.call(SystemMethod.listMethods, [], this.timeouts.probe);
      return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
    } catch (err) {
      // A host without introspection simply has no extensions.
      if (err instanceof HostCallError && err.code === 'HOST_FAULT') return [];
      throw err;
    }
  }

  /** The methods the host lists, and whether its pyblish.begin waits for a quick pair. */
  async capabilities(): Promise<{ methods: string[]; beginWaits: boolean }> {
    const methods = await this.listMethods();
    const begin =
      methods.includes(HostMethod.begin.name) && methods.includes(SystemMethod.methodSignature.name);
    return { methods, beginWaits: begin && (await this.beginWaits()) };
  }

  liveness(): Promise<LivenessJSON> {
    return this.call(HostMethod.liveness, [], this.timeouts.probe);
  }

  async reset(): Promise<void> {
    await this.call(HostMethod.reset, [], this.timeouts.query);
  }

  async context(): Promise<ContextJSON> {
    const reply = await this.call(HostMethod.context, [], this.timeouts.query);
    if (!reply || typeof reply !== 'object' || !Array.isArray(reply.children)) {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent a context without children`,
        'context',
      );
    }
    if (reply.children.length > MAX_CONTEXT_INSTANCES) {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent a context of ${reply.children.length.toLocaleString('en')} instances; ` +
          `the GUI shows at most ${MAX_CONTEXT_INSTANCES.toLocaleString('en')}. Collect fewer at once, or publish them headless (pyblish publish).`,
        'context',
      );
    }
    return reply;
  }

  async discover(): Promise<PluginJSON[]> {
    const reply = await this.call(HostMethod.discover, [], this.timeouts.query);
    if (!Array.isArray(reply)) {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent no plug-in list`,
        'discover',
      );
    }
    if (reply.length > MAX_PLUGINS) {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent ${reply.length.toLocaleString('en')} plug-ins; the GUI runs at most ${MAX_PLUGINS.toLocaleString('en')}.`,
        'discover',
      );
    }
    return reply;
  }

  /** Runs one pair (or action) on the host and resolves to its result; plug-in errors are in it. */
  async runPair(
    pluginId: string,
    instanceId: string | null,
    actionId: string | null,
    options: PairOptions,
  ): Promise<ResultJSON> {
    if (!options.stream) {
      try {
        return this.resultOf(await this.process(pluginId, instanceId, actionId, options.signal), pluginId);
      } catch (err) {
        // The pair ran but its reply cannot be read (a Python host that does not cap records):
        // the pair failed, the run goes on.
        if (
          err instanceof HostCallError &&
          err.cause instanceof TransportError &&
          err.cause.code === 'TOO_LARGE'
        )
          return this.unreadableResult(err);
        throw err;
      }
    }
    const begun = await this.begin(pluginId, instanceId, actionId, options.signal, options.beginWaitMs);
    if (!begun.done) options.onCallId(begun.callId);
    let reply: PollJSON = begun;
    // Hosts that page their records (recordsStreamed in the result) do not repeat them at the end.
    const streamed: RecordJSON[] = [];
    try {
      for (;;) {
        if (Array.isArray(reply.records) && reply.records.length) {
          streamed.push(...reply.records);
          options.onRecords(reply.records);
        }
        if (reply.done) {
          if (!reply.result)
            throw new HostCallError(
              'HOST_BAD_REPLY',
              'the host finished a call without a result',
              'pyblish.poll',
            );
          const result = this.resultOf(reply.result, pluginId);
          return typeof result.recordsStreamed === 'number' ? { ...result, records: streamed } : result;
        }
        reply = await this.nextPoll(begun.callId, typeof reply.seq === 'number' ? reply.seq : 0, options);
      }
    } finally {
      if (!begun.done) options.onCallId(null);
    }
  }

  /** A failed result for a pair whose reply was too large to read. */
  private unreadableResult(err: HostCallError): ResultJSON {
    return {
      success: false,
      // The GUI reads no result's plug-in (it knows which pair it ran); there is none to give.
      plugin: null as unknown as ResultJSON['plugin'],
      instance: null,
      error: {
        message:
          `The host at port ${this.port} ran this pair, but its reply was too large for the GUI to read ` +
          `(${(err.cause as Error).message}); its result and log records are lost. Make the plug-in log less.`,
        exc: 'ReplyTooLarge',
      },
      records: [],
      duration: 0,
    };
  }

  private resultOf<R extends Pick<ResultJSON, 'success'>>(result: R, pluginId: string): R {
    if (!result || typeof result !== 'object' || typeof result.success !== 'boolean') {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent no result for ${pluginId}`,
        'process',
      );
    }
    return result;
  }

  private process(
    pluginId: string,
    instanceId: string | null,
    actionId: string | null,
    signal?: AbortSignal,
  ): Promise<ResultJSON> {
    const instance = instanceId === null ? null : { id: instanceId };
    return this.call(HostMethod.process, [{ id: pluginId }, instance, actionId], 0, signal);
  }

  async repair(pluginId: string, instanceId: string | null, signal?: AbortSignal): Promise<ResultJSON> {
    const reply = await this.call(
      HostMethod.repair,
      [{ id: pluginId }, instanceId === null ? null : { id: instanceId }],
      0,
      signal,
    );
    return this.resultOf(reply, pluginId);
  }

  /**
   * Whether the host's pyblish.begin takes a fourth argument (waitMs): its signature lists it.
   * Hosts without introspection, or an older begin, get the call-id-only form.
   */
  async beginWaits(): Promise<boolean> {
    try {
      const signatures = await this.call(
        SystemMethod.methodSignature,
        [HostMethod.begin.name],
        this.timeouts.probe,
      );
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
  private async begin(
    pluginId: string,
    instanceId: string | null,
    actionId: string | null,
    signal: AbortSignal,
    waitMs: number,
  ): Promise<BeginJSON> {
    const reply = await this.call(
      HostMethod.begin,
      waitMs > 0 ? [pluginId, instanceId, actionId, waitMs] : [pluginId, instanceId, actionId],
      0,
      signal,
    );
    if (waitMs <= 0) return { callId: String(reply), done: false, seq: 0, records: [], result: null };
    if (!reply || typeof reply !== 'object' || typeof reply.callId !== 'string') {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent no call id for pyblish.begin`,
        'pyblish.begin',
      );
    }
    return reply;
  }

  /** The next poll; a timed-out poll is asked again while the host lives. */
  private nextPoll(callId: string, afterSeq: number, options: PairOptions): Promise<PollJSON> {
    return this.longPoll(HostMethod.poll, [callId, afterSeq, options.pollWaitMs], options);
  }

  /** A long poll, waiting up to pollWaitMs on the host; asked again while the host lives. */
  private async longPoll<P extends ParamList, R>(
    method: MethodType<P, R>,
    params: P,
    options: Pick<PairOptions, 'pollWaitMs' | 'signal' | 'stillAlive'>,
  ): Promise<R> {
    for (;;) {
      try {
        return await this.call(
          method,
          params,
          options.pollWaitMs + this.timeouts.probe + 1000,
          options.signal,
        );
      } catch (err) {
        // A plug-in blocking the host's main thread delays polls too; liveness decides whether it lives.
        if (err instanceof HostCallError && err.code === 'HOST_TIMEOUT' && options.stillAlive()) continue;
        throw err;
      }
    }
  }

  /**
   * Hands the host a whole run and follows it to its end: each reply (finished pairs' results,
   * the running pair and its records, progress) goes to onReply in order. Resolves to the last.
   */
  async followRun(spec: RunSpecJSON, options: RunFollowOptions): Promise<RunPollJSON> {
    const started = this.runReply(
      await this.call(HostMethod.run, [spec as unknown as XmlRpcStruct], this.timeouts.query, options.signal),
      'pyblish.run',
    );
    options.onRunId(started.runId);
    let reply = started;
    try {
      for (;;) {
        // The next poll goes out before this reply is taken in: the host sends the next batch
        // while the GUI shows this one (one poll out at most, so a GUI behind a run still holds it back).
        const next = reply.finished ? null : this.pollRun(started.runId, reply, options);
        try {
          await options.onReply(reply);
        } catch (err) {
          next?.abort();
          throw err;
        }
        if (next === null) return reply;
        reply = await next.reply;
      }
    } finally {
      options.onRunId(null);
    }
  }

  /** The poll after `reply`, under way: its reply, and a way to call it off. */
  private pollRun(runId: string, reply: RunPollJSON, options: RunFollowOptions) {
    const controller = new AbortController();
    const signal = AbortSignal.any([options.signal, controller.signal]);
    // The records of the running pair the GUI has seen (-1: it has not seen that pair yet).
    const current = reply.current;
    const afterRecord = current && current.index === reply.seq ? current.seq : -1;
    const params = [runId, reply.seq, afterRecord, options.pollWaitMs] as const;
    options.onPolling(true);
    const polled = this.longPoll(HostMethod.pollRun, [...params], { ...options, signal })
      .then((r) => this.runReply(r, 'pyblish.pollRun'))
      .finally(() => options.onPolling(false));
    // Called off, it is never awaited: its rejection must not go unhandled.
    polled.catch(() => undefined);
    return { reply: polled, abort: () => controller.abort() };
  }

  private runReply(reply: RunPollJSON, method: string): RunPollJSON {
    const ok =
      reply &&
      typeof reply === 'object' &&
      typeof reply.runId === 'string' &&
      typeof reply.seq === 'number' &&
      Array.isArray(reply.results) &&
      typeof reply.finished === 'boolean' &&
      (reply.progress === null || typeof reply.progress?.done === 'number') &&
      (reply.current === null || (typeof reply.current === 'object' && Array.isArray(reply.current.records)));
    if (!ok) {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${this.port} sent an unusable run reply`,
        method,
      );
    }
    for (const result of reply.results) {
      this.resultOf(result, 'a pair of the run');
      if (typeof result.plugin !== 'string')
        throw new HostCallError(
          'HOST_BAD_REPLY',
          `the host at port ${this.port} sent a result without its plug-in`,
          method,
        );
    }
    return reply;
  }

  async cancel(callId: string): Promise<boolean> {
    return (await this.call(HostMethod.cancel, [callId], this.timeouts.probe)) === true;
  }

  async emit(signal: string, kwargs: Record<string, XmlRpcValue>): Promise<void> {
    await this.call(HostMethod.emit, [signal, kwargs], this.timeouts.query);
  }

  /** Many signals in one request (our hosts' pyblish.emitBatch). */
  async emitBatch(signals: Array<{ signal: string; kwargs: Record<string, XmlRpcValue> }>): Promise<void> {
    await this.call(HostMethod.emitBatch, [signals], this.timeouts.query);
  }

  close(): void {
    this.client.close();
  }
}
