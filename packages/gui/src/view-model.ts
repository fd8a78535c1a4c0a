// What the GUI process tells its web front end, and what the front end may ask of it.
// The process owns the state; the page renders it. Types only: the web package imports
// them with `import type`, so nothing of Node reaches the browser bundle.
//
// Transport (all on 127.0.0.1, same origin as the page):
// - GET  /api/events        text/event-stream. First event `snapshot`, then `patch`, `terminal`
//                           and `notice` events as things change. Event data is JSON:
//                           snapshot = ViewState, patch = Patch (versions follow one another
//                           by one), terminal = TerminalEntry[] (in seq order), notice = Notice.
// - GET  /api/terminal?after=SEQ  the kept TerminalEntry[] after a sequence number (backfill after
//                           reconnect; entries up to ViewState.terminalDropped are gone).
// - POST /api/commands      body: Command (application/json). Reply: CommandReply.
// - GET  /api/report        the Report of the current or last run (application/json).
// Authentication: the process prints (or opens through a launch file) `/#secret=S`; the page
// keeps S from the fragment and sends `Authorization: Bearer S` on every /api request (401
// without it). No cookie: cookies ignore ports.

import type { ActionOn, LevelName, PluginType, ShowSettings } from '@pyblish/host';
import type { CommandErrorCode } from './errors.js';

/** The controller's operation state. */
export type Phase =
  | 'noHost' // no host has called show yet, or the shown host was closed
  | 'ready'
  | 'initialising' // reset: host reset, discovery, context
  | 'collecting'
  | 'validating'
  | 'extracting'
  | 'integrating'
  | 'finished'
  | 'stopping'
  | 'acting';

/** What a row shows. Precedence when several apply: processing > failed > warning > succeeded. */
export type ItemStatus = 'idle' | 'processing' | 'succeeded' | 'failed' | 'warning' | 'skipped';

export type Verb = 'Collect' | 'Validate' | 'Extract' | 'Integrate' | 'Other';

interface RowBase {
  id: string;
  name: string;
  /** label, or the name when there is none. */
  label: string;
  /** Checked in the GUI: publish for instances, active for plug-ins. */
  toggled: boolean;
  optional: boolean;
  status: ItemStatus;
  processed: boolean;
  hasError: boolean;
  hasWarning: boolean;
  succeeded: boolean;
  /** Accumulated milliseconds over every pair this row took part in. */
  duration: number;
  passed: number;
  failed: number;
}

export interface InstanceRow extends RowBase {
  kind: 'instance';
  /** The context row comes first and is never optional. */
  isContext: boolean;
  family: string | null;
  families: string[];
  /** Section key: data.category, else the family, else "Other"; the context row has "". */
  category: string;
  comment: string;
  /** The whitelisted data the host sent. */
  data: Record<string, unknown>;
  /**
   * Data fields the GUI converted to carry them on (host-values.ts): field -> what the value was
   * ("i8": an integer beyond ±2^53, now its digits; "dateTime", "base64", "double": NaN or an
   * infinity; "truncated": text cut; "nested": converted values inside). Absent or null: none.
   */
  converted?: Record<string, string> | null;
}

export interface ActionRow {
  id: string;
  label: string;
  icon: string;
  on: ActionOn | string;
  kind: 'action' | 'category' | 'separator';
  active: boolean;
  /** Set when the action is malformed (unknown `on`, for example); shown struck through. */
  error: string | null;
  /** Whether `on` fits the plug-in's current state; the GUI process computes it. */
  available: boolean;
}

export interface PluginRow extends RowBase {
  kind: 'plugin';
  order: number;
  type: PluginType;
  verb: Verb;
  doc: string | null;
  module: string;
  path: string;
  families: string[];
  hasRepair: boolean;
  contextEnabled: boolean;
  instanceEnabled: boolean;
  /**
   * How many instances the plug-in applies to, toggled or not (1, the context, for context
   * plug-ins). A count, not the ids: with 10,000 instances the ids were most of a snapshot.
   */
  compatibleCount: number;
  /** False when no toggled instance is compatible: the row is hidden. */
  hasCompatible: boolean;
  actions: ActionRow[];
  /** The last action run on this plug-in. */
  actionState: 'none' | 'running' | 'succeeded' | 'failed';
}

/** unresponsive: the GUI gave a call up after Stop (stop-grace.ts) and the host has not answered since. */
export type HostStatus = 'alive' | 'busy' | 'unresponsive' | 'lost';

export interface HostSummary {
  /** Stable key for the host: its port as a string. */
  key: string;
  port: number;
  pid: number | null;
  /** WindowTitle or ContextLabel from its show settings, else "Host at port PORT". */
  label: string;
  /**
   * The label is the host's own. False for a host known from its heartbeats only, such as a
   * pyblish-qml host met again after a GUI restart, until it shows.
   */
  named: boolean;
  status: HostStatus;
  /** Milliseconds since the host was last heard from (heartbeat or reply). */
  silentFor: number;
  /** Milliseconds (whole seconds) the busy host's current call has been running; 0 when not busy. */
  busyFor: number;
  current: boolean;
  authenticated: boolean;
}

export interface Progress {
  done: number;
  planned: number;
  currentPlugin: string | null;
  currentInstance: string | null;
}

export interface WindowSettings {
  title: string;
  contextLabel: string;
  size: [number, number];
  position: [number, number];
  hiddenSections: string[];
}

export interface ViewState {
  /** Grows by one with every change; patches carry the version they lead to. */
  version: number;
  phase: Phase;
  /** Footer message: "Ready", "Validating..", "Stopped due to failed validation", ... */
  message: string;
  /** The run ended with an error that is not a plug-in's (host lost, timeout): shown as a banner. */
  fault: { code: string; message: string } | null;
  hosts: HostSummary[];
  window: WindowSettings;
  /** Context row first, then instances in host order. */
  instances: InstanceRow[];
  /** In processing order. */
  plugins: PluginRow[];
  progress: Progress;
  /** The shown host's context comment (the publish's); each host has its own. */
  comment: string;
  /**
   * Rows toggled away from the scene's defaults (the host's publish flags as collected, the
   * plug-ins' own active). The GUI keeps these toggles per host across Reset; the page offers
   * to reset them (the `resetToggles` command).
   */
  changedToggles: number;
  /** Signals (toggles) still going to the host, while a long delivery lasts; null otherwise. */
  delivery: { sent: number; total: number } | null;
  /** Which extensions the current host advertises (e.g. "pyblish.cancel", "pyblish.records"). */
  capabilities: string[];
  /** Sequence number of the last terminal entry. */
  terminalSeq: number;
  /**
   * The terminal's sequence number just before the current (or last) Reset, Validate or Publish
   * began; a Publish that goes on from a clean Validate keeps the Validate's. The Report tab lists
   * the errors and warnings after it (and the collectors' errors since the reset), so a page
   * opened later shows the same report as one that watched the runs.
   */
  runStartSeq: number;
  /**
   * Entries 1..terminalDropped are no longer kept: the process keeps the last `terminalLimit`
   * (default 20,000) and drops the oldest. The page drops them too and says so.
   */
  terminalDropped: number;
  /** False after the shown host called `hide` (the window should hide); true after `show`. */
  visible: boolean;
  /**
   * Set when the process shows a saved report (`pyblish-gui --open-report FILE`) instead of a
   * live host: the page says so, and nothing can be run or changed (commands are refused).
   */
  savedReport?: SavedReportInfo | null;
  /**
   * The farm "Publish on farm" sends the shown host's instances to (its URL without a password):
   * the host's Farm setting, else the GUI's `--farm`. Null or absent: no farm, no such control.
   */
  farm?: string | null;
}

/** Where a report shown by `--open-report` came from. */
export interface SavedReportInfo {
  /** The file as given on the command line. */
  file: string;
  /** The label of the host the report was made with (null: none was shown). */
  host: string | null;
  /** ISO 8601, from the report. */
  startedAt: string;
  finishedAt: string | null;
  /** The report's last run: "validate", "publish", "reset" or "action". */
  kind: string;
  /** Set for the report of a headless publish (`pyblish publish --json`), which has no host. */
  headless?: { pyblishVersion: string; node: string | null; targets: string[]; pluginPaths: string[] };
}

/** Partial rows keyed by id, and top-level fields that changed. */
export interface Patch {
  version: number;
  instances?: Array<Partial<InstanceRow> & { id: string }>;
  plugins?: Array<Partial<PluginRow> & { id: string }>;
  /** Present when rows were added, removed or reordered: the complete id order. */
  instanceOrder?: string[];
  pluginOrder?: string[];
  /** Rows that arrive with an order change. */
  addedInstances?: InstanceRow[];
  addedPlugins?: PluginRow[];
  state?: Partial<Omit<ViewState, 'version' | 'instances' | 'plugins'>>;
}

export interface RecordRow {
  message: string;
  levelname: LevelName;
  levelno: number;
  name: string;
  filename: string;
  pathname: string;
  lineno: number;
  funcName: string;
  threadName: string;
  created: number;
  msecs: number;
}

export interface ErrorRow {
  message: string;
  fname: string | null;
  lineNumber: number | null;
  func: string | null;
  /** The exception's class ("TypeError"); null when the host does not say (Python hosts). */
  exc: string | null;
  /**
   * The text of the failing source line, when the host sends it: pyblish-qml's Python hosts send
   * it where our hosts send the exception's class (see rows.ts, errorRow). Added later: older
   * reports lack it.
   */
  source?: string | null;
}

interface EntryBase {
  seq: number;
}

/** Where a farm ran what an entry or a pair shows: the job, which run of it, and the machine. */
export interface FarmRef {
  jobId: string;
  /** 1 for the job's first run; every run counts. */
  attempt: number;
  /** The farm machine's name and worker process id. */
  machine: string;
}

export type TerminalEntry = EntryBase &
  (
    | {
        type: 'context';
        header: Record<string, string>;
      }
    | { type: 'plugin'; pluginId: string; label: string }
    | { type: 'instance'; pluginId: string; instanceId: string | null; label: string; farm?: FarmRef }
    | {
        type: 'record';
        pluginId: string | null;
        instanceId: string | null;
        record: RecordRow;
        farm?: FarmRef;
      }
    | {
        type: 'error';
        pluginId: string;
        instanceId: string | null;
        error: ErrorRow;
        farm?: FarmRef;
        /** The plug-in's label when the list has no row for it (a farm's own plug-in, a farm job). */
        label?: string;
      }
    | { type: 'message'; level: 'info' | 'warning' | 'error'; text: string }
  );

/** A transient notice for the footer or a toast: "Cannot toggle", "Busy", action results. */
export interface Notice {
  level: 'info' | 'warning' | 'error';
  text: string;
}

export type Command =
  | { type: 'reset' }
  | { type: 'validate' }
  | { type: 'publish' }
  /** Validate here, then extract and integrate on the farm (ViewState.farm). */
  | { type: 'publishOnFarm' }
  | { type: 'stop' }
  | { type: 'toggle'; id: string; value?: boolean }
  | { type: 'toggleSection'; list: 'instances' | 'plugins'; section: string; value: boolean }
  | { type: 'resetToggles' }
  | { type: 'comment'; text: string; instanceId?: string }
  | { type: 'action'; pluginId: string; actionId: string }
  | { type: 'repair'; pluginId: string }
  | { type: 'switchHost'; key: string };

/** A command's answer; a refusal's `code` is one of CommandError.codes (errors.ts). */
export type CommandReply = { ok: true } | { ok: false; error: { code: CommandErrorCode; message: string } };

/** One pair's outcome, as kept in the report. */
export interface PairReport {
  pluginId: string;
  instanceId: string | null;
  success: boolean;
  duration: number;
  error: ErrorRow | null;
  records: RecordRow[];
  actionId: string | null;
  /** Set on the pairs of a repair (added later: older reports do not mark them). */
  repair?: true;
  /** Set on a pair a farm ran: which publish, and where. */
  farm?: FarmRef & { publishId: string };
  /** The plug-in's label, for a farm's plug-in the host does not have (no entry in `plugins`). */
  label?: string;
}

/** A farm job as the report keeps it (its pairs are in `results`, marked with `farm`). */
export interface FarmJobReport {
  jobId: string;
  kind: 'instances' | 'context';
  instances: Array<{ id: string; name: string }>;
  state: 'waiting' | 'running' | 'finished' | 'failed' | 'skipped' | 'cancelled';
  /** The last run's number, 0 when it never started. */
  attempt: number;
  machine: string | null;
  retries: Array<{ attempt: number; machine: string; reason: string }>;
  /** The last failure's message (also of a run that was retried). */
  error: string | null;
  duration: number | null;
}

/** A "Publish on farm" as the report keeps it. */
export interface FarmPublishReport {
  /** The farm's URL without a password, or "local". */
  farm: string;
  publishId: string;
  /** Who made the jobs: the host (pyblish.farmPlan, all its data) or the GUI (the host's whitelisted data). */
  builtBy: 'host' | 'gui';
  origin: { host: string; user: string; scene: string | null; time: string; pyblish: string };
  targets: string[];
  /** Who cancelled it, when someone did. */
  cancelled: string | null;
  /** Every job is over; false when the GUI stopped following (it closed) while the farm went on. */
  done: boolean;
  jobs: FarmJobReport[];
}

/** The document `--report FILE` writes and the front end exports. */
export interface Report {
  format: 'pyblish-report';
  formatVersion: 1;
  host: { port: number; label: string } | null;
  startedAt: string;
  finishedAt: string | null;
  /** "validate", "publish", "farm" (Publish on farm), "reset", "action" or "repair". */
  kind: string;
  /**
   * The last Validate or Publish since the reset, which actions and repairs after it leave
   * alone; null before either (added later: older reports lack it).
   */
  iteration?: 'validate' | 'publish' | null;
  /** The phase the run ended in, and the footer message. */
  finalPhase: Phase;
  message: string;
  fault: { code: string; message: string } | null;
  success: boolean;
  comment: string;
  /** `label` (the context row's, after the host's ContextLabel) was added later: older reports lack it. */
  context: { id: string; name: string; data: Record<string, unknown>; label?: string };
  /** `category` was added later: older reports lack it (the viewer falls back to the family). */
  instances: Array<
    Pick<InstanceRow, 'id' | 'name' | 'label' | 'family' | 'families' | 'toggled'> &
      Partial<Pick<InstanceRow, 'category'>>
  >;
  /** `doc`, `families`, `hasCompatible`, `module` and `path` were added later: older reports lack them. */
  plugins: Array<
    Pick<PluginRow, 'id' | 'name' | 'label' | 'order' | 'type' | 'toggled'> &
      Partial<Pick<PluginRow, 'doc' | 'families' | 'hasCompatible' | 'module' | 'path'>>
  >;
  /** Since the last reset; the oldest results of earlier runs go once more than `reportResultLimit` are kept. */
  results: PairReport[];
  /** pairs and failed count every pair since the reset; droppedResults those no longer in `results`. */
  stats: { pairs: number; failed: number; requests: number; durationMs: number; droppedResults: number };
  /** The farm publishes since the reset (added later: absent when there were none). */
  farm?: FarmPublishReport[];
}

export type { CommandErrorCode, ShowSettings };
