// The controller: drives a publish on the shown host, one pair at a time, with pyblish's own
// iteration logic running on proxies built from the host's replies. It owns the view state
// (through the store) and the report; the 9090 server and the web server only forward to it.

import {
  createState,
  type IterationState,
  inRange,
  instancesByPlugin,
  iterate,
  type Pair,
  type PluginLike,
  pluginType,
} from '@pyblish/core';
import type { ContextJSON, InstanceJSON, PluginJSON, RecordJSON, ShowSettings } from '@pyblish/host';
import type { XmlRpcValue } from '@pyblish/xmlrpc';
import { CommandError, HostCallError } from './errors.js';
import type { HostResult, PollReply } from './host-client.js';
import type { HostEntry, HostRegistry } from './host-registry.js';
import {
  afterResult,
  availableActions,
  clearedRunState,
  contextHeader,
  contextRow,
  errorRow,
  Failures,
  instanceDataFields,
  instanceRow,
  pairEndEntries,
  pairStartEntries,
  passedOver,
  pluginRow,
  recordRow,
  runEndEntry,
  statusOf,
  withoutError,
} from './rows.js';
import { ReportBuilder } from './session-report.js';
import type {
  Command,
  CommandReply,
  InstanceRow,
  Phase,
  PluginRow,
  Report,
  WindowSettings,
} from './view-model.js';
import type { ViewStateStore } from './view-state.js';

interface InstanceProxy {
  id: string;
  data: { family?: unknown; families?: unknown; publish?: unknown };
}

interface PluginProxy extends PluginLike {
  id: string;
  json: PluginJSON;
}

type RunKind = 'reset' | 'validate' | 'publish' | 'action' | 'repair';

interface Run {
  kind: RunKind;
  host: HostEntry;
  stop: boolean;
  /** Aborts the outstanding call when the host is lost or the GUI closes. */
  abort: AbortController;
  callId: string | null;
  requestsAtStart: number;
  lost: boolean;
  /** Set when the GUI closes during the run: the fault the run ends with. */
  closing: { code: string; message: string } | null;
  done: Promise<void>;
}

export interface ControllerOptions {
  store: ViewStateStore;
  registry: HostRegistry;
  autoPublish?: boolean;
  autoValidate?: boolean;
  /** Long-poll wait for hosts with pyblish.poll. */
  pollWaitMs?: number;
  /** How long a host's pyblish.begin may wait for a quick pair (default 250; 0: begin, then poll). */
  beginWaitMs?: number;
  /** Drive hosts as pyblish-qml did: plain process, the context after every pair (for comparisons). */
  naive?: boolean;
  /** Pair results of earlier runs the report keeps (default 100,000). */
  reportResultLimit?: number;
  /** Called after every run with its report. */
  onRunEnd?(report: Report): void;
  log?(line: string): void;
}

const RUNNING: readonly Phase[] = [
  'initialising',
  'collecting',
  'validating',
  'extracting',
  'integrating',
  'stopping',
  'acting',
];

const PHASE_OF: Record<string, Phase | null> = {
  Collector: 'collecting',
  Validator: 'validating',
  Extractor: 'extracting',
  Integrator: 'integrating',
  Other: null,
};

const MESSAGE_OF: Partial<Record<Phase, string>> = {
  collecting: 'Collecting..',
  validating: 'Validating..',
  extracting: 'Extracting..',
  integrating: 'Integrating..',
};

const FIELDS: Record<string, Record<string, 'string' | 'boolean' | 'string?' | 'boolean?'>> = {
  reset: {},
  validate: {},
  publish: {},
  stop: {},
  toggle: { id: 'string', value: 'boolean?' },
  toggleSection: { list: 'string', section: 'string', value: 'boolean' },
  comment: { text: 'string', instanceId: 'string?' },
  action: { pluginId: 'string', actionId: 'string' },
  repair: { pluginId: 'string' },
  switchHost: { key: 'string' },
};

/** Commands come from a page as JSON: check their shape before acting on them. */
function checkCommand(c: Command): void {
  const type = (c as { type: string }).type;
  // Own names only: "__proto__", "constructor" or "toString" must not pass as commands.
  if (!Object.hasOwn(FIELDS, type)) {
    throw new CommandError(
      'BAD_COMMAND',
      `Unknown command "${String(type)}"; expected one of ${Object.keys(FIELDS).join(', ')}`,
    );
  }
  const fields = FIELDS[type] as (typeof FIELDS)[string];
  for (const [name, kind] of Object.entries(fields)) {
    const value = (c as unknown as Record<string, unknown>)[name];
    if (kind.endsWith('?') && value === undefined) continue;
    if (typeof value !== kind.replace('?', '')) {
      throw new CommandError('BAD_COMMAND', `${c.type}: "${name}" must be a ${kind.replace('?', '')}`);
    }
  }
  if (c.type === 'toggleSection' && c.list !== 'instances' && c.list !== 'plugins') {
    throw new CommandError('BAD_COMMAND', 'toggleSection: "list" must be "instances" or "plugins"');
  }
}

function revisionOf(result: HostResult): number | undefined {
  return typeof result.contextRevision === 'number' ? result.contextRevision : undefined;
}

export class Controller {
  private readonly store: ViewStateStore;
  private readonly registry: HostRegistry;
  private host: HostEntry | null = null;
  private run: Run | null = null;
  private context: { id: string; name: string; data: Record<string, unknown> } | null = null;
  private instances: InstanceProxy[] = [];
  private plugins: PluginProxy[] = [];
  private revision: number | undefined;
  /** Which plug-ins failed on which targets (instance id, or the context id). */
  private readonly failures = new Failures();
  /** Validation passed and nothing changed since: Publish continues from there. */
  private validatedClean = false;
  private pendingShow: number | null = null;
  private readonly report: ReportBuilder;
  /** Emits to the host in the order the user made them; runs wait for it to drain. */
  private hostQueue: Promise<void> = Promise.resolve();
  private readonly commentTimers = new Map<string, NodeJS.Timeout>();
  private lastTerminalPlugin: string | null = null;
  private readonly phaseWaiters = new Set<() => void>();

  constructor(private readonly options: ControllerOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.report = new ReportBuilder(options.reportResultLimit);
    this.store.subscribe({ patch: () => this.checkWaiters() });
  }

  get phase(): Phase {
    return this.store.state.phase;
  }

  get currentReport(): Report {
    return this.report.current();
  }

  /** Resolves when `predicate` holds for the state (checked after every change). */
  waitFor(predicate: (c: Controller) => boolean, timeoutMs = 20_000): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.phaseWaiters.delete(check);
        reject(new Error(`Timed out waiting; the GUI is ${this.phase}: ${this.store.state.message}`));
      }, timeoutMs);
      const check = () => {
        let outcome: boolean | Error;
        try {
          outcome = predicate(this);
        } catch (err) {
          outcome = err instanceof Error ? err : new Error(String(err));
        }
        if (outcome === false) return;
        clearTimeout(timer);
        this.phaseWaiters.delete(check);
        if (outcome === true) resolve();
        else reject(outcome);
      };
      this.phaseWaiters.add(check);
    });
  }

  /** Resolves when the current run (if any) has ended. */
  async idle(): Promise<void> {
    while (this.run) await this.run.done;
  }

  private setPhase(phase: Phase, message?: string): void {
    this.store.setState(message === undefined ? { phase } : { phase, message });
    this.checkWaiters();
  }

  private checkWaiters(): void {
    for (const w of [...this.phaseWaiters]) w();
  }

  private say(level: 'info' | 'warning' | 'error', text: string, terminal = false): void {
    this.store.notify({ level, text });
    if (terminal) this.store.appendTerminal([{ type: 'message', level, text }]);
  }

  // --- Hosts ---------------------------------------------------------------------------

  /** A host called show: apply its settings, make it current and reset (unless a run is on). */
  show(entry: HostEntry): void {
    this.store.setState({ visible: true });
    if (this.run && this.run.host !== entry) {
      this.pendingShow = entry.port;
      this.registry.current = this.run.host.port;
      this.hostsChanged();
      this.say('info', `${this.labelOf(entry)} asked to be shown; it will be once this run ends.`);
      return;
    }
    this.applySettings(entry.settings);
    if (this.run) return;
    this.host = entry;
    this.registry.current = entry.port;
    this.hostsChanged();
    void this.reset().catch(() => undefined);
  }

  hide(): void {
    this.store.setState({ visible: false });
  }

  private labelOf(entry: HostEntry): string {
    return this.registry.summaries().find((s) => s.port === entry.port)?.label ?? `Host :${entry.port}`;
  }

  private applySettings(settings: ShowSettings): void {
    const window: WindowSettings = { ...this.store.state.window };
    if (typeof settings.WindowTitle === 'string') window.title = settings.WindowTitle;
    if (typeof settings.ContextLabel === 'string') window.contextLabel = settings.ContextLabel;
    const pair = (v: unknown): [number, number] | null =>
      Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && Number.isFinite(n))
        ? [v[0] as number, v[1] as number]
        : null;
    const size = pair(settings.WindowSize);
    if (size) window.size = [Math.max(430, size[0]), Math.max(300, size[1])];
    const position = pair(settings.WindowPosition);
    if (position) window.position = position;
    if (Array.isArray(settings.HiddenSections)) {
      window.hiddenSections = settings.HiddenSections.filter((s): s is string => typeof s === 'string');
    }
    this.store.setState({ window });
  }

  hostsChanged(): void {
    this.store.setState({ hosts: this.registry.summaries() });
    this.checkWaiters();
  }

  /** The registry lost a host: a run against it ends at once with a clear fault. */
  hostLost(entry: HostEntry): void {
    this.hostsChanged();
    if (this.run?.host === entry) {
      this.run.lost = true;
      this.run.abort.abort();
    } else if (this.host === entry) {
      this.store.setState({ fault: this.lostFault(entry) });
    }
  }

  private lostFault(entry: HostEntry): { code: string; message: string } {
    return {
      code: 'HOST_LOST',
      message: `The host at port ${entry.port} stopped answering. Restart it and it will show again.`,
    };
  }

  // --- Commands from the page ------------------------------------------------------------

  async command(command: Command): Promise<CommandReply> {
    try {
      await this.dispatch(command);
      return { ok: true };
    } catch (err) {
      if (err instanceof CommandError) {
        this.say('warning', err.message);
        return { ok: false, error: { code: err.code, message: err.message } };
      }
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: { code: 'INTERNAL', message } };
    }
  }

  private async dispatch(c: Command): Promise<void> {
    checkCommand(c);
    switch (c.type) {
      case 'reset':
        this.guardIdle();
        void this.reset().catch(() => undefined);
        return;
      case 'validate':
        this.startIteration('validate');
        return;
      case 'publish':
        this.startIteration('publish');
        return;
      case 'stop':
        return this.stop();
      case 'toggle':
        return this.toggle(c.id, c.value);
      case 'toggleSection':
        return this.toggleSection(c.list, c.section, c.value);
      case 'comment':
        return this.comment(c.text, c.instanceId);
      case 'action':
        this.startAction(c.pluginId, c.actionId);
        return;
      case 'repair':
        this.startRepair(c.pluginId);
        return;
      case 'switchHost':
        return this.switchHost(c.key);
      default:
        // Unreachable after checkCommand; kept so a command added to FIELDS alone is refused.
        throw new CommandError('BAD_COMMAND', `Unknown command "${String((c as { type: unknown }).type)}"`);
    }
  }

  private guardIdle(): HostEntry {
    if (this.run) throw new CommandError('BUSY', 'Busy');
    if (!this.host) throw new CommandError('NOT_READY', 'Not ready: no host has asked to be shown');
    if (this.host.status === 'lost') {
      throw new CommandError('HOST_LOST', this.lostFault(this.host).message);
    }
    return this.host;
  }

  private guardReadyOrFinished(): HostEntry {
    const host = this.guardIdle();
    if (this.phase !== 'ready' && this.phase !== 'finished') throw new CommandError('NOT_READY', 'Not ready');
    return host;
  }

  private switchHost(key: string): void {
    const entry = this.registry.get(Number(key));
    if (!entry) throw new CommandError('UNKNOWN_HOST', `No host at port ${key}`);
    if (this.run) throw new CommandError('BUSY', 'Busy');
    if (entry.status === 'lost') throw new CommandError('HOST_LOST', this.lostFault(entry).message);
    this.registry.current = entry.port;
    this.show(entry);
  }

  stop(): void {
    const run = this.run;
    if (!run) throw new CommandError('NOT_RUNNING', 'Nothing to stop');
    if (run.stop) return;
    run.stop = true;
    this.setPhase('stopping', 'Stopping..');
    if (run.callId && run.host.methods.has('pyblish.cancel')) {
      void run.host.client.cancel(run.callId).catch(() => undefined);
    }
  }

  private toggle(id: string, value?: boolean): void {
    if (this.run) throw new CommandError('NOT_READY', 'Not ready');
    const instance = this.store.instance(id);
    const plugin = instance ? undefined : this.store.plugin(id);
    const row = instance ?? plugin;
    if (!row) throw new CommandError('UNKNOWN_ITEM', `Nothing with id ${id}`);
    if (!row.optional || (instance?.isContext ?? false))
      throw new CommandError('CANNOT_TOGGLE', 'Cannot toggle');
    const next = value ?? !row.toggled;
    if (next === row.toggled) return;
    this.setToggled(row.kind, id, next);
    this.refreshCompatibility();
  }

  private setToggled(kind: 'instance' | 'plugin', id: string, value: boolean): void {
    const old = !value;
    if (kind === 'instance') {
      this.store.updateInstance(id, { toggled: value });
      const proxy = this.instances.find((i) => i.id === id);
      if (proxy) proxy.data.publish = value;
      this.emitToHost('instanceToggled', { instance: id, new_value: value, old_value: old });
    } else {
      this.store.updatePlugin(id, { toggled: value });
      const proxy = this.plugins.find((p) => p.id === id);
      if (proxy) proxy.active = value;
      this.emitToHost('pluginToggled', { plugin: id, new_value: value, old_value: old });
    }
    this.validatedClean = false;
  }

  private toggleSection(list: 'instances' | 'plugins', section: string, value: boolean): void {
    if (this.run) throw new CommandError('NOT_READY', 'Not ready');
    if (list === 'instances') {
      for (const row of this.store.instanceRows()) {
        if (!row.isContext && row.optional && row.category === section && row.toggled !== value) {
          this.setToggled('instance', row.id, value);
        }
      }
    } else {
      for (const row of this.store.pluginRows()) {
        if (row.optional && row.verb === section && row.toggled !== value)
          this.setToggled('plugin', row.id, value);
      }
    }
    this.refreshCompatibility();
  }

  private comment(text: string, instanceId?: string): void {
    if (this.run) throw new CommandError('NOT_READY', 'Not ready');
    const key = instanceId ?? '';
    if (instanceId) {
      if (!this.store.instance(instanceId))
        throw new CommandError('UNKNOWN_ITEM', `No instance with id ${instanceId}`);
      this.store.updateInstance(instanceId, { comment: text });
    } else {
      this.store.setState({ comment: text });
      if (this.context) this.store.updateInstance(this.context.id, { comment: text });
    }
    // Typing sends one change per keystroke; the host hears the text once it settles.
    clearTimeout(this.commentTimers.get(key));
    this.commentTimers.set(
      key,
      setTimeout(() => {
        this.commentTimers.delete(key);
        if (instanceId) this.emitToHost('instanceCommented', { instance: instanceId, comment: text });
        else this.emitToHost('commented', { comment: text });
      }, 100),
    );
  }

  private emitToHost(signal: string, kwargs: Record<string, XmlRpcValue>): void {
    const host = this.host;
    if (!host) return;
    this.hostQueue = this.hostQueue.then(() =>
      host.client.emit(signal, kwargs).catch((err: unknown) => {
        this.say('warning', `The host did not take "${signal}": ${(err as Error).message}`, true);
      }),
    );
  }

  // --- Runs ----------------------------------------------------------------------------

  private beginRun(kind: RunKind, host: HostEntry): Run {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const run: Run = {
      kind,
      host,
      stop: false,
      abort: new AbortController(),
      callId: null,
      requestsAtStart: host.client.requests,
      lost: false,
      closing: null,
      done,
    };
    (run as Run & { finish: () => void }).finish = finish;
    this.run = run;
    this.report.begin(kind, { port: host.port, label: this.labelOf(host) }, kind === 'reset');
    this.store.setState({ fault: null });
    return run;
  }

  /**
   * Waits for the host messages sent before the run (toggles, comments, the last run's
   * "published") and starts counting the run's requests only then, so they count in no run.
   */
  private async deliverPending(run: Run): Promise<void> {
    await this.hostQueue;
    run.requestsAtStart = run.host.client.requests;
  }

  private endRun(
    run: Run,
    phase: Phase,
    message: string,
    fault: { code: string; message: string } | null,
    success: boolean,
  ): void {
    this.report.addRequests(run.host.client.requests - run.requestsAtStart);
    this.clearProcessing();
    this.store.setState({
      fault,
      progress: { ...this.store.state.progress, currentPlugin: null, currentInstance: null },
    });
    this.store.appendTerminal([runEndEntry(fault)]);
    const report = this.report.finish({
      finalPhase: phase,
      message,
      fault,
      success,
      comment: this.store.state.comment,
      instances: this.store.instanceRows(),
      plugins: this.store.pluginRows(),
    });
    this.run = null;
    this.setPhase(phase, message);
    this.store.flush();
    try {
      this.options.onRunEnd?.(report);
    } catch (err) {
      this.options.log?.(`Could not write the report: ${(err as Error).message}`);
    }
    (run as Run & { finish: () => void }).finish();
    if (this.pendingShow !== null) {
      const next = this.registry.get(this.pendingShow);
      this.pendingShow = null;
      if (next && next.status !== 'lost') this.show(next);
    }
  }

  /** Ends a run that failed outside a plug-in (host lost, timeout, bad reply). */
  private failRun(run: Run, err: unknown): void {
    let fault: { code: string; message: string };
    if (run.closing) {
      fault = run.closing;
    } else if (run.lost || (err instanceof HostCallError && err.code === 'HOST_GONE')) {
      fault = this.lostFault(run.host);
      this.registry.markLost(run.host);
    } else if (err instanceof HostCallError) {
      fault = { code: err.code, message: err.message };
    } else {
      const message = err instanceof Error ? err.message : String(err);
      fault = { code: 'INTERNAL', message: `Unknown error: ${message}` };
    }
    this.validatedClean = false;
    this.endRun(run, 'finished', fault.message, fault, false);
  }

  private clearProcessing(): void {
    for (const row of this.store.instanceRows()) {
      if (row.status === 'processing') this.store.updateInstance(row.id, { status: statusOf(row, false) });
    }
    for (const row of this.store.pluginRows()) {
      if (row.status === 'processing') this.store.updatePlugin(row.id, { status: statusOf(row, false) });
    }
  }

  /** Reset: the host resets and rediscovers, the collectors run, the context is refreshed. */
  async reset(): Promise<void> {
    const host = this.guardIdle();
    const run = this.beginRun('reset', host);
    this.setPhase('initialising', 'Initialising..');
    this.failures.clear();
    this.validatedClean = false;
    this.lastTerminalPlugin = null;
    try {
      await this.deliverPending(run);
      const methods = await host.client.listMethods();
      host.methods = new Set(methods);
      host.beginWaits =
        host.methods.has('pyblish.begin') &&
        host.methods.has('system.methodSignature') &&
        (await host.client.beginWaits());
      this.store.setState({ capabilities: methods.filter((m) => m.startsWith('pyblish.')) });
      await host.client.reset();
      const context = await host.client.context();
      const plugins = await host.client.discover();
      this.loadContext(context, true);
      this.loadPlugins(plugins);
      this.store.appendTerminal([{ type: 'context', header: contextHeader(context.data, host.port) }]);
      this.setPhase('collecting', 'Collecting..');
      const collectors = this.plugins.filter((p) => pluginType(p.order) === 'Collector');
      const state = createState();
      const outcome = await this.iteratePairs(run, collectors, state, () =>
        this.setPhase('collecting', 'Collecting..'),
      );
      // Once more at the end: collectors may have sorted or edited the context.
      this.refreshContext(await host.client.context(), true);
      this.refreshCompatibility();
      this.syncComments();
      const stopped = outcome ?? (run.stop ? 'Stopped' : null);
      this.endRun(run, stopped ? 'finished' : 'ready', stopped ?? 'Ready', null, stopped === null);
      this.emitToHost('reset', { context: null });
      if (!stopped) this.autoRun(host);
    } catch (err) {
      this.failRun(run, err);
    }
  }

  private autoRun(host: HostEntry): void {
    const s = host.settings;
    const publish = this.options.autoPublish || s.autoPublish === true;
    const validate = this.options.autoValidate || s.autoValidate === true;
    if (publish) this.startIteration('publish');
    else if (validate) this.startIteration('validate');
  }

  private loadContext(context: ContextJSON, collecting: boolean): void {
    this.context = { id: context.id, name: context.name, data: { ...context.data } };
    this.report.setContext(this.context);
    this.instances = [];
    const comment = this.store.state.comment;
    const ctxRow = contextRow(context, this.store.state.window.contextLabel);
    if (comment) ctxRow.comment = comment;
    this.store.setInstances([ctxRow]);
    this.refreshContext(context, collecting);
  }

  private loadPlugins(plugins: PluginJSON[]): void {
    // Stable sort by order, as pyblish does; hosts normally send them sorted already.
    const sorted = plugins.map((p, i) => ({ p, i })).sort((a, b) => a.p.order - b.p.order || a.i - b.i);
    this.plugins = sorted.map(({ p }) => ({
      id: p.id,
      json: p,
      order: p.order,
      families: Array.isArray(p.families) ? p.families : ['*'],
      match: typeof p.match === 'number' ? p.match : 1,
      active: p.active !== false,
      targets: ['*'],
      instanceEnabled: p.__instanceEnabled__ ?? p.instanceEnabled ?? false,
    }));
    this.store.setPlugins(sorted.map(({ p }) => pluginRow(p)));
  }

  /**
   * Brings the proxies and rows in line with the host's context: new instances appended,
   * vanished ones removed, data refreshed, rows in the host's order. While collecting, the
   * host's publish flags win; afterwards the user's toggles do.
   */
  private refreshContext(context: ContextJSON, collecting: boolean): void {
    if (!this.context) return;
    this.context.data = { ...context.data };
    this.report.setContext(this.context);
    const ctxRow = this.store.instance(this.context.id);
    if (ctxRow) {
      const label =
        typeof context.data.label === 'string' && context.data.label ? context.data.label : ctxRow.label;
      this.store.updateInstance(this.context.id, { data: { ...context.data }, label });
    }
    const known = new Map(this.instances.map((p) => [p.id, p]));
    const next: InstanceProxy[] = [];
    let shapeChanged = context.children.length !== this.instances.length;
    for (const [index, child] of context.children.entries()) {
      if (this.instances[index]?.id !== child.id) shapeChanged = true;
      const proxy = known.get(child.id);
      if (proxy) {
        const fields = instanceDataFields(child);
        if (!collecting) delete fields.toggled;
        else proxy.data.publish = child.data.publish;
        proxy.data.family = child.data.family;
        proxy.data.families = child.data.families;
        this.store.updateInstance(child.id, fields);
        next.push(proxy);
      } else {
        next.push(this.newProxy(child));
      }
    }
    // The iteration reads this.instances afresh for each plug-in (cooperative collection).
    this.instances = next;
    if (shapeChanged) {
      const rows: InstanceRow[] = [this.store.instance(this.context.id) as InstanceRow];
      for (const child of context.children) rows.push(this.store.instance(child.id) ?? instanceRow(child));
      this.store.reorderInstances(rows);
    }
  }

  private newProxy(child: InstanceJSON): InstanceProxy {
    return {
      id: child.id,
      data: { family: child.data.family, families: child.data.families, publish: child.data.publish },
    };
  }

  /** Which instances each plug-in applies to, and whether any of them is toggled on. */
  private refreshCompatibility(): void {
    if (!this.context) return;
    const contextId = this.context.id;
    const toggled = new Set(
      this.store
        .instanceRows()
        .filter((r) => r.toggled)
        .map((r) => r.id),
    );
    for (const plugin of this.plugins) {
      const compatible = plugin.instanceEnabled
        ? instancesByPlugin(this.instances, plugin).map((i) => i.id)
        : [contextId];
      this.store.updatePlugin(plugin.id, {
        compatibleCount: compatible.length,
        hasCompatible: !plugin.instanceEnabled || compatible.some((id) => toggled.has(id)),
      });
    }
  }

  private syncComments(): void {
    const local = this.store.state.comment;
    const hostComment = typeof this.context?.data.comment === 'string' ? this.context.data.comment : '';
    if (local && local !== hostComment) this.emitToHost('commented', { comment: local });
    else if (!local && hostComment) this.store.setState({ comment: hostComment });
  }

  /** Validate or Publish; rejected with "Busy" while anything runs (never two iterators). */
  startIteration(kind: 'validate' | 'publish'): void {
    const host = this.guardReadyOrFinished();
    if (!this.context) throw new CommandError('NOT_READY', 'Not ready: reset first');
    const continuing = kind === 'publish' && this.validatedClean;
    const run = this.beginRun(kind, host);
    void this.iterateRun(run, kind, continuing);
  }

  private async iterateRun(run: Run, kind: 'validate' | 'publish', continuing: boolean): Promise<void> {
    try {
      await this.deliverPending(run);
      let plugins = this.plugins.filter((p) => pluginType(p.order) !== 'Collector');
      if (kind === 'validate') plugins = plugins.filter((p) => inRange(p.order, 1));
      else if (continuing) plugins = plugins.filter((p) => !inRange(p.order, 1));
      if (!continuing) this.clearRunState();
      for (const p of this.plugins) p.active = this.store.plugin(p.id)?.toggled ?? p.active;
      const first = plugins.find((p) => p.active);
      const firstPhase = (first && PHASE_OF[pluginType(first.order)]) || 'validating';
      this.setPhase(firstPhase, MESSAGE_OF[firstPhase] as string);
      const state = createState();
      let reached: Phase = firstPhase;
      const outcome = await this.iteratePairs(run, plugins, state, (phase) => {
        reached = phase;
      });
      this.markSkipped(plugins);
      this.validatedClean = kind === 'validate' && !outcome && !run.stop && state.ordersWithError.size === 0;
      const stopped = outcome ?? (run.stop ? 'Stopped' : null);
      const failed = state.ordersWithError.size > 0;
      let message: string;
      if (stopped) message = stopped;
      else if (kind === 'validate') message = failed ? 'Validated, with errors..' : 'Validated';
      else if (reached === 'extracting' || reached === 'integrating')
        message = failed ? 'Published, with errors..' : 'Published';
      else message = failed ? 'Validated, with errors..' : 'Validated';
      this.endRun(run, 'finished', message, null, !stopped && !failed);
      this.emitToHost(kind === 'validate' ? 'validated' : 'published', { context: null });
    } catch (err) {
      this.failRun(run, err);
    }
  }

  /** Rows the run passed over: plug-ins switched off, stopped before or without work, instances off. */
  private markSkipped(plugins: PluginProxy[]): void {
    for (const plugin of plugins) {
      const row = this.store.plugin(plugin.id);
      if (row && passedOver(row)) this.store.updatePlugin(plugin.id, { status: 'skipped' });
    }
    for (const row of this.store.instanceRows()) {
      if (passedOver(row)) this.store.updateInstance(row.id, { status: 'skipped' });
    }
  }

  private clearRunState(): void {
    const cleared = clearedRunState();
    const collectorIds = new Set(
      this.plugins.filter((p) => pluginType(p.order) === 'Collector').map((p) => p.id),
    );
    for (const row of this.store.instanceRows()) this.store.updateInstance(row.id, cleared);
    for (const row of this.store.pluginRows()) {
      if (collectorIds.has(row.id)) continue;
      this.store.updatePlugin(row.id, cleared);
      this.updateActions(row.id);
      this.failures.forget(row.id);
    }
    this.store.setState({ progress: { done: 0, planned: 0, currentPlugin: null, currentInstance: null } });
  }

  /** How many pairs the run will take with the current toggles (the test may end it sooner). */
  private plannedPairs(plugins: PluginProxy[]): number {
    let n = 0;
    for (const _ of iterate(plugins, this.instances, { state: createState(), test: () => undefined })) n++;
    return n;
  }

  /**
   * Runs the pairs of `plugins` in pyblish's order. Returns the test's stop message, if any.
   * The instance list is read lazily, so instances created by a collector reach the next one.
   */
  private async iteratePairs(
    run: Run,
    plugins: PluginProxy[],
    state: IterationState,
    onPhase: (phase: Phase) => void,
  ): Promise<string | null> {
    const progress = this.store.state.progress;
    let done = run.kind === 'publish' ? progress.done : 0;
    const plannedBefore = run.kind === 'publish' ? progress.done : 0;
    this.store.setState({
      progress: {
        done,
        planned: plannedBefore + this.plannedPairs(plugins),
        currentPlugin: null,
        currentInstance: null,
      },
    });
    const pairs = iterate(plugins, () => this.instances, { state });
    let currentPhase = this.phase;
    // The plan: pairs done before the current plug-in, its own pairs, and those of the plug-ins
    // after it (recounted when collection adds or removes instances).
    let current: PluginProxy | null = null;
    let base = 0;
    let own = 0;
    let rest = 0;
    let counted = -1;
    for (;;) {
      if (run.stop) return null;
      const next = pairs.next();
      if (next.done) return next.value.stopped;
      const pair = next.value as Pair<PluginProxy, InstanceProxy>;
      const phase = PHASE_OF[pluginType(pair.plugin.order)];
      if (phase && phase !== currentPhase && run.kind !== 'reset') {
        currentPhase = phase;
        this.setPhase(phase, MESSAGE_OF[phase] as string);
        onPhase(phase);
      }
      if (run.kind === 'reset' && pair.plugin !== current) {
        current = pair.plugin;
        base = done;
        own = this.plannedPairs([current]);
        counted = -1;
      }
      const result = await this.processPair(run, pair.plugin, pair.instance, null);
      if (result.error) state.ordersWithError.add(pair.plugin.order);
      done++;
      await this.afterPair(run, result);
      if (run.kind === 'reset') {
        if (counted !== this.instances.length) {
          rest = this.plannedPairs(plugins.slice(plugins.indexOf(pair.plugin) + 1));
          counted = this.instances.length;
        }
        this.store.setState({ progress: { ...this.store.state.progress, done, planned: base + own + rest } });
      } else {
        this.store.setState({ progress: { ...this.store.state.progress, done } });
      }
    }
  }

  /** Refetches the context only when it can have changed. */
  private async afterPair(run: Run, result: HostResult): Promise<void> {
    const revision = revisionOf(result);
    const collecting = run.kind === 'reset';
    let refetch: boolean;
    if (this.options.naive) refetch = true;
    else if (revision !== undefined) refetch = revision !== this.revision;
    else refetch = collecting; // hosts without revisions: after each collector, as pyblish-qml did
    if (revision !== undefined) this.revision = revision;
    if (!refetch) return;
    this.refreshContext(await run.host.client.context(), collecting);
    if (!collecting) this.refreshCompatibility();
  }

  /** Processes one pair (or runs an action), updating rows, terminal and report. */
  private async processPair(
    run: Run,
    plugin: PluginProxy,
    instance: InstanceProxy | null,
    actionId: string | null,
    repair = false,
  ): Promise<HostResult> {
    const contextId = this.context?.id ?? '';
    const rowId = instance?.id ?? contextId;
    const pluginRowNow = this.store.plugin(plugin.id);
    const instanceRowNow = this.store.instance(rowId);
    if (!actionId) {
      this.store.updatePlugin(plugin.id, { status: 'processing' });
      this.store.updateInstance(rowId, { status: 'processing' });
    }
    this.store.setState({
      progress: {
        ...this.store.state.progress,
        currentPlugin: plugin.id,
        currentInstance: instance?.id ?? null,
      },
    });
    const instanceId = instance?.id ?? null;
    this.store.appendTerminal(
      pairStartEntries(
        this.lastTerminalPlugin,
        { id: plugin.id, label: pluginRowNow?.label ?? plugin.id },
        instanceId,
        instance ? (instanceRowNow?.label ?? instance.id) : 'Context',
      ),
    );
    this.lastTerminalPlugin = plugin.id;

    const host = run.host;
    let streamed = false;
    const onRecords = (records: RecordJSON[]) => {
      streamed = true;
      this.store.appendTerminal(pairEndEntries(plugin.id, instanceId, records.map(recordRow), null));
    };
    this.registry.callStarted(host);
    let result: HostResult;
    try {
      if (repair) result = await host.client.repair(plugin.id, instance?.id ?? null, run.abort.signal);
      else if (!this.options.naive && host.methods.has('pyblish.begin') && host.methods.has('pyblish.poll')) {
        result = await this.processStreaming(run, plugin.id, instance?.id ?? null, actionId, onRecords);
      } else result = await host.client.process(plugin.id, instance?.id ?? null, actionId, run.abort.signal);
    } finally {
      this.registry.callEnded(host);
    }
    if (!result || typeof result !== 'object' || typeof result.success !== 'boolean') {
      throw new HostCallError(
        'HOST_BAD_REPLY',
        `the host at port ${host.port} sent no result for ${plugin.id}`,
        'process',
      );
    }
    const records = Array.isArray(result.records) ? result.records : [];
    const error = result.error ?? null;
    const recordRows = records.map(recordRow);
    const errorRowNow = error ? errorRow(error) : null;
    this.store.appendTerminal(pairEndEntries(plugin.id, instanceId, streamed ? [] : recordRows, errorRowNow));
    this.report.addPair({
      pluginId: plugin.id,
      instanceId,
      success: result.success && !error,
      duration: typeof result.duration === 'number' ? result.duration : 0,
      error: errorRowNow,
      records: recordRows,
      actionId,
      ...(repair ? { repair: true } : {}),
    });
    if (actionId) return result;
    const outcome = { error, records, duration: typeof result.duration === 'number' ? result.duration : 0 };
    const pRow = this.store.plugin(plugin.id);
    if (pRow && !repair) {
      this.store.updatePlugin(plugin.id, afterResult(pRow, outcome));
      this.updateActions(plugin.id);
    }
    const iRow = this.store.instance(rowId);
    if (iRow && !repair) this.store.updateInstance(rowId, afterResult(iRow, outcome));
    if (error && !repair) {
      this.failures.add(plugin.id, rowId);
    }
    return result;
  }

  /**
   * begin (waiting a moment for a quick pair: then that one request is all), then long polls:
   * records reach the terminal while the plug-in runs; Stop cancels.
   */
  private async processStreaming(
    run: Run,
    pluginId: string,
    instanceId: string | null,
    actionId: string | null,
    onRecords: (r: RecordJSON[]) => void,
  ): Promise<HostResult> {
    const client = run.host.client;
    const waitMs = run.host.beginWaits ? (this.options.beginWaitMs ?? 250) : 0;
    const begun = await client.begin(
      pluginId,
      instanceId,
      actionId,
      run.abort.signal,
      waitMs > 0 ? waitMs : undefined,
    );
    const callId = begun.callId;
    run.callId = callId;
    // Stop pressed while begin was on its way: only now is there a call id to cancel.
    if (!begun.done && run.stop && run.host.methods.has('pyblish.cancel'))
      void client.cancel(callId).catch(() => undefined);
    let reply: PollReply = begun;
    try {
      for (;;) {
        if (Array.isArray(reply.records) && reply.records.length) onRecords(reply.records);
        if (reply.done) {
          if (!reply.result)
            throw new HostCallError(
              'HOST_BAD_REPLY',
              'the host finished a call without a result',
              'pyblish.poll',
            );
          // The records already streamed; the result's copy goes to the report only.
          return reply.result as HostResult;
        }
        reply = await this.nextPoll(run, callId, typeof reply.seq === 'number' ? reply.seq : 0);
      }
    } finally {
      run.callId = null;
    }
  }

  private async nextPoll(run: Run, callId: string, seq: number): Promise<PollReply> {
    for (;;) {
      try {
        return await run.host.client.poll(callId, seq, this.options.pollWaitMs ?? 1000, run.abort.signal);
      } catch (err) {
        // A plug-in blocking the host's main thread delays polls too; liveness decides whether it lives.
        if (err instanceof HostCallError && err.code === 'HOST_TIMEOUT' && run.host.status !== 'lost')
          continue;
        throw err;
      }
    }
  }

  private updateActions(pluginId: string): void {
    const row = this.store.plugin(pluginId);
    if (row) this.store.updatePlugin(pluginId, { actions: availableActions(row as PluginRow) });
  }

  private startAction(pluginId: string, actionId: string): void {
    const host = this.guardReadyOrFinished();
    const plugin = this.plugins.find((p) => p.id === pluginId);
    const row = this.store.plugin(pluginId);
    const action = row?.actions.find((a) => a.id === actionId && a.kind === 'action');
    if (!plugin || !row || !action)
      throw new CommandError('UNKNOWN_ACTION', `No action ${actionId} on ${pluginId}`);
    if (action.error) {
      this.say('error', `${action.label}: ${action.error}`, true);
      throw new CommandError('BROKEN_ACTION', 'There is a problem with this Action, see terminal.');
    }
    if (!action.active) throw new CommandError('INACTIVE_ACTION', 'Action not active.');
    if (!action.available)
      throw new CommandError('UNAVAILABLE_ACTION', `${action.label} does not apply to this plug-in's state`);
    const previous = this.phase;
    const run = this.beginRun('action', host);
    this.setPhase('acting', 'Acting');
    this.store.updatePlugin(pluginId, { actionState: 'running' });
    void (async () => {
      try {
        await this.deliverPending(run);
        const result = await this.processPair(run, plugin, null, actionId);
        this.store.updatePlugin(pluginId, { actionState: result.success ? 'succeeded' : 'failed' });
        this.validatedClean = false;
        await this.afterAction(run, result);
        this.endRun(run, previous, result.success ? 'Success' : 'Failed', null, result.success);
      } catch (err) {
        this.store.updatePlugin(pluginId, { actionState: 'failed' });
        this.failRun(run, err);
      }
    })();
  }

  /** An action or repair may add or remove instances: refresh when the host says so (or cannot say). */
  private async afterAction(run: Run, result: HostResult): Promise<void> {
    const revision = revisionOf(result);
    if (revision !== undefined && revision === this.revision) return;
    this.revision = revision;
    this.refreshContext(await run.host.client.context(), false);
    this.refreshCompatibility();
  }

  private startRepair(pluginId: string): void {
    const host = this.guardReadyOrFinished();
    const plugin = this.plugins.find((p) => p.id === pluginId);
    const row = this.store.plugin(pluginId);
    if (!plugin || !row) throw new CommandError('UNKNOWN_ITEM', `No plug-in with id ${pluginId}`);
    if (!row.hasRepair) throw new CommandError('CANNOT_REPAIR', `${row.label} cannot repair`);
    const targets = this.failures.targets(pluginId);
    if (!row.hasError || targets.length === 0)
      throw new CommandError('NOTHING_TO_REPAIR', `${row.label} has not failed`);
    const previous = this.phase;
    const run = this.beginRun('repair', host);
    this.setPhase('acting', 'Repairing..');
    void (async () => {
      try {
        await this.deliverPending(run);
        let all = true;
        let last: HostResult | null = null;
        for (const target of targets) {
          const instance =
            target === this.context?.id ? null : (this.instances.find((i) => i.id === target) ?? null);
          const result = await this.processPair(run, plugin, instance, null, true);
          last = result;
          if (result.success) this.repaired(pluginId, target);
          else all = false;
        }
        this.validatedClean = false;
        if (last) await this.afterAction(run, last);
        this.endRun(run, previous, all ? 'Repaired' : 'Repair failed', null, all);
      } catch (err) {
        this.failRun(run, err);
      }
    })();
  }

  /** A successful repair clears the failure it fixed, on the plug-in and on the instance. */
  private repaired(pluginId: string, target: string): void {
    const clear = this.failures.repaired(pluginId, target);
    const row = this.store.plugin(pluginId);
    if (row && clear.plugin) {
      this.store.updatePlugin(pluginId, withoutError(row));
      this.updateActions(pluginId);
    }
    const iRow = this.store.instance(target);
    if (iRow && clear.target) this.store.updateInstance(target, withoutError(iRow));
  }

  /** Ends any run at once (the GUI is closing); the report is finished and handed out. */
  async shutdown(reason: { code: string; message: string }): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.stop = true;
    run.closing = reason;
    if (run.callId && run.host.methods.has('pyblish.cancel')) {
      await run.host.client.cancel(run.callId).catch(() => undefined);
    }
    run.abort.abort();
    const settled = await Promise.race([
      run.done.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
    ]);
    if (!settled && this.run === run) this.endRun(run, 'finished', reason.message, reason, false);
  }

  isRunning(): boolean {
    return this.run !== null || RUNNING.includes(this.phase);
  }
}
