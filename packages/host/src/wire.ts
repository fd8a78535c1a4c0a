// The shapes that cross the wire between a host's /pyblish service and a GUI.
// They follow pyblish-qml's RPC-era serialisers, so a Python GUI can drive our hosts and
// our GUI can drive Python hosts. Field names are the wire's, not ours: do not rename.

import type { ActionOn } from '@pyblish/core';

/** The values an action's `on` may take; core defines them. */
export type { ActionOn };

/** The whitelisted `data` of a context or instance; every other key stays in the host. */
export interface DataJSON {
  name?: string;
  label?: string;
  family?: string;
  families?: string[];
  publish?: boolean;
  category?: string;
  comment?: string;
  optional?: boolean;
  host?: string;
  port?: number;
  user?: string;
  connectTime?: string;
  pyblishVersion?: string;
  pyblishServerVersion?: string;
  pyblishRPCVersion?: string;
  pythonVersion?: string;
  nodeVersion?: string;
  [key: string]: unknown;
}

export interface InstanceJSON {
  name: string;
  id: string;
  data: DataJSON;
  /** Always empty: members stay in the host. */
  children: [];
}

export interface ContextJSON {
  name: string;
  id: string;
  data: DataJSON;
  children: InstanceJSON[];
}

export interface ActionJSON {
  id: string;
  label: string;
  description: string | null;
  active: boolean;
  icon: string;
  /** One of ActionOn; any other string marks the action as erroneous (see __error__). */
  on: string;
  __type__: 'action' | 'category' | 'separator';
  __error__: string | null;
}

export type PluginType = 'Collector' | 'Validator' | 'Extractor' | 'Integrator' | 'Other';

export interface PluginJSON {
  id: string;
  name: string;
  label: string | null;
  version: [number, number, number];
  category: string | null;
  requires: string;
  order: number;
  optional: boolean;
  active: boolean;
  hosts: string[];
  families: string[];
  targets: string[];
  doc: string | null;
  /** pyblish match flags: Intersection 1, Subset 2, Exact 4. */
  match: number;
  type: PluginType;
  module: string;
  path: string;
  hasRepair: boolean;
  pre11: boolean;
  contextEnabled: boolean;
  instanceEnabled: boolean;
  __pre11__: boolean;
  __contextEnabled__: boolean;
  __instanceEnabled__: boolean;
  process: { args: string[] };
  repair: { args: string[] };
  actions: ActionJSON[];
}

export interface ErrorJSON {
  message: string;
  fname?: string;
  line_number?: number;
  func?: string;
  exc?: string | null;
}

export type LevelName = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface RecordJSON {
  /** The formatted message. */
  message: string;
  levelname: LevelName;
  levelno: number;
  name: string;
  threadName: string;
  thread: number;
  process: number;
  processName: string;
  module: string;
  filename: string;
  pathname: string;
  lineno: number;
  funcName: string;
  /** Seconds since the epoch, as Python's logging does. */
  created: number;
  relativeCreated: number;
  msecs: number;
  args: null;
  exc_info: null;
  exc_text: string | null;
}

export interface ResultJSON {
  success: boolean;
  plugin: PluginJSON;
  instance: InstanceJSON | null;
  error: ErrorJSON | null;
  records: RecordJSON[];
  duration: number;
  /** Our extension; Python GUIs ignore unknown keys. The action id when an action ran. */
  action?: string | null;
  /** Our extension: the context's `revision` after the call; refetch `context()` only when it changed. */
  contextRevision?: number;
  /**
   * Our extension, in pyblish.begin/poll replies only: the pair's records went out in the replies
   * (this many, capped as record-buffer.ts says) and `records` does not repeat them (it is empty).
   * In a pyblish.pollRun reply, on the result of the pair the GUI followed while it ran: the
   * records it took then (`current.records`); `records` holds those after them.
   */
  recordsStreamed?: number;
}

/**
 * A pair's result in a host-side run (pyblish.pollRun): a ResultJSON whose plug-in and instance
 * are their ids, since the GUI has both from discover() and context().
 */
export interface RunResultJSON extends Omit<ResultJSON, 'plugin' | 'instance' | 'action'> {
  plugin: string;
  /** null for a context plug-in. */
  instance: string | null;
}

/** Our extension `pyblish.liveness()`: answered off the host's main thread, even while a plug-in blocks it. */
export interface LivenessJSON {
  /** A plug-in, action or repair is running. */
  busy: boolean;
  /** The `pyblish.begin` call id of the running pair, or null (plain `process`, or idle). */
  callId: string | null;
  /** When the running pair started, in seconds since the epoch; null when idle. */
  since: number | null;
  /** The host's process id. */
  pid: number;
}

/** Our extension `pyblish.poll(callId, afterSeq, waitMs)`. */
export interface PollJSON {
  done: boolean;
  /** The sequence number of the last record included; pass it as `afterSeq` next time. */
  seq: number;
  records: RecordJSON[];
  /** Set once done. */
  result: ResultJSON | null;
}

/**
 * Our extension `pyblish.begin(plugin, instance, action, waitMs)` with its fourth argument: the
 * call id and the pair's progress after up to waitMs (done, with its result, when it was quick).
 */
export interface BeginJSON extends PollJSON {
  callId: string;
}

/**
 * Our extension `pyblish.run(spec)`: a whole run the host iterates itself, with the GUI's
 * semantics (core's drivePairs and default test). The toggles are explicit: when a list is given,
 * every plug-in (or every instance present when the run starts) not in it is on.
 */
export interface RunSpecJSON {
  /** The collectors, the validators, or all plug-ins but the collectors. */
  phase: 'collect' | 'validate' | 'publish';
  /** A publish continuing from a clean validate: the validators do not run again. */
  continuing?: boolean;
  /** Plug-in ids switched off; without the list, each plug-in's own active state counts. */
  pluginsOff?: string[];
  /** Instance ids switched off; without the list, each instance's own `publish` counts. */
  instancesOff?: string[];
  /** The session's targets: when given, only plug-ins of these targets run. */
  targets?: string[];
  /**
   * 'columns': each reply carries its results as `resultColumns` (run-columns.ts), which both
   * ends handle several times faster than a list of structs. Left out: `results`.
   */
  resultsAs?: 'columns';
}

/** The pair a host-side run is processing now, and its records so far. */
export interface RunningPairJSON {
  /** Its place in the run (0 for the first pair): results before it number `index`. */
  index: number;
  plugin: string;
  /** null for a context plug-in. */
  instance: string | null;
  /** The number of its last record; pass it as `afterRecord` while this pair runs. */
  seq: number;
  records: RecordJSON[];
}

/** Our extensions `pyblish.run` and `pyblish.pollRun`: what a host-side run did since `afterSeq`. */
export interface RunPollJSON {
  runId: string;
  /** Pairs finished up to the last result included; pass it as `afterSeq` next time. */
  seq: number;
  /** The results of the pairs finished after `afterSeq`, in order (at most a batch per reply). */
  results: RunResultJSON[];
  /** With `resultsAs: 'columns'`: the results as the JSON text of their columns (`results` is then empty). */
  resultColumns?: string;
  /** The pair running now (once every finished pair's result has been sent), or null. */
  current: RunningPairJSON | null;
  /**
   * Pairs done and planned, as of the last result included; null when the server worker answered
   * alone (a plug-in blocks the main thread; `current` is then read from the busy board and may
   * be ahead of `seq`).
   */
  progress: { done: number; planned: number } | null;
  /** The run has ended and every result has been sent. */
  finished: boolean;
  /** Why iteration stopped early: the test's words ("Stopped due to failed validation"), or null. */
  stopped: string | null;
  /** pyblish.cancel stopped the run. */
  cancelled: boolean;
  /** The run failed outside any plug-in (a bug, or the session reset under it), or null. */
  error: string | null;
}

/** One entry of our extension `pyblish.emitBatch(signals)`: what one `emit(signal, kwargs)` takes. */
export interface EmitJSON {
  signal: string;
  kwargs?: Record<string, unknown>;
}

/** The arguments of `test(vars)`. HEAD-era GUIs send ordersWithError as a list. */
export interface TestVars {
  nextOrder: number;
  ordersWithError: number[];
}

/** The settings struct of `show(port, settings)` on the GUI's 9090 server. */
export interface ShowSettings {
  WindowTitle?: string;
  ContextLabel?: string;
  WindowSize?: [number, number];
  WindowPosition?: [number, number];
  HeartbeatInterval?: number;
  HiddenSections?: string[];
  autoPublish?: boolean;
  autoValidate?: boolean;
  /** Our extension: a host's token, sent back by the GUI in `Authorization` when it calls the host. */
  token?: string;
  /** Our extension: the host's process id, for the host switcher and liveness. */
  pid?: number;
  /** Our extension: the farm "Publish on farm" sends this host's instances to ('local' or redis://...). */
  Farm?: string;
  [key: string]: unknown;
}

/** `pyblish.farmPlan()`'s reply. */
export interface FarmPlanJSON {
  /** The PublishPlan of @pyblish/farm as JSON text (XML-RPC would change its numbers and nulls). */
  plan: string;
  /** The host's plug-in paths: what a local farm's workers load. */
  pluginPaths: string[];
}

/**
 * Our GUI's reply to `heartbeat(port)` (pyblish-qml's is nil, which hosts ignore): it knows the
 * host from its heartbeats only (it was restarted since the host showed), so the host sends its
 * settings with `pyblish.register` and the GUI can list it by its title and call it.
 */
export interface HeartbeatJSON {
  settingsWanted: boolean;
}

/** `ping()`'s reply, on a host and on the GUI's server. */
export interface PingJSON {
  message: string;
}

export const PING_REPLY = { message: 'Hello, whomever you are' } as const satisfies PingJSON;

/** `stats()`'s reply: the requests a host has served (our hosts count every call but pyblish.liveness). */
export interface StatsJSON {
  totalRequestCount: number;
}
