// The controller: the GUI's state and its runs on the shown host. It takes commands from the page
// (commands.ts checks their shape), keeps the mirror of the host's context (host-mirror.ts), and
// runs Reset, Validate, Publish, actions and repairs: the run driver (run-driver.ts) picks the
// pairs and the host client (host-client.ts) carries each to the host. It owns the view state
// (through the store) and the report; the 9090 server and the web server only forward to it.

import { createState, type IterationState, pluginType } from '@pyblish/core';
import type { ResultJSON, ShowSettings } from '@pyblish/host';
import { commandProblem } from './commands.js';
import { CommandError, HostCallError } from './errors.js';
import { FarmPublisher, type FarmRunOptions } from './farm-run.js';
import type { PairOptions } from './host-client.js';
import { HostMessages } from './host-messages.js';
import { HostMirror, type InstanceProxy, type PluginProxy } from './host-mirror.js';
import type { HostEntry, HostRegistry } from './host-registry.js';
import { contextHeader } from './rows.js';
import { Run, type RunFault, type RunKind } from './run.js';
import { drivePairs, endMessage, pairDone, phaseOf, pluginsOfRun } from './run-driver.js';
import { RunView } from './run-view.js';
import { SceneEdits } from './scene-edits.js';
import { ReportBuilder } from './session-report.js';
import { DEFAULT_STOP_GRACE_MS, StopGrace, unresponsiveMessage } from './stop-grace.js';
import type { Command, CommandReply, Phase, Report, WindowSettings } from './view-model.js';
import type { ViewStateStore } from './view-state.js';

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
  /** How long a run may take to end after Stop before its host is given up (ms, default 5000). */
  stopGraceMs?: number;
  /** Publish on farm: the GUI's farm and how farms are opened. */
  farm?: FarmRunOptions;
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

const MESSAGE_OF: Partial<Record<Phase, string>> = {
  collecting: 'Collecting..',
  validating: 'Validating..',
  extracting: 'Extracting..',
  integrating: 'Integrating..',
};

export class Controller {
  private readonly store: ViewStateStore;
  private readonly registry: HostRegistry;
  private host: HostEntry | null = null;
  private run: Run | null = null;
  private readonly mirror: HostMirror;
  /** Validation passed and nothing changed since: Publish continues from there. */
  private validatedClean = false;
  private pendingShow: number | null = null;
  private readonly report: ReportBuilder;
  private readonly view: RunView;
  /** Signals to the host, in the order the user made them; runs wait for them. */
  private readonly messages = new HostMessages({
    host: () => this.host,
    onRefused: (signal, err) =>
      this.say('warning', `The host did not take "${signal}": ${(err as Error).message}`, true),
    onProgress: (delivery) => this.store.setState({ delivery }),
  });
  /** Toggles and comments between runs. */
  private readonly edits: SceneEdits;
  private readonly phaseWaiters = new Set<() => void>();
  private readonly grace: StopGrace;
  private readonly farm: FarmPublisher;

  constructor(private readonly options: ControllerOptions) {
    this.store = options.store;
    this.registry = options.registry;
    this.grace = new StopGrace({
      graceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
      markUnresponsive: (host) => this.registry.markUnresponsive(host),
      ...(options.log ? { log: options.log } : {}),
    });
    this.report = new ReportBuilder(options.reportResultLimit);
    this.view = new RunView(this.store, this.report);
    this.mirror = new HostMirror({
      store: this.store,
      onContext: (context) => this.report.setContext(context),
      naive: options.naive ?? false,
    });
    this.edits = new SceneEdits({
      store: this.store,
      mirror: this.mirror,
      messages: this.messages,
      host: () => this.host,
      onToggled: () => {
        this.validatedClean = false;
      },
    });
    this.store.subscribe({ patch: () => this.checkWaiters() });
    this.farm = new FarmPublisher({ log: options.log, ...options.farm });
    this.store.setState({ farm: this.farm.nameOf({}) });
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
    this.edits.hostShown();
    this.registry.current = entry.port;
    this.hostsChanged();
    void this.reset().catch(() => undefined);
  }

  hide(): void {
    this.store.setState({ visible: false });
  }

  private labelOf(entry: HostEntry): string {
    return (
      this.registry.summaries().find((s) => s.port === entry.port)?.label ?? `Host at port ${entry.port}`
    );
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
    this.store.setState({ window, farm: this.farm.nameOf(settings) });
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

  private lostFault(entry: HostEntry): RunFault {
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
    const problem = commandProblem(c);
    if (problem) throw new CommandError('BAD_COMMAND', problem);
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
      case 'publishOnFarm':
        this.startIteration('farm');
        return;
      case 'stop':
        return this.stop();
      case 'toggle':
        this.guardNoRun();
        return this.edits.toggle(c.id, c.value);
      case 'toggleSection':
        this.guardNoRun();
        return this.edits.toggleSection(c.list, c.section, c.value);
      case 'resetToggles':
        this.guardNoRun();
        return this.edits.resetToggles();
      case 'comment':
        this.guardNoRun();
        return this.edits.comment(c.text, c.instanceId);
      case 'action':
        this.startAction(c.pluginId, c.actionId);
        return;
      case 'repair':
        this.startRepair(c.pluginId);
        return;
      case 'switchHost':
        return this.switchHost(c.key);
      default:
        // Unreachable after commandProblem; kept so a command added to COMMAND_FIELDS alone is refused.
        throw new CommandError('BAD_COMMAND', `Unknown command "${String((c as { type: unknown }).type)}"`);
    }
  }

  private guardIdle(): HostEntry {
    if (this.run) throw new CommandError('BUSY', 'Busy');
    if (!this.host) throw new CommandError('NOT_READY', 'Not ready: no host has asked to be shown');
    if (this.host.status === 'lost') {
      throw new CommandError('HOST_LOST', this.lostFault(this.host).message);
    }
    if (this.host.status === 'unresponsive')
      throw new CommandError('HOST_UNRESPONSIVE', unresponsiveMessage(this.host));
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
    if (entry.status === 'unresponsive')
      throw new CommandError('HOST_UNRESPONSIVE', unresponsiveMessage(entry));
    this.registry.current = entry.port;
    this.show(entry);
  }

  stop(): void {
    const run = this.run;
    if (!run) throw new CommandError('NOT_RUNNING', 'Nothing to stop');
    if (run.stop) return;
    run.stop = true;
    this.setPhase('stopping', 'Stopping..');
    void this.cancelCall(run);
    this.grace.watch(run);
    run.onStop?.();
  }

  /** Cancels the run's begun pair on the host, when there is one and the host can. */
  private async cancelCall(run: Run): Promise<void> {
    if (run.callId && run.host.methods.has('pyblish.cancel')) {
      await run.host.client.cancel(run.callId).catch(() => undefined);
    }
  }

  /** Edits wait for the run to end: the run reads the toggles as they were when it began. */
  private guardNoRun(): void {
    if (this.run) throw new CommandError('NOT_READY', 'Not ready');
  }

  // --- Runs ----------------------------------------------------------------------------

  private beginRun(kind: RunKind, host: HostEntry): Run {
    const run = new Run(kind, host);
    this.run = run;
    this.view.runBegun(kind, { port: host.port, label: this.labelOf(host) });
    return run;
  }

  /**
   * Waits for the host messages sent before the run (toggles, comments, the last run's
   * "published") and starts counting the run's requests only then, so they count in no run.
   */
  private async deliverPending(run: Run): Promise<void> {
    await this.messages.delivered();
    run.requestsAtStart = run.host.client.requests;
  }

  private endRun(run: Run, phase: Phase, message: string, fault: RunFault | null, success: boolean): void {
    const requests = run.host.client.requests - run.requestsAtStart;
    const report = this.view.runEnded(requests, { finalPhase: phase, message, fault, success });
    this.run = null;
    this.setPhase(phase, message);
    this.store.flush();
    try {
      this.options.onRunEnd?.(report);
    } catch (err) {
      this.options.log?.(`Could not write the report: ${(err as Error).message}`);
    }
    run.finish();
    if (this.pendingShow !== null) {
      const next = this.registry.get(this.pendingShow);
      this.pendingShow = null;
      if (next && next.status !== 'lost') this.show(next);
    }
  }

  /** Ends a run that failed outside a plug-in (host lost, timeout, bad reply). */
  private failRun(run: Run, err: unknown): void {
    let fault: RunFault;
    if (run.closing ?? run.abandoned) {
      fault = (run.closing ?? run.abandoned) as RunFault;
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

  /** Reset: the host resets and rediscovers, the collectors run, the context is refreshed. */
  async reset(): Promise<void> {
    const host = this.guardIdle();
    const run = this.beginRun('reset', host);
    this.setPhase('initialising', 'Initialising..');
    this.view.restart();
    this.validatedClean = false;
    try {
      await this.deliverPending(run);
      const methods = await host.client.listMethods();
      host.methods = new Set(methods);
      host.beginWaits =
        host.methods.has('pyblish.begin') &&
        host.methods.has('system.methodSignature') &&
        (await host.client.beginWaits());
      this.store.setState({ capabilities: methods.filter((m) => m.startsWith('pyblish.')) });
      const context = await this.mirror.reload(host.client);
      this.edits.pluginsLoaded();
      this.store.appendTerminal([{ type: 'context', header: contextHeader(context.data, host.port) }]);
      this.setPhase('collecting', 'Collecting..');
      const outcome = await this.drive(run, this.collectors(), createState());
      // Once more at the end: collectors may have sorted or edited the context.
      await this.mirror.refetch(host.client, true);
      await this.edits.collected();
      const stopped = outcome ?? (run.stop ? 'Stopped' : null);
      this.endRun(run, stopped ? 'finished' : 'ready', stopped ?? 'Ready', null, stopped === null);
      this.messages.send('reset', { context: null });
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

  /** Validate, Publish or Publish on farm; rejected with "Busy" while anything runs (never two iterators). */
  startIteration(kind: 'validate' | 'publish' | 'farm'): void {
    const host = this.guardReadyOrFinished();
    if (!this.mirror.context) throw new CommandError('NOT_READY', 'Not ready: reset first');
    if (kind === 'farm') this.farm.check(host);
    const continuing = kind !== 'validate' && this.validatedClean;
    const run = this.beginRun(kind, host);
    void this.iterateRun(run, kind, continuing);
  }

  private async iterateRun(
    run: Run,
    kind: 'validate' | 'publish' | 'farm',
    continuing: boolean,
  ): Promise<void> {
    try {
      await this.deliverPending(run);
      const plugins = pluginsOfRun(this.mirror.plugins, kind, continuing);
      if (!continuing) this.view.clearRunState(new Set(this.collectors().map((p) => p.id)));
      this.mirror.applyPluginToggles();
      const first = plugins.find((p) => p.active);
      const firstPhase = (first && phaseOf(first.order)) || 'validating';
      this.setPhase(firstPhase, MESSAGE_OF[firstPhase] as string);
      const state = createState();
      let reached: Phase = firstPhase;
      const outcome = await this.drive(run, plugins, state, (phase) => {
        reached = phase;
      });
      this.view.markSkipped(plugins.map((p) => p.id));
      this.validatedClean = kind === 'validate' && !outcome && !run.stop && state.ordersWithError.size === 0;
      const stopped = outcome ?? (run.stop ? 'Stopped' : null);
      const failed = state.ordersWithError.size > 0;
      if (kind === 'farm' && !stopped && !failed) return await this.publishOnFarm(run);
      const message = endMessage(kind, { stopped, failed, reached });
      this.endRun(run, 'finished', message, null, !stopped && !failed);
      this.messages.send(kind === 'validate' ? 'validated' : 'published', { context: null });
    } catch (err) {
      this.failRun(run, err);
    }
  }

  /** Validation passed: the farm extracts and integrates (farm-run.ts), the run ends with it. */
  private async publishOnFarm(run: Run): Promise<void> {
    const context = this.mirror.context as NonNullable<HostMirror['context']>;
    const setPhase = (phase: Phase, message: string) => this.setPhase(phase, message);
    const end = await this.farm.publish({ run, store: this.store, report: this.report, context, setPhase });
    this.endRun(run, 'finished', end.message, end.fault, end.success);
    this.messages.send('published', { context: null });
  }

  /** Runs the pairs of `plugins` (run-driver.ts), with the progress and phases in the view. */
  private drive(
    run: Run,
    plugins: PluginProxy[],
    state: IterationState,
    reached?: (phase: Phase) => void,
  ): Promise<string | null> {
    const progress = this.store.state.progress;
    return drivePairs(
      plugins,
      this.mirror,
      {
        process: (plugin, instance) => this.processPair(run, plugin, instance, null),
        context: () => run.host.client.context(),
      },
      {
        collecting: run.kind === 'reset',
        done: run.kind === 'publish' ? progress.done : 0,
        phase: this.phase,
        state,
        stopped: () => run.stop,
        onPhase: (phase) => {
          this.setPhase(phase, MESSAGE_OF[phase] as string);
          reached?.(phase);
        },
        onProgress: (done, planned) => this.view.progress(done, planned),
      },
    );
  }

  private collectors(): PluginProxy[] {
    return this.mirror.plugins.filter((p) => pluginType(p.order) === 'Collector');
  }

  // --- Pairs ---------------------------------------------------------------------------

  /** Processes one pair (or runs an action, or repairs) on the host; the view follows it. */
  private async processPair(
    run: Run,
    plugin: PluginProxy,
    instance: InstanceProxy | null,
    actionId: string | null,
    repair = false,
  ): Promise<ResultJSON> {
    const contextId = this.mirror.context?.id ?? '';
    const pair = this.view.pairStarted(plugin.id, instance?.id ?? null, contextId, { actionId, repair });
    const host = run.host;
    this.registry.callStarted(host);
    let result: ResultJSON;
    try {
      result = repair
        ? await host.client.repair(plugin.id, pair.instanceId, run.abort.signal)
        : await host.client.runPair(plugin.id, pair.instanceId, actionId, {
            ...this.pairOptions(run),
            onRecords: (records) => this.view.streamed(pair, records),
          });
    } finally {
      this.registry.callEnded(host);
    }
    this.view.pairEnded(pair, result);
    return result;
  }

  /** How the host client carries a pair to this run's host. */
  private pairOptions(run: Run): Omit<PairOptions, 'onRecords'> {
    const host = run.host;
    return {
      signal: run.abort.signal,
      stream: !this.options.naive && host.methods.has('pyblish.begin') && host.methods.has('pyblish.poll'),
      beginWaitMs: host.beginWaits ? (this.options.beginWaitMs ?? 250) : 0,
      pollWaitMs: this.options.pollWaitMs ?? 1000,
      onCallId: (callId) => {
        run.callId = callId;
        // Stop pressed while begin was on its way: only now is there a call id to cancel.
        if (callId && run.stop) void this.cancelCall(run);
      },
      stillAlive: () => host.status !== 'lost',
    };
  }

  // --- Actions and repairs ---------------------------------------------------------------

  private startAction(pluginId: string, actionId: string): void {
    const host = this.guardReadyOrFinished();
    const plugin = this.mirror.plugin(pluginId);
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
    this.setPhase('acting', `${action.label}..`);
    this.store.updatePlugin(pluginId, { actionState: 'running' });
    this.view.progress(0, 1);
    void (async () => {
      try {
        await this.deliverPending(run);
        const result = await this.processPair(run, plugin, null, actionId);
        const done = pairDone(run.stop, result);
        this.view.progress(done ? 1 : 0, 1);
        this.store.updatePlugin(pluginId, { actionState: result.success ? 'succeeded' : 'failed' });
        this.validatedClean = false;
        await this.mirror.afterAction(host.client, result);
        const outcome = !done ? 'stopped' : result.success ? 'done' : 'failed';
        this.endRun(run, previous, `${action.label}: ${outcome}`, null, result.success);
      } catch (err) {
        this.store.updatePlugin(pluginId, { actionState: 'failed' });
        this.failRun(run, err);
      }
    })();
  }

  private startRepair(pluginId: string): void {
    const host = this.guardReadyOrFinished();
    const plugin = this.mirror.plugin(pluginId);
    const row = this.store.plugin(pluginId);
    if (!plugin || !row) throw new CommandError('UNKNOWN_ITEM', `No plug-in with id ${pluginId}`);
    if (!row.hasRepair) throw new CommandError('CANNOT_REPAIR', `${row.label} cannot repair`);
    const targets = this.view.failures.targets(pluginId);
    if (!row.hasError || targets.length === 0)
      throw new CommandError('NOTHING_TO_REPAIR', `${row.label} has not failed`);
    const previous = this.phase;
    const run = this.beginRun('repair', host);
    this.setPhase('acting', `Repairing ${row.label}..`);
    this.view.progress(0, targets.length);
    void (async () => {
      try {
        await this.deliverPending(run);
        let all = true;
        let done = 0;
        let last: ResultJSON | null = null;
        for (const target of targets) {
          if (run.stop) break;
          const instance = target === this.mirror.context?.id ? null : (this.mirror.instance(target) ?? null);
          const result = await this.processPair(run, plugin, instance, null, true);
          last = result;
          if (pairDone(run.stop, result)) this.view.progress(++done, targets.length);
          if (result.success) this.view.repaired(pluginId, target);
          else all = false;
        }
        this.validatedClean = false;
        if (last) await this.mirror.afterAction(host.client, last);
        const outcome =
          done < targets.length && run.stop ? 'repair stopped' : all ? 'repaired' : 'repair failed';
        this.endRun(run, previous, `${row.label}: ${outcome}`, null, all && done === targets.length);
      } catch (err) {
        this.failRun(run, err);
      }
    })();
  }

  /** Ends any run at once (the GUI is closing); the report is finished and handed out. */
  async shutdown(reason: RunFault): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.stop = true;
    run.closing = reason;
    await this.cancelCall(run);
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
