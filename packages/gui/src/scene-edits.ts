// The user's edits of the scene between runs: toggling instances and plug-ins, one at a time or a
// whole section, and comments on the context or an instance. Each lands at once in the rows and
// the mirror (so the next run and the compatibility counts follow it) and is told to the host.
// Toggles and the context comment are remembered per host (host-memory.ts) and given back after
// each Reset; "reset toggles" returns every row to the scene's defaults.
import { CommandError } from './errors.js';
import { HostMemories, type HostMemory, instanceIdentity } from './host-memory.js';
import type { HostMessages } from './host-messages.js';
import type { HostMirror } from './host-mirror.js';
import type { ViewStateStore } from './view-state.js';

export interface SceneEditsOptions {
  store: ViewStateStore;
  mirror: HostMirror;
  messages: HostMessages;
  /** The shown host (an object standing for its process), or null. */
  host(): object | null;
  /** Something was toggled: what validation found may no longer hold. */
  onToggled(): void;
}

export class SceneEdits {
  private readonly memories = new HostMemories();
  /**
   * Each toggled row's default since the last reset: the host's publish flag as collected, the
   * plug-in's own active; for rows that came later, their state before the first toggle.
   */
  private readonly defaults = new Map<string, boolean>();
  /** Rows toggled away from their default. */
  private readonly changed = new Set<string>();

  constructor(private readonly options: SceneEditsOptions) {}

  private memory(): HostMemory | null {
    const host = this.options.host();
    return host ? this.memories.of(host) : null;
  }

  /** Resolves once the plug-ins' compatibility counts follow the toggle. */
  toggle(id: string, value?: boolean): Promise<void> {
    const { store } = this.options;
    const instance = store.instance(id);
    const plugin = instance ? undefined : store.plugin(id);
    const row = instance ?? plugin;
    if (!row) throw new CommandError('UNKNOWN_ITEM', `Nothing with id ${id}`);
    if (!row.optional || (instance?.isContext ?? false))
      throw new CommandError('CANNOT_TOGGLE', 'Cannot toggle');
    const next = value ?? !row.toggled;
    if (next === row.toggled) return Promise.resolve();
    this.setToggled(row.kind, id, next);
    return this.recount();
  }

  /**
   * The compatibility counts after toggles: the command's reply waits for them (they are worked
   * out in slices, so the GUI goes on meanwhile); a failure shows in the next run instead.
   */
  private recount(): Promise<void> {
    return this.options.mirror.refreshCompatibility().catch(() => undefined);
  }

  /** Toggles every optional row of a section (an instance category, or a plug-in verb). */
  toggleSection(list: 'instances' | 'plugins', section: string, value: boolean): Promise<void> {
    const { store } = this.options;
    if (list === 'instances') {
      for (const row of store.instanceRows()) {
        if (!row.isContext && row.optional && row.category === section && row.toggled !== value) {
          this.setToggled('instance', row.id, value);
        }
      }
    } else {
      for (const row of store.pluginRows()) {
        if (row.optional && row.verb === section && row.toggled !== value)
          this.setToggled('plugin', row.id, value);
      }
    }
    return this.recount();
  }

  /** Every row back to its default, and the host's remembered toggles forgotten. */
  resetToggles(): Promise<void> {
    const { store } = this.options;
    for (const id of [...this.changed]) {
      const kind = store.instance(id) ? 'instance' : 'plugin';
      this.setToggled(kind, id, this.defaults.get(id) as boolean);
    }
    const memory = this.memory();
    memory?.instances.clear();
    memory?.plugins.clear();
    return this.recount();
  }

  /** A comment on an instance, or on the context (the publish's comment) without one. */
  comment(text: string, instanceId?: string): void {
    const { store, mirror, messages } = this.options;
    if (instanceId) {
      if (!store.instance(instanceId))
        throw new CommandError('UNKNOWN_ITEM', `No instance with id ${instanceId}`);
      store.updateInstance(instanceId, { comment: text });
      messages.sendSettled(instanceId, 'instanceCommented', { instance: instanceId, comment: text });
    } else {
      const memory = this.memory();
      if (!memory) throw new CommandError('NOT_READY', 'Not ready: no host has asked to be shown');
      memory.comment = text;
      store.setState({ comment: text });
      const context = mirror.context;
      if (context) store.updateInstance(context.id, { comment: text });
      messages.sendSettled('', 'commented', { comment: text });
    }
  }

  /** Another host is shown: the page has its comment, and none of the last one's. */
  hostShown(): void {
    this.options.store.setState({ comment: this.memory()?.comment ?? '' });
  }

  /** The host rediscovered (a reset): plug-ins toggled before are toggled again, before collection. */
  pluginsLoaded(): void {
    this.defaults.clear();
    this.changed.clear();
    const kept = this.memory()?.plugins;
    for (const row of this.options.store.pluginRows()) {
      if (!row.optional) continue;
      this.defaults.set(row.id, row.toggled);
      const value = kept?.get(row.id);
      if (value !== undefined && value !== row.toggled) this.setToggled('plugin', row.id, value);
    }
    this.options.store.setState({ changedToggles: this.changed.size });
  }

  /** Collection is over: instances toggled before are toggled again, and the comment goes to the host. */
  async collected(): Promise<void> {
    const { store, mirror, messages } = this.options;
    const memory = this.memory();
    for (const row of store.instanceRows()) {
      if (row.isContext || !row.optional) continue;
      this.defaults.set(row.id, row.toggled);
      const value = memory?.instances.get(instanceIdentity(row));
      if (value !== undefined && value !== row.toggled) this.setToggled('instance', row.id, value);
    }
    await mirror.refreshCompatibility();
    if (!memory) return;
    const data = mirror.context?.data;
    const hostComment = typeof data?.comment === 'string' ? data.comment : '';
    if (memory.comment && memory.comment !== hostComment)
      messages.send('commented', { comment: memory.comment });
    else if (!memory.comment && hostComment) {
      memory.comment = hostComment;
      store.setState({ comment: hostComment });
    }
  }

  private setToggled(kind: 'instance' | 'plugin', id: string, value: boolean): void {
    const { store, mirror, messages } = this.options;
    mirror.setToggled(kind, id, value);
    const row = kind === 'instance' ? store.instance(id) : store.plugin(id);
    if (kind === 'instance') store.updateInstance(id, { toggled: value });
    else store.updatePlugin(id, { toggled: value });
    messages.toggle(kind, id, value);
    if (!this.defaults.has(id)) this.defaults.set(id, !value);
    const isDefault = this.defaults.get(id) === value;
    if (isDefault) this.changed.delete(id);
    else this.changed.add(id);
    const memory = this.memory();
    if (memory && row) {
      const kept = kind === 'instance' ? memory.instances : memory.plugins;
      const key = row.kind === 'instance' ? instanceIdentity(row) : row.id;
      if (isDefault) kept.delete(key);
      else kept.set(key, value);
    }
    store.setState({ changedToggles: this.changed.size });
    this.options.onToggled();
  }
}
