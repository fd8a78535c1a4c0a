// The user's edits of the scene between runs: toggling instances and plug-ins, one at a time or a
// whole section, and comments on the context or an instance. Each lands at once in the rows and
// the mirror (so the next run and the compatibility counts follow it) and is told to the host.
import { CommandError } from './errors.js';
import type { HostMessages } from './host-messages.js';
import type { HostMirror } from './host-mirror.js';
import type { ViewStateStore } from './view-state.js';

export interface SceneEditsOptions {
  store: ViewStateStore;
  mirror: HostMirror;
  messages: HostMessages;
  /** Something was toggled: what validation found may no longer hold. */
  onToggled(): void;
}

export class SceneEdits {
  constructor(private readonly options: SceneEditsOptions) {}

  toggle(id: string, value?: boolean): void {
    const { store } = this.options;
    const instance = store.instance(id);
    const plugin = instance ? undefined : store.plugin(id);
    const row = instance ?? plugin;
    if (!row) throw new CommandError('UNKNOWN_ITEM', `Nothing with id ${id}`);
    if (!row.optional || (instance?.isContext ?? false))
      throw new CommandError('CANNOT_TOGGLE', 'Cannot toggle');
    const next = value ?? !row.toggled;
    if (next === row.toggled) return;
    this.setToggled(row.kind, id, next);
    // Counts only: a toggle does not wait for them (a failure would show in the next run).
    void this.options.mirror.refreshCompatibility().catch(() => undefined);
  }

  /** Toggles every optional row of a section (an instance category, or a plug-in verb). */
  toggleSection(list: 'instances' | 'plugins', section: string, value: boolean): void {
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
    void this.options.mirror.refreshCompatibility().catch(() => undefined);
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
      store.setState({ comment: text });
      const context = mirror.context;
      if (context) store.updateInstance(context.id, { comment: text });
      messages.sendSettled('', 'commented', { comment: text });
    }
  }

  private setToggled(kind: 'instance' | 'plugin', id: string, value: boolean): void {
    const { store, mirror, messages } = this.options;
    const old = !value;
    mirror.setToggled(kind, id, value);
    if (kind === 'instance') {
      store.updateInstance(id, { toggled: value });
      messages.send('instanceToggled', { instance: id, new_value: value, old_value: old });
    } else {
      store.updatePlugin(id, { toggled: value });
      messages.send('pluginToggled', { plugin: id, new_value: value, old_value: old });
    }
    this.options.onToggled();
  }
}
