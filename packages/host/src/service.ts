// The /pyblish service: the methods a GUI calls on a host (docs/host.md) plus our extensions
// (pyblish.begin/poll/cancel/liveness; begin may wait for a quick pair, see begin-wait.ts). Every
// call passes through the dispatch wrapper, so an embedding application can run it on its own
// scheduler; only registered names are callable.
import { type PluginClass, processPlugin, type Result, repairPlugin } from '@pyblish/core';
import {
  type CallInfo,
  Fault,
  FaultCode,
  type Handler,
  isStruct,
  type MethodOptions,
  MethodRegistry,
  type XmlRpcStruct,
  type XmlRpcValue,
} from '@pyblish/xmlrpc';
import { beginAndWait, MAX_BEGIN_WAIT_MS } from './begin-wait.js';
import { type BusyState, CallTable, livenessOf, type RunningCall } from './calls.js';

export type { BusyState } from './calls.js';

import { formatContext, formatRecord, formatResult } from './format.js';
import { Session, type SessionOptions } from './session.js';
import { type LivenessJSON, PING_REPLY, type PollJSON, type ResultJSON } from './wire.js';

/** How a pair runs: the action to run instead of process(), and what may abort it. */
interface PairOptions {
  action?: string | null;
  /** A begun pair, followed by pyblish.poll and aborted by pyblish.cancel. */
  running?: RunningCall | null;
  /** Aborted when a plain call's caller disconnects. */
  signal?: AbortSignal;
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

/** The /pyblish methods; `service` holds the session behind them, `specs` their declarations. */
export class PyblishMethods extends MethodRegistry {
  readonly specs: { name: string; options: MethodOptions }[] = [];
  constructor(readonly service: PyblishService) {
    super();
  }

  override register(name: string, handler: Handler, options: MethodOptions = {}): this {
    super.register(name, handler, options);
    this.specs.push({ name, options });
    return this;
  }
}

export class PyblishService {
  readonly session: Session;
  requestCount = 0;
  private wrapper: DispatchWrapper = direct;
  private readonly calls = new CallTable();
  private queue: Promise<unknown> = Promise.resolve();
  private busy: BusyState | null = null;

  constructor(private readonly options: ServiceOptions = {}) {
    this.session = new Session(options);
  }

  setDispatchWrapper(wrapper: DispatchWrapper | null): void {
    this.wrapper = wrapper ?? direct;
  }

  /** Runs one service call: counted, then through the dispatch wrapper after any pending reset. */
  private call<T>(fn: () => T | Promise<T>): Promise<T> {
    this.requestCount++;
    return this.wrapper(async () => {
      await this.session.whenReady();
      return fn();
    });
  }

  liveness(): LivenessJSON {
    return livenessOf(this.busy);
  }

  /** Pairs run one at a time, in arrival order: a second request waits, never interleaves. */
  private runPair(
    kind: 'process' | 'repair',
    plugin: PluginClass,
    instanceId: string | null,
    how: PairOptions,
  ): Promise<ResultJSON> {
    const { action = null, running = null } = how;
    // A begun pair is aborted by pyblish.cancel; a plain call when its caller disconnects.
    const signal = running ? running.abort.signal : how.signal;
    const run = async (): Promise<ResultJSON> => {
      const session = this.session;
      const instance = instanceId === null ? null : session.instance(instanceId);
      this.setBusy({ callId: running?.id ?? null, since: Date.now() / 1000 });
      let result: Result;
      try {
        const options = {
          registry: session.registry,
          signal,
          ...(running && {
            onRecord: (r: Parameters<typeof formatRecord>[0]) => running.addRecord(formatRecord(r)),
          }),
        };
        result =
          kind === 'repair'
            ? await repairPlugin(plugin, session.context, instance, options)
            : await processPlugin(plugin, session.context, instance, { ...options, action });
      } finally {
        this.setBusy(null);
      }
      return formatResult(result, session.pluginJsonOf(plugin), session.context);
    };
    // A begun pair starts on a later macrotask: its call id must be posted to the caller first,
    // or a plug-in that blocks the thread synchronously would hold the reply until it ends.
    const start = running ? () => new Promise<void>((r) => setImmediate(r)).then(run) : run;
    const next = this.queue.then(start, start);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setBusy(state: BusyState | null): void {
    this.busy = state;
    this.options.onBusy?.(state);
  }

  /** Builds the method table. */
  methods(): PyblishMethods {
    const m = new PyblishMethods(this);
    const s = this.session;
    const pluginParam = { type: ['struct', 'string'], name: 'plugin' } as const;
    const instanceParam = { type: ['struct', 'string', 'nil'], name: 'instance', optional: true } as const;
    const actionParam = { type: ['string', 'nil'], name: 'action', optional: true } as const;

    m.register('ping', () => this.call(() => ({ ...PING_REPLY })), {
      signature: [],
      help: 'Liveness check.',
    });
    m.register('stats', () => this.call(() => ({ totalRequestCount: this.requestCount })), {
      signature: [],
      help: 'Requests served so far.',
    });
    m.register('reset', () => this.call(() => s.reset().then(() => null)), {
      signature: [],
      help: 'A fresh empty context; plug-ins are discovered again.',
    });
    m.register(
      'context',
      () =>
        this.call(() => {
          s.stampMetadata();
          return formatContext(s.context) as unknown as XmlRpcValue;
        }),
      { signature: [], help: 'The context and its instances (whitelisted data only).' },
    );
    m.register('discover', () => this.call(() => s.pluginList() as unknown as XmlRpcValue), {
      signature: [],
      help: 'The plug-ins of this session, in order.',
    });
    m.register(
      'process',
      ([plugin, instance, action], info) =>
        this.call(async () => {
          const p = s.plugin(idOf(plugin, 'process', 'plugin'));
          const i = optionalId(instance, 'process', 'instance');
          // The signature has checked that action is a string or nil.
          return (await this.runPair('process', p, i, {
            action: (action as string | null) ?? null,
            signal: info.signal,
          })) as unknown as XmlRpcValue;
        }),
      {
        signature: [pluginParam, instanceParam, actionParam],
        help: 'Processes one pair (or runs an action when an action id is given); plug-in errors are in the result.',
      },
    );
    m.register(
      'repair',
      ([plugin, instance], info) =>
        this.call(async () => {
          const p = s.plugin(idOf(plugin, 'repair', 'plugin'));
          const i = optionalId(instance, 'repair', 'instance');
          return (await this.runPair('repair', p, i, { signal: info.signal })) as unknown as XmlRpcValue;
        }),
      { signature: [pluginParam, instanceParam], help: "Runs a plug-in's legacy repair()." },
    );
    m.register(
      'emit',
      ([signal, kwargs]) => this.call(() => this.emit(signal as string, (kwargs ?? {}) as XmlRpcStruct)),
      {
        signature: [
          { type: 'string', name: 'signal' },
          { type: 'struct', name: 'kwargs', optional: true },
        ],
        help: 'Emits a signal in the host; context, instance and plugin ids are replaced by the real objects.',
      },
    );
    m.register('test', ([vars]) => this.call(() => this.test(vars as XmlRpcStruct)), {
      signature: [{ type: 'struct', name: 'vars' }],
      help: "Runs the host's registered test with {nextOrder, ordersWithError}; a string means stop.",
    });
    m.register(
      'update',
      ([key, value, name]) => this.call(() => this.update(key as string, value ?? null, name)),
      {
        signature: [
          { type: 'string', name: 'key' },
          { type: 'any', name: 'value' },
          { type: ['string', 'nil'], name: 'name', optional: true },
        ],
        help: 'Sets data[key] on the context (name "Context" or nil) or on the instance with that name.',
      },
    );
    if (this.options.extensions !== false) this.registerExtensions(m);
    return m;
  }

  private registerExtensions(m: PyblishMethods): void {
    const s = this.session;
    m.register(
      'pyblish.begin',
      ([plugin, instance, action, waitMs], info: CallInfo) => {
        const begin = () =>
          this.call(() => {
            const p = s.plugin(idOf(plugin, 'pyblish.begin', 'plugin'));
            const i = optionalId(instance, 'pyblish.begin', 'instance');
            if (i !== null) s.instance(i);
            const running = this.calls.create();
            this.runPair('process', p, i, { action: (action as string | null) ?? null, running }).then(
              (result) => running.finish(result),
              (err: unknown) => running.finish(this.failedRun(p, i, err)),
            );
            return running.id;
          });
        if (waitMs === undefined || waitMs === null) return begin();
        // Waiting happens outside the dispatch wrapper, as pyblish.poll's does.
        const poll = (id: string, after: number, ms: number) => this.pollReply(id, after, ms, info.signal);
        return beginAndWait({ begin, poll }, waitMs as number) as unknown as Promise<XmlRpcValue>;
      },
      {
        signature: [
          { type: ['struct', 'string'], name: 'plugin' },
          { type: ['struct', 'string', 'nil'], name: 'instance', optional: true },
          { type: ['string', 'nil'], name: 'action', optional: true },
          { type: ['int', 'nil'], name: 'waitMs', min: 0, optional: true },
        ],
        returns: 'any',
        help:
          'Starts one pair. Without waitMs returns its call id at once; follow it with pyblish.poll. ' +
          `With waitMs (at most ${MAX_BEGIN_WAIT_MS}) waits for the pair that long and returns ` +
          '{callId, done, seq, records, result}: poll on only when done is false.',
      },
    );
    m.register(
      'pyblish.poll',
      async ([callId, afterSeq, waitMs], info: CallInfo) => {
        this.requestCount++;
        return (await this.pollReply(
          callId as string,
          afterSeq as number,
          (waitMs as number | undefined) ?? 0,
          info.signal,
        )) as unknown as XmlRpcValue;
      },
      {
        signature: [
          { type: 'string', name: 'callId' },
          { type: 'int', name: 'afterSeq', min: 0 },
          { type: 'int', name: 'waitMs', min: 0, optional: true },
        ],
        help: 'Records logged after afterSeq (waiting up to waitMs for one), and the result once done.',
      },
    );
    m.register(
      'pyblish.cancel',
      ([callId]) => {
        this.requestCount++;
        const running = this.runningCall(callId as string);
        if (running.done) return false;
        running.abort.abort(new Error('Cancelled by the GUI'));
        return true;
      },
      { signature: [{ type: 'string', name: 'callId' }], help: "Aborts a running pair's signal." },
    );
    m.register('pyblish.liveness', () => this.liveness() as unknown as XmlRpcValue, {
      signature: [],
      help: 'Whether a pair is running; answered even while a plug-in blocks the main thread.',
    });
  }

  /** pyblish.poll's reply; not through the dispatch wrapper: waiting must not occupy the application's scheduler. */
  private async pollReply(
    callId: string,
    afterSeq: number,
    waitMs: number,
    signal: AbortSignal,
  ): Promise<PollJSON> {
    const running = this.runningCall(callId);
    const after = Math.max(0, Math.min(afterSeq, running.records.length));
    await running.waitFor(after, waitMs, signal);
    return {
      done: running.done,
      seq: running.records.length,
      records: running.records.slice(after),
      result: running.result,
    };
  }

  private runningCall(id: string): RunningCall {
    const running = this.calls.get(id);
    if (!running) {
      throw new Fault(
        FaultCode.ApplicationError,
        `no call "${id.slice(0, 100)}": it never started or was long finished`,
      );
    }
    return running;
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

  private test(vars: XmlRpcStruct): XmlRpcValue {
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

  private update(key: string, value: XmlRpcValue, name: XmlRpcValue | undefined): null {
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
    const target = s.instanceByName(name as string);
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
