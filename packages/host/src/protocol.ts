// Every method of a host's /pyblish service and of the GUI's server at 127.0.0.1:9090, declared
// once with its parameters, its reply, its signature and its help. The side that serves a method
// registers it by this declaration and the side that calls it calls it by this declaration, so
// the two cannot drift apart. Names and meanings are pyblish-qml's (plus our pyblish.* extensions);
// the reply shapes are in wire.ts.
import { method, type XmlRpcStruct, type XmlRpcValue } from '@pyblish/xmlrpc';
import { MAX_BEGIN_WAIT_MS } from './begin-wait.js';
import type {
  BeginJSON,
  ContextJSON,
  FarmPlanJSON,
  HeartbeatJSON,
  LivenessJSON,
  PingJSON,
  PluginJSON,
  PollJSON,
  ResultJSON,
  RunPollJSON,
  StatsJSON,
} from './wire.js';

/** A plug-in or instance as a GUI names it: the struct discover() or context() returned, or its id. */
export type IdParam = XmlRpcStruct | string;

/** A method that takes no parameters. */
const withoutParams = <R>(name: string, help: string) => method<[], R>(name, { signature: [], help });

const plugin = { type: ['struct', 'string'], name: 'plugin' } as const;
const instance = { type: ['struct', 'string', 'nil'], name: 'instance', optional: true } as const;
const action = { type: ['string', 'nil'], name: 'action', optional: true } as const;

/** The /pyblish service of a host. */
export const HostMethod = {
  ping: withoutParams<PingJSON>('ping', 'Liveness check.'),
  stats: withoutParams<StatsJSON>('stats', 'Requests served so far.'),
  reset: withoutParams<null>('reset', 'A fresh empty context; plug-ins are discovered again.'),
  context: withoutParams<ContextJSON>('context', 'The context and its instances (whitelisted data only).'),
  discover: withoutParams<PluginJSON[]>('discover', 'The plug-ins of this session, in order.'),
  process: method<[plugin: IdParam, instance?: IdParam | null, action?: string | null], ResultJSON>(
    'process',
    {
      signature: [plugin, instance, action],
      help: 'Processes one pair (or runs an action when an action id is given); plug-in errors are in the result.',
    },
  ),
  repair: method<[plugin: IdParam, instance?: IdParam | null], ResultJSON>('repair', {
    signature: [plugin, instance],
    help: "Runs a plug-in's legacy repair().",
  }),
  emit: method<[signal: string, kwargs?: XmlRpcStruct], null>('emit', {
    signature: [
      { type: 'string', name: 'signal' },
      { type: 'struct', name: 'kwargs', optional: true },
    ],
    help: 'Emits a signal in the host; context, instance and plugin ids are replaced by the real objects.',
  }),
  /** `vars` is `{ nextOrder, ordersWithError }` (TestVars); HEAD-era GUIs send the orders as a list. */
  test: method<[vars: XmlRpcStruct], string | null>('test', {
    signature: [{ type: 'struct', name: 'vars' }],
    help: "Runs the host's registered test with {nextOrder, ordersWithError}; a string means stop.",
  }),
  update: method<[key: string, value: XmlRpcValue, name?: string | null], null>('update', {
    signature: [
      { type: 'string', name: 'key' },
      { type: 'any', name: 'value' },
      { type: ['string', 'nil'], name: 'name', optional: true },
    ],
    help: 'Sets data[key] on the context (name "Context" or nil) or on the instance with that name.',
  }),
  /** Without waitMs the reply is the call id; with it, BeginJSON. */
  begin: method<
    [plugin: IdParam, instance?: IdParam | null, action?: string | null, waitMs?: number | null],
    string | BeginJSON
  >('pyblish.begin', {
    signature: [plugin, instance, action, { type: ['int', 'nil'], name: 'waitMs', min: 0, optional: true }],
    returns: 'any',
    help:
      'Starts one pair. Without waitMs returns its call id at once; follow it with pyblish.poll. ' +
      `With waitMs (at most ${MAX_BEGIN_WAIT_MS}) waits for the pair that long and returns ` +
      '{callId, done, seq, records, result}: poll on only when done is false.',
  }),
  poll: method<[callId: string, afterSeq: number, waitMs?: number], PollJSON>('pyblish.poll', {
    signature: [
      { type: 'string', name: 'callId' },
      { type: 'int', name: 'afterSeq', min: 0 },
      { type: 'int', name: 'waitMs', min: 0, optional: true },
    ],
    help: 'Records logged after afterSeq (waiting up to waitMs for one), and the result once done.',
  }),
  cancel: method<[callId: string], boolean>('pyblish.cancel', {
    signature: [{ type: 'string', name: 'callId' }],
    help: "Aborts a running pair's signal; given a run id, stops the run (its running pair aborts, no other starts).",
  }),
  /** `spec` is a RunSpecJSON, checked by the host. */
  run: method<[spec: XmlRpcStruct], RunPollJSON>('pyblish.run', {
    signature: [{ type: 'struct', name: 'spec' }],
    returns: 'struct',
    help:
      'Starts a whole run that the host iterates itself: {phase: collect|validate|publish, continuing, ' +
      'pluginsOff, instancesOff, targets}. Returns at once {runId, ...}; follow it with pyblish.pollRun, ' +
      'stop it with pyblish.cancel(runId).',
  }),
  pollRun: method<[runId: string, afterSeq: number, afterRecord: number, waitMs?: number], RunPollJSON>(
    'pyblish.pollRun',
    {
      signature: [
        { type: 'string', name: 'runId' },
        { type: 'int', name: 'afterSeq', min: 0 },
        { type: 'int', name: 'afterRecord', min: -1 },
        { type: 'int', name: 'waitMs', min: 0, optional: true },
      ],
      returns: 'struct',
      help:
        'Waits up to waitMs for news of a run after afterSeq finished pairs (and afterRecord records of the ' +
        'pair after them, -1 for none seen): {seq, results, current, progress, finished, stopped, cancelled, error}.',
    },
  ),
  /** Each entry is an EmitJSON `{signal, kwargs}`. */
  emitBatch: method<[signals: XmlRpcValue[]], number>('pyblish.emitBatch', {
    signature: [{ type: 'array', name: 'signals' }],
    returns: 'int',
    help:
      'Emits many signals in one call, in order, each as emit would ({signal, kwargs} entries); returns ' +
      'how many. A bad entry faults the call, naming it; the entries before it were emitted.',
  }),
  liveness: withoutParams<LivenessJSON>(
    'pyblish.liveness',
    'Whether a pair is running; answered even while a plug-in blocks the main thread.',
  ),
  /** The host builds its farm jobs from its real Context; the GUI submits and follows them. */
  farmPlan: method<[targets?: string[] | null], FarmPlanJSON>('pyblish.farmPlan', {
    signature: [{ type: ['array', 'nil'], name: 'targets', optional: true }],
    returns: 'struct',
    help:
      'The farm jobs of the instances set to publish, made from the real context: {plan: the ' +
      "publish plan's JSON text (job documents of docs/farm.md), pluginPaths: this host's plug-in paths}.",
  }),
} as const;

export type HostMethodKey = keyof typeof HostMethod;

/** Our extensions: a service built with `extensions: false` serves the others only, as Python hosts do. */
export const HOST_EXTENSIONS: readonly HostMethodKey[] = [
  'begin',
  'poll',
  'cancel',
  'liveness',
  'run',
  'pollRun',
  'farmPlan',
  'emitBatch',
];

/** The ports find_available_port hands out (below PORT_MIN are the system's). */
export const PORT_MIN = 1024;
export const PORT_MAX = 65535;

const port = { type: 'int', name: 'port', min: 1, max: PORT_MAX } as const;

/** The GUI's server at 127.0.0.1:9090 (also on /RPC2 and /pyblish), which hosts call. */
export const GuiMethod = {
  /** `settings` is a ShowSettings struct, checked by the GUI. */
  show: method<[port: number, settings?: XmlRpcStruct], boolean>('show', {
    signature: [port, { type: 'struct', name: 'settings', optional: true }],
    returns: 'boolean',
    help: 'Shows the GUI for the host serving /pyblish at port, with its settings.',
  }),
  hide: withoutParams<boolean>('hide', 'Hides the GUI; the process stays.'),
  quit: withoutParams<boolean>('quit', 'Ends the current run, writes its report and exits.'),
  kill: withoutParams<boolean>('kill', 'Exits at once (status 1), still writing the report.'),
  /** Our GUI answers HeartbeatJSON when it wants the host's settings (pyblish-qml: nil). */
  heartbeat: method<[port: number], HeartbeatJSON | null>('heartbeat', {
    signature: [port],
    help: 'Tells the GUI the host at port is alive.',
  }),
  /** Our extension; `settings` as show's. */
  register: method<[port: number, settings?: XmlRpcStruct], boolean>('pyblish.register', {
    signature: [port, { type: 'struct', name: 'settings', optional: true }],
    returns: 'boolean',
    help: "Tells the GUI a host's show settings (title, token) without showing it, when a heartbeat's reply asks.",
  }),
  ping: withoutParams<PingJSON>('ping', 'Liveness check.'),
  findAvailablePort: method<[start?: number], number>('find_available_port', {
    signature: [{ type: 'int', name: 'start', optional: true, min: PORT_MIN, max: PORT_MAX }],
    returns: 'int',
    help: 'A port no other host uses, from start upwards.',
  }),
} as const;

/**
 * Served without a token on IDENTITY_PATH of the GUI's server and of every host that has a token
 * (identity.ts): the proof that a server knows its secret, asked before anyone sends it one.
 */
export const IdentityMethod = {
  prove: method<[nonce: string], string>('pyblish.identity', {
    signature: [{ type: 'string', name: 'nonce' }],
    returns: 'string',
    help: "HMAC-SHA256 of the nonce under this server's secret: proof that it knows the secret, without sending it.",
  }),
} as const;
