// The /pyblish service: the handlers behind the methods a GUI calls on a host (declared in
// protocol.ts; docs/host.md) plus our extensions (pyblish.begin/poll/cancel/liveness/emitBatch,
// and pyblish.run/pollRun: a whole run iterated here, host-run.ts). Every call but ping, stats,
// the polls, cancel and liveness passes through the dispatch wrapper (so does each pair of a
// host-side run), so an embedding application can run it on its own scheduler. Calls that may
// change the session move its generation on, and context() and discover() replies are reused
// while it stays (reply-cache.ts). served-methods.ts turns the handlers into the served table.
import {
  type Instance,
  type LogRecord,
  type PluginClass,
  type ProcessOptions,
  processPlugin,
  type Result,
  repairPlugin,
} from '@pyblish/core';
import { planPublish } from '@pyblish/farm/job';
import {
  Fault,
  FaultCode,
  isStruct,
  MethodRegistry,
  preencode,
  type XmlRpcStruct,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { type BusyState, livenessOf, RunningCall, type RunPairState } from './calls.js';

export type { BusyState } from './calls.js';

import { ContextEncoder } from './context-reply.js';
import { formatRecord, formatResult, formatRunResult, pyblishQmlResult } from './format.js';
import { HostRun, parseRunSpec, type RunSpec, type RunWork } from './host-run.js';
import { IdTable } from './id-table.js';
import { HOST_EXTENSIONS, HostMethod, type HostMethodKey } from './protocol.js';
import { asReply, Generation, ReplyCache } from './reply-cache.js';
import { RequestCounter } from './request-counter.js';
import { type HostHandlers, serveMethods } from './served-methods.js';
import { Session, type SessionOptions } from './session.js';
import {
  type ContextJSON,
  type FarmPlanJSON,
  type LivenessJSON,
  PING_REPLY,
  type PluginJSON,
  type PollJSON,
  type ResultJSON,
  type RunPollJSON,
} from './wire.js';

/** How a pair runs: the action to run instead of process(), and what may abort it. */
interface PairOptions {
  action?: string | null;
  /** A begun pair, followed by pyblish.poll and aborted by pyblish.cancel. */
  running?: RunningCall | null;
  /** Aborted when a plain call's caller disconnects, or a host-side run is cancelled. */
  signal?: AbortSignal;
  /** The pair's place in a host-side run (liveness shows it to the server worker). */
  pair?: RunPairState;
}

/** Runs `fn` where the application wants host work to run (its main thread, a queue...). */
export type DispatchWrapper = <T>(fn: () => T | Promise<T>) => Promise<T>;

const direct: DispatchWrapper = async (fn) => fn();

export interface ServiceOptions extends SessionOptions {
  /** Told when a pair starts (a BusyState) and ends (null); the liveness worker mirrors it. */
  onBusy?: (state: BusyState | null) => void;
  /** Serve pyblish.begin/poll/cancel/liveness (default true). */
  extensions?: boolean;
}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function invalid(message: string): Fault {
  return new Fault(FaultCode.InvalidParams, message);
}

const same = <T>(value: T): T => value;
const rethrow = (err: unknown): never => {
  throw err;
};

/** Where a begun pair's records go as the plug-in logs them. */
function recordsInto(running: RunningCall): (record: LogRecord) => void {
  return (record) => running.addRecord(formatRecord(record));
}

/** Why a cancelled pair failed: one place, so a pair cancelled alone or with its run reads alike. */
function cancelledByGui(): Error {
  return new Error('Cancelled by the GUI');
}

/** An id from a struct `{ id }` (as discover()/context() returned it) or a bare id string. */
function idOf(v: XmlRpcValue | undefined, method: string, what: string): string {
  if (typeof v === 'string') return v;
  if (isStruct(v) && typeof v.id === 'string') return v.id;
  throw invalid(
    `${method}: ${what} must be a ${what} struct with a string "id" (as the host returned it), or an id`,
  );
}

function optionalId(v: XmlRpcValue | undefined, method: string, what: string): string | null {
  return v === null || v === undefined ? null : idOf(v, method, what);
}

/** The /pyblish methods as served on this thread; `service` holds the session behind them. */
export class PyblishMethods extends MethodRegistry {
  constructor(readonly service: PyblishService) {
    super();
  }
}

export class PyblishService {
  readonly session: Session;
  /** Counted where calls are served (serveMethods); read by `stats`. */
  readonly requests = new RequestCounter();
  /** Moved on by every call that may change the session; the server worker reads it too. */
  readonly changes = new Generation();
  /** context() and discover() replies, reused while `changes` stays. */
  readonly replies = new ReplyCache(this.changes);
  private readonly contextEncoder = new ContextEncoder();
  /** The handler behind each /pyblish method; serveMethods counts calls and adds begin's wait. */
  readonly handlers: HostHandlers;
  /** The methods served: all declared, or without our extensions. */
  readonly served: readonly HostMethodKey[];
  private wrapper: DispatchWrapper = direct;
  /** Begun pairs: those running, and the last 32 finished until polled. */
  private readonly calls = new IdTable('call', 32, (id) => new RunningCall(id));
  /** Host-side runs: the one running, and the last 4 ended until polled. */
  private readonly runs = new IdTable('run', 4, (id, spec: RunSpec) => new HostRun(id, spec));
  private queue: Promise<unknown> = Promise.resolve();
  private busy: BusyState | null = null;

  constructor(private readonly options: ServiceOptions = {}) {
    this.session = new Session(options);
    this.handlers = this.buildHandlers();
    const all = Object.keys(HostMethod) as HostMethodKey[];
    this.served = options.extensions === false ? all.filter((k) => !HOST_EXTENSIONS.includes(k)) : all;
  }

  get requestCount(): number {
    return this.requests.count;
  }

  setDispatchWrapper(wrapper: DispatchWrapper | null): void {
    this.wrapper = wrapper ?? direct;
  }

  /** Runs one service call through the dispatch wrapper, after any pending reset. */
  private call<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.wrapper(async () => {
      await this.session.whenReady();
      return fn();
    });
  }

  liveness(): LivenessJSON {
    return livenessOf(this.busy);
  }

  /**
   * Tells the host its session changed outside its calls (an application edited the context
   * itself): context() and discover() are built afresh at their next call.
   */
  changed(): void {
    this.changes.bump();
  }

  /** Runs a call that may change the session: replies kept before it, or during it, are not reused. */
  private async changing<T>(work: () => Promise<T>): Promise<T> {
    this.changes.begin();
    try {
      return await work();
    } finally {
      this.changes.end();
    }
  }

  /** Pairs (and host-side runs) take turns, in arrival order: a second request waits, never interleaves. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runPair(
    kind: 'process' | 'repair',
    plugin: PluginClass,
    instanceId: string | null,
    how: PairOptions,
  ): Promise<ResultJSON> {
    const run = async () => {
      const instance = instanceId === null ? null : this.session.instance(instanceId);
      const result = await this.processPair(kind, plugin, instance, how, same, rethrow);
      // A begun pair's records went out in its polls; its result does not carry them again.
      const carried = how.running ? { ...result, records: [] } : result;
      return formatResult(carried, this.session.pluginJsonOf(plugin), this.session.context);
    };
    // A begun pair starts on a later macrotask: its call id must be posted to the caller first,
    // or a plug-in that blocks the thread synchronously would hold the reply until it ends.
    return this.enqueue(how.running ? () => new Promise<void>((r) => setImmediate(r)).then(run) : run);
  }

  /**
   * Processes one pair now (the caller holds the queue) and hands its result to `next` (or a
   * failure of the host, not of the plug-in, to `failed`). Not an async function, and the
   * caller's own step runs in this one `then`: a host-side run calls it for every pair, and each
   * promise fewer counts (core's log capture hooks them all).
   */
  private processPair<T>(
    kind: 'process' | 'repair',
    plugin: PluginClass,
    instance: Instance | null,
    how: PairOptions,
    next: (result: Result) => T,
    failed: (err: unknown) => T,
  ): Promise<T> {
    const { action = null, running = null } = how;
    // A begun pair is aborted by pyblish.cancel; a plain call when its caller disconnects; a
    // pair of a host-side run with its run.
    const signal = how.signal ?? running?.abort.signal;
    const session = this.session;
    // Built field by field: this runs for every pair of a host-side run.
    const busy: BusyState = { callId: running?.id ?? null, since: Date.now() / 1000 };
    if (how.pair) busy.pair = how.pair;
    this.setBusy(busy);
    // A host-side run is one change from its start to its end (startRun), not one a pair; its
    // next pair takes the board over at once, and the run clears it at its end.
    const alone = !how.pair;
    if (alone) this.changes.begin();
    const options: ProcessOptions = { registry: session.registry, signal, action };
    if (running) options.onRecord = recordsInto(running);
    // Neither throws: each resolves to a result whatever the plug-in does.
    const processing =
      kind === 'repair'
        ? repairPlugin(plugin, session.context, instance, options)
        : processPlugin(plugin, session.context, instance, options);
    if (!alone) return processing.then(next, failed);
    const ended = () => {
      this.changes.end();
      this.setBusy(null);
    };
    return processing.then(
      (result) => {
        ended();
        return next(result);
      },
      (err: unknown) => {
        ended();
        return failed(err);
      },
    );
  }

  /** pyblish.run: the whole run takes one turn of the queue; it starts after its id is sent. */
  private startRun(spec: RunSpec): RunPollJSON {
    const run = this.runs.create(spec);
    const s = this.session;
    const work: RunWork = {
      plugins: () => s.pluginList(),
      instances: () => s.context,
      revision: () => s.context.revision,
      process: (pair, running, signal, instance, then) => {
        const plugin = s.plugin(pair.plugin);
        const how = { running, pair, signal };
        const done = (result: Result) => then(formatRunResult(result, pair.plugin, pair.instance, s.context));
        const failed = (err: unknown) => {
          const {
            plugin: _,
            instance: __,
            action: ___,
            ...rest
          } = this.failedRun(plugin, pair.instance, err);
          return then({ ...rest, plugin: pair.plugin, instance: pair.instance });
        };
        // The default wrapper would only add a promise per pair: leave it out.
        return this.wrapper === direct
          ? this.processPair('process', plugin, instance, how, done, failed)
          : this.wrapper(() => this.processPair('process', plugin, instance, how, done, failed)).catch(
              failed,
            );
      },
    };
    void this.enqueue(() =>
      new Promise<void>((r) => setImmediate(r))
        .then(() => this.changing(() => run.execute(work)))
        .then(() => this.setBusy(null)),
    );
    return run.reply(0, -1);
  }

  /** pyblish.pollRun's reply. */
  private async pollRun(
    runId: string,
    afterSeq: number,
    afterRecord: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<RunPollJSON> {
    const run = this.runs.get(runId);
    if (!run) throw this.unknownCall(runId);
    await run.wait(afterSeq, afterRecord, waitMs, signal);
    return run.reply(afterSeq, afterRecord);
  }

  private setBusy(state: BusyState | null): void {
    this.busy = state;
    this.options.onBusy?.(state);
  }

  /** Builds the method table served on this thread. */
  methods(): PyblishMethods {
    return serveMethods(new PyblishMethods(this), this.handlers, this.served, this.requests);
  }

  private buildHandlers(): HostHandlers {
    const s = this.session;
    return {
      // They touch no session state: answered at once, as the server worker answers them.
      ping: () => ({ ...PING_REPLY }),
      stats: () => ({ totalRequestCount: this.requestCount }),
      reset: () => this.call(() => this.changing(() => s.reset()).then(() => null)),
      context: () =>
        this.call(() => {
          const reply = this.replies.reuse(HostMethod.context.name, () => {
            s.stampMetadata();
            return this.contextEncoder.encode(s.context);
          });
          return asReply<ContextJSON>(reply);
        }),
      discover: () =>
        this.call(() => {
          const plugins = () => preencode(s.pluginList() as unknown as XmlRpcValue);
          return asReply<PluginJSON[]>(this.replies.reuse(HostMethod.discover.name, plugins));
        }),
      process: ([plugin, instance, action], info) =>
        this.call(() => {
          const p = s.plugin(idOf(plugin, 'process', 'plugin'));
          const i = optionalId(instance, 'process', 'instance');
          return this.runPair('process', p, i, { action: action ?? null, signal: info.signal }).then(
            pyblishQmlResult,
          );
        }),
      repair: ([plugin, instance], info) =>
        this.call(() => {
          const p = s.plugin(idOf(plugin, 'repair', 'plugin'));
          const i = optionalId(instance, 'repair', 'instance');
          return this.runPair('repair', p, i, { signal: info.signal }).then(pyblishQmlResult);
        }),
      emit: ([signal, kwargs]) => this.call(() => this.changing(async () => this.emit(signal, kwargs ?? {}))),
      emitBatch: ([signals]) => this.call(() => this.changing(async () => this.emitBatch(signals))),
      test: ([vars]) => this.call(() => this.test(vars)),
      update: ([key, value, name]) =>
        this.call(() => this.changing(async () => this.update(key, value, name))),
      begin: ([plugin, instance, action]) =>
        this.call(() => {
          const p = s.plugin(idOf(plugin, 'pyblish.begin', 'plugin'));
          const i = optionalId(instance, 'pyblish.begin', 'instance');
          if (i !== null) s.instance(i);
          const running = this.calls.create();
          this.runPair('process', p, i, { action: action ?? null, running }).then(
            (result) => running.finish(result),
            (err: unknown) => running.finish(this.failedRun(p, i, err)),
          );
          return running.id;
        }),
      // Not through the dispatch wrapper: waiting must not occupy the application's scheduler.
      poll: ([callId, afterSeq, waitMs], info) => this.pollReply(callId, afterSeq, waitMs ?? 0, info.signal),
      cancel: ([callId]) => {
        const run = this.runs.get(callId);
        if (run) return run.cancel(cancelledByGui());
        const running = this.runningCall(callId);
        if (running.done) return false;
        running.abort.abort(cancelledByGui());
        return true;
      },
      liveness: () => this.liveness(),
      run: ([spec]) => this.call(() => this.startRun(parseRunSpec(spec))),
      // Not through the dispatch wrapper, as poll.
      pollRun: ([runId, afterSeq, afterRecord, waitMs], info) =>
        this.pollRun(runId, afterSeq, afterRecord, waitMs ?? 0, info.signal),
      farmPlan: ([targets]) => this.call(() => this.farmPlan(targets ?? null)),
    };
  }

  /** The farm jobs of this context, made here where the real data is (the wire carries a whitelist). */
  private farmPlan(targets: string[] | null): FarmPlanJSON {
    const s = this.session;
    if (targets && !targets.every((t) => typeof t === 'string'))
      throw invalid('pyblish.farmPlan: targets must be a list of strings, or nil for ["farm"]');
    try {
      const plan = planPublish(s.context, targets ? { targets } : {});
      return { plan: JSON.stringify(plan), pluginPaths: s.registry.pluginPaths() };
    } catch (err) {
      // NOT_JSON_SAFE names the key to fix; NOTHING_TO_PUBLISH says nothing is set to publish.
      throw new Fault(FaultCode.ApplicationError, (err as Error).message);
    }
  }

  /** pyblish.poll's reply. */
  private async pollReply(
    callId: string,
    afterSeq: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<PollJSON> {
    const running = this.runningCall(callId);
    const after = Math.max(0, Math.min(afterSeq, running.buffer.length));
    await running.waitFor(after, waitMs, signal);
    return running.reply(after);
  }

  private runningCall(id: string): RunningCall {
    const running = this.calls.get(id);
    if (!running) throw this.unknownCall(id);
    return running;
  }

  private unknownCall(id: string): Fault {
    return new Fault(
      FaultCode.ApplicationError,
      `no call "${id.slice(0, 100)}": it never started or was long finished`,
    );
  }

  /** A result for a begun pair whose instance vanished before it ran (a fault cannot reach a poller). */
  private failedRun(plugin: PluginClass, instanceId: string | null, err: unknown): ResultJSON {
    const json = this.session.pluginJsonOf(plugin);
    const message = err instanceof Fault ? err.faultString : err instanceof Error ? err.message : String(err);
    return {
      success: false,
      plugin: json,
      instance: null,
      error: { message: instanceId ? `${message} (instance ${instanceId})` : message, exc: 'HostError' },
      records: [],
      duration: 0,
      action: null,
      contextRevision: this.session.context.revision,
    };
  }

  private emit(signal: string, kwargs: XmlRpcStruct): null {
    const s = this.session;
    const args: Record<string, unknown> = { ...kwargs };
    if ('context' in kwargs) args.context = s.context;
    if (typeof kwargs.instance === 'string') args.instance = s.instance(kwargs.instance);
    if (typeof kwargs.plugin === 'string') args.plugin = s.plugin(kwargs.plugin);
    const newValue = kwargs.new_value;
    switch (signal) {
      case 'instanceToggled':
        if (typeof newValue !== 'boolean' || typeof kwargs.instance !== 'string') {
          throw invalid(
            'emit instanceToggled: kwargs must be {instance: id, new_value: bool, old_value: bool}',
          );
        }
        s.instance(kwargs.instance).data.publish = newValue;
        break;
      case 'pluginToggled':
        if (typeof newValue !== 'boolean' || typeof kwargs.plugin !== 'string') {
          throw invalid('emit pluginToggled: kwargs must be {plugin: id, new_value: bool, old_value: bool}');
        }
        s.setActive(kwargs.plugin, newValue);
        break;
      case 'commented':
        if (typeof kwargs.comment === 'string') s.context.data.comment = kwargs.comment;
        break;
      case 'instanceCommented': {
        const target =
          typeof kwargs.instance === 'string'
            ? s.instance(kwargs.instance)
            : typeof kwargs.name === 'string'
              ? s.instanceByName(kwargs.name)
              : undefined;
        if (target && typeof kwargs.comment === 'string') target.data.comment = kwargs.comment;
        break;
      }
    }
    s.registry.emit(signal, args);
    return null;
  }

  /** Many emits in one call (a section of 10,000 toggles is one request, not 10,000). */
  private emitBatch(signals: XmlRpcValue[]): number {
    for (const [i, entry] of signals.entries()) {
      const { signal, kwargs = {} } = isStruct(entry) ? entry : {};
      if (typeof signal !== 'string' || !isStruct(kwargs)) {
        throw invalid(`pyblish.emitBatch: entry ${i} must be {signal: string, kwargs: struct}`);
      }
      try {
        this.emit(signal, kwargs);
      } catch (err) {
        if (!(err instanceof Fault)) throw err;
        throw new Fault(
          err.faultCode,
          `pyblish.emitBatch: entry ${i} (${signal.slice(0, 100)}): ${err.faultString}; the ${i} before it were emitted`,
        );
      }
    }
    return signals.length;
  }

  private test(vars: XmlRpcStruct): string | null {
    const { nextOrder, ordersWithError } = vars;
    if (typeof nextOrder !== 'number') throw invalid('test: vars.nextOrder must be a number');
    // HEAD-era GUIs send a list; a struct (a Python set that somehow arrived as keys) is accepted too.
    const orders = Array.isArray(ordersWithError)
      ? ordersWithError
      : isStruct(ordersWithError)
        ? Object.keys(ordersWithError).map(Number)
        : [];
    const verdict = this.session.registry.registeredTest()({
      nextOrder,
      ordersWithError: orders.filter((o): o is number => typeof o === 'number'),
    });
    return verdict ? String(verdict) : null;
  }

  private update(key: string, value: XmlRpcValue, name: string | null | undefined): null {
    // data[key] = value with one of these keys would rewire the object itself (its prototype
    // supplies keys such as family or publish that plug-ins and context() would then believe).
    if (RESERVED_KEYS.has(key)) {
      throw invalid(
        `update: "${key}" cannot be a data key (it names a part of every object); choose another`,
      );
    }
    const s = this.session;
    if (name === null || name === undefined || name === 'Context') {
      s.context.data[key] = value;
      return null;
    }
    const target = s.instanceByName(name);
    if (!target)
      throw new Fault(
        FaultCode.ApplicationError,
        `update: no instance named "${String(name).slice(0, 100)}"`,
      );
    target.data[key] = value;
    return null;
  }
}

/** The /pyblish method table with a fresh session; `.service` reaches the session. */
export function createService(options: ServiceOptions = {}): PyblishMethods {
  return new PyblishService(options).methods();
}
