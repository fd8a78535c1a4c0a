// The GUI's mirror of the shown host: proxies of its context, instances and plug-ins built from
// its replies. Core's iteration logic runs on these proxies (it takes plain descriptions), so they
// are kept in line with the host (refetched when a result says the context changed) and the rows
// of the view state are kept in line with them. A host may send tens of thousands of instances:
// the work on them is sliced (slices.ts) so the GUI keeps serving meanwhile.
import { instanceFamilies, instancesByPlugin, type PluginLike } from '@pyblish/core';
import type { ContextJSON, InstanceJSON, PluginJSON, ResultJSON } from '@pyblish/host';
import { conversionsIn, numberFrom } from './host-values.js';
import { contextRow, instanceDataFields, instanceRow, pluginRow } from './rows.js';
import { eachSliced, Slices } from './slices.js';
import type { InstanceRow } from './view-model.js';
import type { ViewStateStore } from './view-state.js';

export interface InstanceProxy {
  id: string;
  data: { family?: unknown; families?: unknown; publish?: unknown };
}

export interface PluginProxy extends PluginLike {
  id: string;
  json: PluginJSON;
}

export interface MirroredContext {
  id: string;
  name: string;
  data: Record<string, unknown>;
}

/** What the mirror asks of the host (HostClient, or a scripted client in tests). */
export interface MirrorClient {
  reset(): Promise<void>;
  context(): Promise<ContextJSON>;
  discover(): Promise<PluginJSON[]>;
}

export interface MirrorOptions {
  store: ViewStateStore;
  /** Told whenever the context's data was read afresh (the report keeps it). */
  onContext(context: MirroredContext): void;
  /** Refetch the context after every pair, as pyblish-qml did (for comparisons). */
  naive?: boolean;
}

export class HostMirror {
  context: MirroredContext | null = null;
  /** In the host's order; replaced (never edited in place) when the context is refetched. */
  instances: InstanceProxy[] = [];
  /** Sorted by order. */
  plugins: PluginProxy[] = [];
  private instanceById = new Map<string, InstanceProxy>();
  private pluginById = new Map<string, PluginProxy>();
  /** The compatibility refresh under way: refreshes run one after another. */
  private compatibility: Promise<void> = Promise.resolve();
  /** The context revision of the last result that carried one (hosts without it: undefined). */
  private revision: number | undefined;
  /**
   * A pair ran since the context was last fetched without a refetch after it: it may have
   * edited instances' data (which moves no revision), so a run that must end with the host's
   * context as it is fetches it again.
   */
  stale = false;
  private readonly store: ViewStateStore;

  constructor(private readonly options: MirrorOptions) {
    this.store = options.store;
  }

  /** The host resets and rediscovers; the mirror starts afresh from its context and plug-ins. */
  async reload(client: MirrorClient): Promise<ContextJSON> {
    await client.reset();
    // A reset context counts its revisions from the start again: the last run's number means nothing.
    this.revision = undefined;
    const context = await client.context();
    const plugins = await client.discover();
    await this.loadContext(context);
    this.loadPlugins(plugins);
    this.stale = false;
    return context;
  }

  /** Fetches the context and brings the proxies and rows in line with it. */
  async refetch(client: Pick<MirrorClient, 'context'>, collecting: boolean): Promise<void> {
    await this.refreshContext(await client.context(), collecting);
    this.stale = false;
  }

  /** A pair ran that the context fetched last may not show (see `stale`). */
  pairRan(): void {
    this.stale = true;
  }

  /** After a pair: refetches the context only when it can have changed. */
  async afterPair(
    client: Pick<MirrorClient, 'context'>,
    result: Pick<ResultJSON, 'contextRevision'>,
    collecting: boolean,
  ): Promise<void> {
    const refetch = this.changedBy(result, collecting);
    const revision = revisionOf(result);
    if (revision !== undefined) this.revision = revision;
    if (!refetch) {
      this.pairRan();
      return;
    }
    await this.refetch(client, collecting);
    if (!collecting) await this.refreshCompatibility();
  }

  /** Whether afterPair refetches the context after this result (else it does nothing). */
  changedBy(result: Pick<ResultJSON, 'contextRevision'>, collecting: boolean): boolean {
    const revision = revisionOf(result);
    if (this.options.naive) return true;
    if (revision !== undefined) return revision !== this.revision;
    return collecting; // hosts without revisions: after each collector, as pyblish-qml did
  }

  /** An action or repair may add or remove instances: refresh when the host says so (or cannot say). */
  async afterAction(client: Pick<MirrorClient, 'context'>, result: ResultJSON): Promise<void> {
    const revision = revisionOf(result);
    if (revision !== undefined && revision === this.revision) return;
    this.revision = revision;
    await this.refetch(client, false);
    await this.refreshCompatibility();
  }

  plugin(id: string): PluginProxy | undefined {
    return this.pluginById.get(id);
  }

  instance(id: string): InstanceProxy | undefined {
    return this.instanceById.get(id);
  }

  /** The user toggled an instance (publish) or a plug-in (active). */
  setToggled(kind: 'instance' | 'plugin', id: string, value: boolean): void {
    if (kind === 'instance') {
      const proxy = this.instance(id);
      if (proxy) proxy.data.publish = value;
    } else {
      const proxy = this.plugin(id);
      if (proxy) proxy.active = value;
    }
  }

  /** Plug-ins run as their rows are toggled. */
  applyPluginToggles(): void {
    for (const p of this.plugins) p.active = this.store.plugin(p.id)?.toggled ?? p.active;
  }

  /**
   * Which instances each plug-in applies to, and whether any of them is toggled on. Instances
   * alike in families and toggle are matched once, as a group; refreshes run in turn.
   */
  refreshCompatibility(): Promise<void> {
    const refresh = this.compatibility.then(() => this.refreshCompatibilityNow());
    this.compatibility = refresh.catch(() => undefined);
    return refresh;
  }

  private async refreshCompatibilityNow(): Promise<void> {
    if (!this.context) return;
    const slices = new Slices();
    const groups = new Map<string, { sample: InstanceProxy; count: number; toggled: boolean }>();
    await eachSliced(
      this.instances,
      (instance) => {
        const toggled = this.store.instance(instance.id)?.toggled === true;
        const key = JSON.stringify([instanceFamilies(instance.data), toggled]);
        const group = groups.get(key);
        if (group) group.count++;
        else groups.set(key, { sample: instance, count: 1, toggled });
      },
      slices,
    );
    const bySample = new Map([...groups.values()].map((g) => [g.sample, g]));
    const samples = [...bySample.keys()];
    await eachSliced(
      this.plugins,
      (plugin) => {
        if (!plugin.instanceEnabled) {
          this.store.updatePlugin(plugin.id, { compatibleCount: 1, hasCompatible: true });
          return;
        }
        const matched = instancesByPlugin(samples, plugin).map(
          (s) => bySample.get(s) as { count: number; toggled: boolean },
        );
        this.store.updatePlugin(plugin.id, {
          compatibleCount: matched.reduce((n, g) => n + g.count, 0),
          hasCompatible: matched.some((g) => g.toggled),
        });
      },
      slices,
    );
  }

  private async loadContext(context: ContextJSON): Promise<void> {
    this.context = { id: context.id, name: context.name, data: { ...context.data } };
    this.options.onContext(this.context);
    this.instances = [];
    this.instanceById = new Map();
    const comment = this.store.state.comment;
    const ctxRow = contextRow(context, this.store.state.window.contextLabel);
    if (comment) ctxRow.comment = comment;
    this.store.setInstances([ctxRow]);
    await this.refreshContext(context, true);
  }

  private loadPlugins(plugins: PluginJSON[]): void {
    // Stable sort by order, as pyblish does; hosts normally send them sorted already.
    const sorted = plugins
      .map((p, i) => ({ p, i, order: numberFrom(p.order, 0) }))
      .sort((a, b) => a.order - b.order || a.i - b.i);
    this.plugins = sorted.map(({ p, order }) => ({
      id: p.id,
      json: p,
      order,
      families: Array.isArray(p.families) ? p.families : ['*'],
      match: typeof p.match === 'number' ? p.match : 1,
      active: p.active !== false,
      targets: ['*'],
      instanceEnabled: p.__instanceEnabled__ ?? p.instanceEnabled ?? false,
    }));
    this.pluginById = new Map(this.plugins.map((p) => [p.id, p]));
    this.store.setPlugins(sorted.map(({ p }) => pluginRow(p)));
  }

  /**
   * Brings the proxies and rows in line with the host's context: new instances appended,
   * vanished ones removed, data refreshed, rows in the host's order. While collecting, the
   * host's publish flags win; afterwards the user's toggles do.
   */
  private async refreshContext(context: ContextJSON, collecting: boolean): Promise<void> {
    if (!this.context) return;
    const slices = new Slices();
    this.context.data = { ...context.data };
    this.options.onContext(this.context);
    const ctxRow = this.store.instance(this.context.id);
    if (ctxRow) {
      const label =
        typeof context.data.label === 'string' && context.data.label ? context.data.label : ctxRow.label;
      const converted = conversionsIn(context.data) ?? null;
      this.store.updateInstance(this.context.id, { data: { ...context.data }, label, converted });
    }
    const known = this.instanceById;
    const next: InstanceProxy[] = [];
    const nextById = new Map<string, InstanceProxy>();
    let shapeChanged = context.children.length !== this.instances.length;
    let index = 0;
    await eachSliced(
      context.children,
      (child) => {
        if (this.instances[index++]?.id !== child.id) shapeChanged = true;
        const proxy = known.get(child.id);
        if (proxy) {
          const fields = instanceDataFields(child);
          if (!collecting) delete fields.toggled;
          else proxy.data.publish = child.data.publish;
          proxy.data.family = child.data.family;
          proxy.data.families = child.data.families;
          this.store.updateInstance(child.id, fields);
          next.push(proxy);
          nextById.set(child.id, proxy);
        } else {
          const made = newProxy(child);
          next.push(made);
          nextById.set(child.id, made);
        }
      },
      slices,
    );
    // The iteration reads this.instances afresh for each plug-in (cooperative collection).
    this.instances = next;
    this.instanceById = nextById;
    if (shapeChanged) {
      const rows: InstanceRow[] = [this.store.instance(this.context.id) as InstanceRow];
      await eachSliced(
        context.children,
        (child) => rows.push(this.store.instance(child.id) ?? instanceRow(child)),
        slices,
      );
      this.store.reorderInstances(rows);
    }
  }
}

function newProxy(child: InstanceJSON): InstanceProxy {
  return {
    id: child.id,
    data: { family: child.data.family, families: child.data.families, publish: child.data.publish },
  };
}

function revisionOf(result: Pick<ResultJSON, 'contextRevision'>): number | undefined {
  return typeof result.contextRevision === 'number' ? result.contextRevision : undefined;
}
