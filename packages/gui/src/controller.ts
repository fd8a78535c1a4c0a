// The controller: the GUI's state and its runs on the shown host. It takes commands from the page
// (commands.ts checks their shape), keeps the mirror of the host's context (host-mirror.ts), and
// runs Reset, Validate, Publish (here, or on a farm: farm-run.ts), actions and repairs
// (actions.ts). A run's pairs are driven by the host itself when it can, else pair by pair
// (drive-run.ts). It owns the view state (through the store) and the report; the 9090 server and
// the web server only forward to it.

import { createState, type IterationState, pluginType } from '@pyblish/core';
import { ActionRuns, type SideRunOutcome } from './actions.js';
import { commandProblem } from './commands.js';
import { type DriveRunDeps, driveRun } from './drive-run.js';
import { CommandError } from './errors.js';
import { FarmPublisher, type FarmRunOptions } from './farm-run.js';
import { HostMessages } from './host-messages.js';
import { HostMirror, type PluginProxy } from './host-mirror.js';
import type { HostEntry, HostRegistry } from './host-registry.js';
import { PairRunner, type PairTransportOptions } from './pairs.js';
import { contextHeader } from './rows.js';
import { lostFault, RUNNING_PHASES, Run, type RunFault, type RunKind, refuseUnusable } from './run.js';
import {
  type DriveOptions,
  endMessage,
  type IterationKind,
  phaseMessage,
  phaseOf,
  pluginsOfIteration,
} from './run-driver.js';
import { RunView } from './run-view.js';
import { SceneEdits } from './scene-edits.js';
import { ReportBuilder } from './session-report.js';
import { DEFAULT_STOP_GRACE_MS, StopGrace } from './stop-grace.js';
import type { Command, CommandReply, Phase, Report } from './view-model.js';
import type { ViewStateStore } from './view-state.js';
import { Waiters } from './waiters.js';
import { windowWith } from './window-settings.js';

export interface ControllerOptions extends PairTransportOptions {
  store: ViewStateStore;
  registry: HostRegistry;
  autoPublish?: boolean;
  autoValidate?: boolean;
  /** Drive hosts as pyblish-qml did: plain process, the context after every pair (for comparisons). */
  naive?: boolean;
  /** Drive our hosts pair by pair too, though they can run a whole phase (for comparisons). */
  pairByPair?: boolean;
  /** Pair results of earlier runs the report keeps (default 100,000). */
  reportResultLimit?: number;
  /** How long a run may take to end after Stop before its host is given up (ms, default 5000). */
  stopGraceMs?: number;
  /** Publish on farm: the GUI's farm and how farms are opened. */
  farm?: FarmRunOptions;
  /** Called after every run with its report (the live one: write it out during the call, or copy it). */
  onRunEnd?(report: Readonly<Report>): void;
  log?(line: string): void;
}

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
  private readonly actions: ActionRuns;
  private readonly driveDeps: DriveRunDeps;
  private readonly waiters = new Waiters(() => `${this.phase}: ${this.store.state.message}`);
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
    const deps = { store: this.store, registry: this.registry, view: this.view, mirror: this.mirror };
    const pairs = new PairRunner(deps, options);
    this.actions = new ActionRuns({ ...deps, pairs, say: this.say.bind(this) });
    this.driveDeps = { ...deps, pairs, options };
    this.store.subscribe({ patch: () => this.waiters.check() });
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
    return this.waiters.until(() => predicate(this), timeoutMs);
  }

  /** Resolves when the current run (if any) has ended. */
  async idle(): Promise<void> {
    while (this.run) await this.run.done;
  }

  private setPhase(phase: Phase, message?: string): void {
    this.store.setState(message === undefined ? { phase } : { phase, message });
    this.waiters.check();
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
      this.say('info', `${this.registry.labelOf(entry)} asked to be shown; it will be once this run ends.`);
      return;
    }
    const window = windowWith(this.store.state.window, entry.settings);
    this.store.setState({ window, farm: this.farm.nameOf(entry.settings) });
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

  hostsChanged(): void {
    this.store.setState({ hosts: this.registry.summaries() });
    this.waiters.check();
  }

  /** The registry lost a host: a run against it ends at once with a clear fault. */
  hostLost(entry: HostEntry): void {
    this.hostsChanged();
    if (this.run?.host === entry) {
      this.run.lost = true;
      this.run.abort.abort();
    } else if (this.host === entry) {
      this.store.setState({ fault: lostFault(entry.port) });
    }
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
    refuseUnusable(this.host);
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
    refuseUnusable(entry);
    this.registry.current = entry.port;
    this.show(entry);
  }

  stop(): void {
    const run = this.run;
    if (!run) throw new CommandError('NOT_RUNNING', 'Nothing to stop');
    if (run.stop) return;
    run.stop = true;
    this.setPhase('stopping', 'Stopping..');
    void run.cancelOnHost();
    this.grace.watch(run);
    run.onStop?.();
  }

  /** Edits wait for the run to end: the run reads the toggles as they were when it began. */
  private guardNoRun(): void {
    if (this.run) throw new CommandError('NOT_READY', 'Not ready');
  }

  // --- Runs ----------------------------------------------------------------------------

  private beginRun(kind: RunKind, host: HostEntry): Run {
    const run = new Run(kind, host);
    this.run = run;
    this.view.runBegun(kind, { port: host.port, label: this.registry.labelOf(host) });
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
    const { fault, lost } = run.faultOf(err);
    if (lost) this.registry.markLost(run.host);
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
      const { methods, beginWaits } = await host.client.capabilities();
      Object.assign(host, { methods: new Set(methods), beginWaits });
      this.store.setState({ capabilities: methods.filter((m) => m.startsWith('pyblish.')) });
      const context = await this.mirror.reload(host.client);
      this.edits.pluginsLoaded();
      this.store.appendTerminal([{ type: 'context', header: contextHeader(context.data, host.port) }]);
      this.setPhase('collecting', 'Collecting..');
      const outcome = await this.drive(run, this.collectors(), createState());
      // Once more at the end when collectors may have edited the context since it was fetched.
      if (this.mirror.stale) await this.mirror.refetch(host.client, true);
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
  startIteration(kind: IterationKind): void {
    const host = this.guardReadyOrFinished();
    if (!this.mirror.context) throw new CommandError('NOT_READY', 'Not ready: reset first');
    if (kind === 'farm') this.farm.check(host);
    const continuing = kind !== 'validate' && this.validatedClean;
    const run = this.beginRun(kind, host);
    void this.iterateRun(run, kind, continuing);
  }

  private async iterateRun(run: Run, kind: IterationKind, continuing: boolean): Promise<void> {
    try {
      await this.deliverPending(run);
      const plugins = pluginsOfIteration(this.mirror.plugins, kind, continuing);
      if (!continuing) this.view.clearRunState(new Set(this.collectors().map((p) => p.id)));
      this.mirror.applyPluginToggles();
      const first = plugins.find((p) => p.active);
      const firstPhase = (first && phaseOf(first.order)) || 'validating';
      this.setPhase(firstPhase, phaseMessage(firstPhase));
      const state = createState();
      let reached: Phase = firstPhase;
      const reach = (phase: Phase) => (reached = phase);
      const outcome = await this.drive(run, plugins, state, reach, continuing);
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

  /** Runs the pairs of `plugins` (drive-run.ts), with the progress and phases in the view. */
  private drive(
    run: Run,
    plugins: PluginProxy[],
    state: IterationState,
    reached?: (phase: Phase) => void,
    continuing = false,
  ): Promise<string | null> {
    const progress = this.store.state.progress;
    const options: DriveOptions = {
      collecting: run.kind === 'reset',
      done: run.kind === 'publish' ? progress.done : 0,
      phase: this.phase,
      state,
      stopped: () => run.stop,
      onPhase: (phase) => {
        this.setPhase(phase, phaseMessage(phase));
        reached?.(phase);
      },
      onProgress: (done, planned) => this.view.progress(done, planned),
    };
    return driveRun(run, plugins, this.driveDeps, options, continuing);
  }

  private collectors(): PluginProxy[] {
    return this.mirror.plugins.filter((p) => pluginType(p.order) === 'Collector');
  }

  // --- Actions and repairs (actions.ts) ----------------------------------------------------

  private startAction(pluginId: string, actionId: string): void {
    const host = this.guardReadyOrFinished();
    const { plugin, label } = this.actions.checkAction(pluginId, actionId);
    this.store.updatePlugin(pluginId, { actionState: 'running' });
    this.startSideRun(
      { kind: 'action', host, message: `${label}..`, planned: 1 },
      (run) => this.actions.runAction(run, plugin, actionId, label),
      () => this.store.updatePlugin(pluginId, { actionState: 'failed' }),
    );
  }

  private startRepair(pluginId: string): void {
    const host = this.guardReadyOrFinished();
    const { plugin, targets, label } = this.actions.checkRepair(pluginId);
    const side = { kind: 'repair' as const, host, message: `Repairing ${label}..`, planned: targets.length };
    this.startSideRun(side, (run) => this.actions.runRepair(run, plugin, targets, label));
  }

  /** An action or repair as a run of its own; the phase before it comes back when it ends. */
  private startSideRun(
    side: { kind: 'action' | 'repair'; host: HostEntry; message: string; planned: number },
    body: (run: Run) => Promise<SideRunOutcome>,
    onFault?: () => void,
  ): void {
    const previous = this.phase;
    const run = this.beginRun(side.kind, side.host);
    this.setPhase('acting', side.message);
    this.view.progress(0, side.planned);
    void (async () => {
      try {
        await this.deliverPending(run);
        const outcome = await body(run);
        this.validatedClean = false;
        if (outcome.last) await this.mirror.afterAction(side.host.client, outcome.last);
        this.endRun(run, previous, outcome.message, null, outcome.success);
      } catch (err) {
        onFault?.();
        this.failRun(run, err);
      }
    })();
  }

  /** Ends any run at once (the GUI is closing); the report is finished and handed out. */
  async shutdown(reason: RunFault): Promise<void> {
    const run = this.run;
    if (run && !(await run.close(reason)) && this.run === run)
      this.endRun(run, 'finished', reason.message, reason, false);
  }

  isRunning(): boolean {
    return this.run !== null || RUNNING_PHASES.includes(this.phase);
  }
}
