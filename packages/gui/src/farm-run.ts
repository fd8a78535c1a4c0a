// "Publish on farm": after local validation passed, the host's instances go to the farm as jobs,
// and the GUI follows them there until every job is over. Our hosts build the jobs themselves
// from their real Context (pyblish.farmPlan); for a host without it (a Python host) the GUI builds
// them from what the host shares (its whitelisted data). The GUI submits, follows and, on Stop,
// cancels: one farm connection, in the process that shows the results (farm-view.ts).
import { hostname, userInfo } from 'node:os';
import { Context, Instance } from '@pyblish/core';
import {
  type FarmBackend,
  FarmError,
  followPublish,
  openFarm,
  type PublishLedger,
  type PublishPlan,
  parsePlan,
  planPublish,
  redisOptions,
} from '@pyblish/farm';
import { HostMethod, type ShowSettings } from '@pyblish/host';
import { CommandError, HostCallError } from './errors.js';
import { farmJobsReport } from './farm-rows.js';
import { FarmView } from './farm-view.js';
import type { HostEntry } from './host-registry.js';
import type { Run, RunFault } from './run.js';
import type { ReportBuilder } from './session-report.js';
import type { Phase } from './view-model.js';
import type { ViewStateStore } from './view-state.js';

/** A farm as `--farm` and the show setting Farm name it: 'local', or a redis:// or rediss:// URL. */
export function farmName(spec: string): string {
  return spec === 'local' ? 'local' : redisOptions(spec).name;
}

export function isFarm(spec: string): boolean {
  try {
    farmName(spec);
    return true;
  } catch {
    return false;
  }
}

export interface FarmRunOptions {
  /** The GUI's farm (`pyblish-gui --farm`, PYBLISH_FARM); a host's show setting Farm wins for that host. */
  farm?: string;
  /** How the farm is opened: retries, a local farm's workers (tests shorten them). */
  open?: FarmOpenOptions;
  log?(line: string): void;
}

/**
 * The options of @pyblish/farm's openFarm the GUI passes on, spelled out here: the GUI's types
 * (which a consumer of @pyblish/gui compiles against) do not load BullMQ's and ioredis's.
 */
export interface FarmOpenOptions {
  /** Runs of a job whose extraction or integration fails, counting the first (default 3). */
  attempts?: number | undefined;
  /** Milliseconds before such a job runs again, doubling each time (default 5,000). */
  backoffMs?: number | undefined;
  /** A local farm's worker processes (default: the cores, at most 4). */
  workers?: number | undefined;
}

/** How a farm publish ended, for the run's end. */
export interface FarmEnd {
  message: string;
  success: boolean;
  fault: RunFault | null;
}

interface Built {
  plan: PublishPlan;
  pluginPaths: string[];
  by: 'host' | 'gui';
}

/** What the publisher needs of the controller: the run's host, rows and phase. */
export interface FarmRunContext {
  run: Run;
  store: ViewStateStore;
  report: ReportBuilder;
  /** The mirror's context (the GUI builds a Python host's jobs from it and from the rows). */
  context: { id: string; name: string; data: Record<string, unknown> };
  setPhase(phase: Phase, message: string): void;
}

export class FarmPublisher {
  constructor(private readonly options: FarmRunOptions) {}

  /** The farm a host publishes on: its own (show setting Farm), else the GUI's; null when neither. */
  farmOf(settings: ShowSettings): string | null {
    return typeof settings.Farm === 'string' ? settings.Farm : (this.options.farm ?? null);
  }

  /** What the page shows of the farm (no password), or null: no "Publish on farm" then. */
  nameOf(settings: ShowSettings): string | null {
    const spec = this.farmOf(settings);
    return spec === null ? null : farmName(spec);
  }

  /** Refuses "Publish on farm" for a host that has no farm, before anything runs. */
  check(host: HostEntry): void {
    const spec = this.farmOf(host.settings);
    if (spec === null)
      throw new CommandError(
        'NO_FARM',
        'No farm is set up: start the GUI with --farm redis://HOST:PORT (or PYBLISH_FARM), or have the host send its Farm setting.',
      );
    if (spec === 'local' && !host.methods.has(HostMethod.farmPlan.name))
      throw new CommandError(
        'NO_FARM',
        "A local farm runs the host's own plug-ins in worker processes, and this host's (a Python host's) cannot run there: use a redis:// farm whose workers have the farm's plug-ins.",
      );
  }

  /** Builds the jobs, submits them, follows them to the end (or until the GUI closes). */
  async publish(c: FarmRunContext): Promise<FarmEnd> {
    const { run } = c;
    const spec = this.farmOf(run.host.settings) as string;
    const say = (level: 'info' | 'warning' | 'error', text: string) =>
      c.store.appendTerminal([{ type: 'message', level, text }]);
    c.setPhase('extracting', 'Sending to the farm..');
    let built: Built;
    try {
      built = await this.build(c);
    } catch (err) {
      if (!(err instanceof FarmError) && !(err instanceof HostCallError && err.code === 'HOST_FAULT'))
        throw err;
      const message = `Nothing was sent to the farm: ${err.message}`;
      say('error', message);
      return { message: 'Not sent to the farm', success: false, fault: { code: err.code, message } };
    }
    if (built.by === 'gui')
      say(
        'warning',
        'This host does not build farm jobs (it has no pyblish.farmPlan): the GUI built them from what the host shares of each instance (name, label, family, families, category, comment); the rest of its data stays in the host.',
      );
    const farm = openFarm(spec, {
      ...this.options.open,
      pluginPaths: built.pluginPaths,
      env: { ...process.env, PYBLISH_PLUGINPATH: '' },
      log: this.options.log ?? (() => undefined),
    });
    try {
      try {
        await farm.reach();
      } catch (err) {
        if (!(err instanceof FarmError)) throw err;
        const message = `Nothing was sent to the farm: ${err.message}`;
        say('error', message);
        return { message: 'Not sent to the farm', success: false, fault: { code: err.code, message } };
      }
      if (run.stop) return { message: 'Stopped; nothing was sent to the farm', success: false, fault: null };
      const { publishId } = built.plan;
      await farm.submit(built.plan);
      const by = `${userInfo().username}@${hostname()} (Stop in the GUI)`;
      run.onStop = () => void farm.cancel(publishId, by).catch(() => undefined);
      if (run.stop) run.onStop();
      say(
        'info',
        `Submitted publish ${publishId} to the farm ${farm.name}: ${built.plan.jobs.length} jobs${farm.name === 'local' ? '' : `. From a terminal: pyblish farm logs ${publishId} --follow --farm ${farm.name}`}`,
      );
      const ledger = await this.follow(c, farm, publishId);
      return this.end(c, farm, ledger, built);
    } finally {
      run.onStop = null;
      await farm.close();
    }
  }

  private async build(c: FarmRunContext): Promise<Built> {
    const host = c.run.host;
    if (host.methods.has(HostMethod.farmPlan.name)) {
      const reply = await host.client.call(HostMethod.farmPlan, [null], 30_000, c.run.abort.signal);
      let value: unknown;
      try {
        value = JSON.parse(String(reply?.plan));
      } catch {
        throw new FarmError('JOB_INVALID', 'The host sent a farm plan that is not JSON.');
      }
      const pluginPaths = Array.isArray(reply?.pluginPaths)
        ? reply.pluginPaths.filter((p) => typeof p === 'string')
        : [];
      return { plan: parsePlan(value), pluginPaths, by: 'host' };
    }
    // A Python host shares whitelisted data only: the jobs carry that, with the host's instance ids.
    const context = new Context({ ...c.context.data });
    for (const row of c.store.instanceRows())
      if (!row.isContext && row.toggled)
        new Instance(row.name, { ...row.data, publish: true }, context, row.id);
    return { plan: planPublish(context), pluginPaths: [], by: 'gui' };
  }

  /** Follows the publish until every job is over; a GUI that closes stops following (the farm goes on). */
  private async follow(
    c: FarmRunContext,
    farm: FarmBackend,
    publishId: string,
  ): Promise<PublishLedger | null> {
    const { run } = c;
    const view = new FarmView(c.store, c.report, c.context.id, publishId);
    const closing = new AbortController();
    const onAbort = () => {
      if (run.closing) closing.abort();
    };
    run.abort.signal.addEventListener('abort', onAbort);
    let last: PublishLedger | null = null;
    try {
      for await (const { event, ledger } of followPublish(farm, publishId, { signal: closing.signal })) {
        last = ledger;
        view.apply(event, ledger);
        const { phase, message } = view.progress();
        if (!run.stop) c.setPhase(phase, message);
      }
      // The ledger settles jobs that can no longer run (the context job after a failed one) at the end.
      if (last) view.settle(last.status());
      view.progress();
    } catch (err) {
      if (!closing.signal.aborted) throw err;
    } finally {
      run.abort.signal.removeEventListener('abort', onAbort);
    }
    if (closing.signal.aborted && farm.name === 'local')
      await farm.cancel(publishId, 'the GUI closed (its local farm ends with it)').catch(() => undefined);
    return last;
  }

  private end(c: FarmRunContext, farm: FarmBackend, ledger: PublishLedger | null, built: Built): FarmEnd {
    const status = ledger?.status() ?? null;
    c.report.addFarmPublish({
      farm: farm.name,
      publishId: built.plan.publishId,
      builtBy: built.by,
      origin: built.plan.origin,
      targets: built.plan.targets,
      cancelled: status?.cancelled ?? null,
      done: status?.done ?? false,
      jobs: status ? farmJobsReport(status) : [],
    });
    if (!status?.done) {
      const message =
        farm.name === 'local'
          ? 'The GUI closed: its local farm stopped with it.'
          : `The GUI stopped following publish ${built.plan.publishId}; it goes on on the farm (pyblish farm status ${built.plan.publishId} --farm ${farm.name}).`;
      c.store.appendTerminal([{ type: 'message', level: 'warning', text: message }]);
      return { message, success: false, fault: c.run.closing };
    }
    if (status.cancelled)
      return { message: `Cancelled on the farm by ${status.cancelled}`, success: false, fault: null };
    const retried = status.jobs.reduce((n, j) => n + j.retries.length, 0);
    const note = retried > 0 ? ` (${retried} ${retried === 1 ? 'retry' : 'retries'})` : '';
    return status.success
      ? { message: `Published on the farm${note}`, success: true, fault: null }
      : { message: `Published on the farm, with errors..${note}`, success: false, fault: null };
  }
}
