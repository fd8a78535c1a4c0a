// A scripted client for the unit tests of the host mirror and the run driver: a small in-memory
// host that answers reset, context, discover and process the way a /pyblish host does (context
// revisions included), running scripted plug-ins. The end-to-end tests drive real hosts; this
// one lets a test say exactly which pairs ran, in which order, and which context calls were made.
import type { ContextJSON, InstanceJSON, PluginJSON, ResultJSON } from '@pyblish/host';
import type { InstanceProxy, MirrorClient, PluginProxy } from '../src/host-mirror.js';
import type { DriverClient } from '../src/run-driver.js';

export interface ScriptedPlugin {
  name: string;
  order: number;
  /** An instance plug-in of these families; a context plug-in when left out. */
  families?: string[];
  /** Throws this message (the pair fails), given the instance's name (or null for the context). */
  fails?(instance: string | null): string | null;
  /** What the plug-in does in the scene, e.g. `host.create('sh010', 'shot')`. */
  process?(host: ScriptedHost, instance: string | null): void;
}

const EMPTY_PLUGIN: Omit<PluginJSON, 'id' | 'name' | 'order' | 'families' | 'instanceEnabled'> = {
  label: null,
  version: [1, 0, 0],
  category: null,
  requires: 'pyblish>=1',
  optional: false,
  active: true,
  hosts: ['*'],
  targets: ['default'],
  doc: null,
  match: 1,
  type: 'Other',
  module: 'scripted',
  path: 'scripted.py',
  hasRepair: false,
  pre11: false,
  contextEnabled: true,
  __pre11__: false,
  __contextEnabled__: true,
  __instanceEnabled__: false,
  process: { args: [] },
  repair: { args: [] },
  actions: [],
};

export class ScriptedHost implements MirrorClient, DriverClient {
  readonly contextId = 'context-1';
  private children: InstanceJSON[] = [];
  private changes = 0;
  /** Every request, by method name. */
  readonly requests: string[] = [];
  /** Every pair processed, as "Plugin" or "Plugin:instance". */
  readonly pairs: string[] = [];
  /** Whether results carry `contextRevision` (our hosts) or not (Python hosts). */
  revisions = true;

  constructor(readonly plugins: ScriptedPlugin[]) {}

  /** A collector's work: a new instance in the scene. */
  create(name: string, family: string, data: Record<string, unknown> = {}): void {
    this.children.push({ id: `${name}-id`, name, data: { family, publish: true, ...data }, children: [] });
    this.changes++;
  }

  remove(name: string): void {
    this.children = this.children.filter((c) => c.name !== name);
    this.changes++;
  }

  async reset(): Promise<void> {
    this.requests.push('reset');
    this.children = [];
    this.changes = 0;
  }

  async context(): Promise<ContextJSON> {
    this.requests.push('context');
    return structuredClone({
      name: 'Context',
      id: this.contextId,
      data: { label: 'Scripted scene' },
      children: this.children,
    });
  }

  async discover(): Promise<PluginJSON[]> {
    this.requests.push('discover');
    return this.plugins.map((p) => this.json(p));
  }

  async process(plugin: PluginProxy, instance: InstanceProxy | null): Promise<ResultJSON> {
    this.requests.push('process');
    const script = this.plugins.find((p) => p.name === plugin.id);
    if (!script) throw new Error(`no scripted plug-in ${plugin.id}`);
    const name = instance ? (this.children.find((c) => c.id === instance.id)?.name ?? null) : null;
    this.pairs.push(name ? `${script.name}:${name}` : script.name);
    script.process?.(this, name);
    const failure = script.fails?.(name) ?? null;
    return {
      success: failure === null,
      plugin: this.json(script),
      instance: null,
      error: failure === null ? null : { message: failure },
      records: [],
      duration: 1,
      ...(this.revisions && { contextRevision: this.changes }),
    };
  }

  private json(p: ScriptedPlugin): PluginJSON {
    const instanceEnabled = p.families !== undefined;
    return {
      ...EMPTY_PLUGIN,
      id: p.name,
      name: p.name,
      order: p.order,
      families: p.families ?? ['*'],
      instanceEnabled,
      __instanceEnabled__: instanceEnabled,
      contextEnabled: !instanceEnabled,
      __contextEnabled__: !instanceEnabled,
    };
  }
}
