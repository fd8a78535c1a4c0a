// The GUI's mirror of the shown host: proxies of its context, instances and plug-ins built from
// its replies. Core's iteration logic runs on these proxies (it takes plain descriptions), so they
// are kept in line with the host (refetched when a result says the context changed) and the rows
// of the view state are kept in line with them.
import { instancesByPlugin, type PluginLike } from '@pyblish/core';
import type { ContextJSON, InstanceJSON, PluginJSON, ResultJSON } from '@pyblish/host';
import { conversionsIn, numberFrom } from './host-values.js';
import { contextRow, instanceDataFields, instanceRow, pluginRow } from './rows.js';
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
  /** The context revision of the last result that carried one (hosts without it: undefined). */
  private revision: number | undefined;
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
    this.loadContext(context);
    this.loadPlugins(plugins);
    return context;
  }

  /** Fetches the context and brings the proxies and rows in line with it. */
  async refetch(client: Pick<MirrorClient, 'context'>, collecting: boolean): Promise<void> {
    this.refreshContext(await client.context(), collecting);
  }

  /** After a pair: refetches the context only when it can have changed. */
  async afterPair(
    client: Pick<MirrorClient, 'context'>,
    result: ResultJSON,
    collecting: boolean,
  ): Promise<void> {
    const revision = revisionOf(result);
    let refetch: boolean;
    if (this.options.naive) refetch = true;
    else if (revision !== undefined) refetch = revision !== this.revision;
    else refetch = collecting; // hosts without revisions: after each collector, as pyblish-qml did
    if (revision !== undefined) this.revision = revision;
    if (!refetch) return;
    await this.refetch(client, collecting);
    if (!collecting) this.refreshCompatibility();
  }

  /** An action or repair may add or remove instances: refresh when the host says so (or cannot say). */
  async afterAction(client: Pick<MirrorClient, 'context'>, result: ResultJSON): Promise<void> {
    const revision = revisionOf(result);
    if (revision !== undefined && revision === this.revision) return;
    this.revision = revision;
    await this.refetch(client, false);
    this.refreshCompatibility();
  }

  plugin(id: string): PluginProxy | undefined {
    return this.plugins.find((p) => p.id === id);
  }

  instance(id: string): InstanceProxy | undefined {
    return this.instances.find((i) => i.id === id);
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

  /** Which instances each plug-in applies to, and whether any of them is toggled on. */
  refreshCompatibility(): void {
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

  private loadContext(context: ContextJSON): void {
    this.context = { id: context.id, name: context.name, data: { ...context.data } };
    this.options.onContext(this.context);
    this.instances = [];
    const comment = this.store.state.comment;
    const ctxRow = contextRow(context, this.store.state.window.contextLabel);
    if (comment) ctxRow.comment = comment;
    this.store.setInstances([ctxRow]);
    this.refreshContext(context, true);
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
    this.options.onContext(this.context);
    const ctxRow = this.store.instance(this.context.id);
    if (ctxRow) {
      const label =
        typeof context.data.label === 'string' && context.data.label ? context.data.label : ctxRow.label;
      const converted = conversionsIn(context.data) ?? null;
      this.store.updateInstance(this.context.id, { data: { ...context.data }, label, converted });
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
        next.push(newProxy(child));
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
}

function newProxy(child: InstanceJSON): InstanceProxy {
  return {
    id: child.id,
    data: { family: child.data.family, families: child.data.families, publish: child.data.publish },
  };
}

function revisionOf(result: ResultJSON): number | undefined {
  return typeof result.contextRevision === 'number' ? result.contextRevision : undefined;
}
