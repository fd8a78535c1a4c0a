// The host's state between GUI calls: one Context, the plug-ins discovered for it, and the user's
// toggles. A reset replaces all of it, as pyblish-qml's Service.reset() did.
import { userInfo } from 'node:os';
import {
  Context,
  defaultRegistry,
  describePlugin,
  discover,
  type Instance,
  type PluginClass,
  pluginId,
  pyblishVersion,
  type Registry,
} from '@pyblish/core';
import { Fault, FaultCode } from '@pyblish/xmlrpc';
import { formatPlugin, pyblishTime } from './format.js';
import type { PluginJSON } from './wire.js';

/** The version of this host protocol implementation, reported as `pyblishRPCVersion`. */
export const HOST_VERSION = '0.1.0';

export interface SessionOptions {
  /** Where hosts, the test and callbacks are registered. Default: core's default registry. */
  registry?: Registry;
  /** The plug-ins of each reset. Default: `discover({ registry })`, which re-reads plug-in files. */
  plugins?: () => PluginClass[] | Promise<PluginClass[]>;
  /** The port stamped into the context. Default: `PYBLISH_CLIENT_PORT`, else -1. */
  port?: () => number;
  /** Told about plug-in files that failed to load. Default: stderr. */
  onDiscoveryError?: (message: string) => void;
}

function envPort(): number {
  const port = Number(process.env.PYBLISH_CLIENT_PORT);
  return Number.isInteger(port) ? port : -1;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export class Session {
  readonly registry: Registry;
  context = new Context();
  private byId = new Map<string, { plugin: PluginClass; json: PluginJSON }>();
  /** pluginToggled: active state per plug-in for this session; class statics stay untouched. */
  private active = new Map<string, boolean>();
  private ready: Promise<void>;

  constructor(private readonly options: SessionOptions = {}) {
    this.registry = options.registry ?? defaultRegistry;
    this.ready = this.load().catch(() => undefined);
  }

  /** A fresh, empty context and freshly discovered plug-ins. */
  /**
   * Rejects with a fault when discovery itself failed; the session then keeps its previous
   * plug-ins (with a fresh context), so the host stays usable and a later reset may succeed.
   */
  reset(): Promise<void> {
    const loading = this.load();
    this.ready = loading.catch(() => undefined);
    return loading;
  }

  /** Settles (never rejects) when the last reset has finished. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  private report(message: string): void {
    (this.options.onDiscoveryError ?? ((m) => process.stderr.write(`pyblish host: ${m}\n`)))(message);
  }

  private async load(): Promise<void> {
    this.context = new Context();
    let plugins: PluginClass[];
    try {
      if (this.options.plugins) {
        plugins = await this.options.plugins();
      } else {
        const found = await discover({ registry: this.registry });
        for (const e of found.errors)
          this.report(`skipped ${e.path}${e.name ? ` (${e.name})` : ''}: ${e.reason}`);
        plugins = found.plugins;
      }
    } catch (err) {
      const message = `plug-in discovery failed: ${err instanceof Error ? err.message : String(err)}`;
      this.report(message);
      throw new Fault(FaultCode.ApplicationError, `${message}; fix it and call reset() again`);
    }
    this.active = new Map();
    this.byId = new Map(
      plugins.map((p) => {
        const json = formatPlugin(describePlugin(p));
        return [json.id, { plugin: p, json }];
      }),
    );
  }

  /** Stamps the metadata a GUI shows in its header (pyblish-qml's Service.context()). */
  stampMetadata(): void {
    const data = this.context.data;
    data.host = [...this.registry.registeredHosts()].reverse().join(',');
    data.port = (this.options.port ?? envPort)();
    data.user = currentUser();
    data.connectTime = pyblishTime();
    data.pyblishVersion = pyblishVersion;
    data.pyblishRPCVersion = HOST_VERSION;
    data.nodeVersion = process.versions.node;
  }

  /** The wire form of a plug-in (also of one a reset has since dropped, for a result still in flight). */
  pluginJsonOf(plugin: PluginClass): PluginJSON {
    return this.pluginJson(pluginId(plugin)) ?? formatPlugin(describePlugin(plugin));
  }

  pluginList(): PluginJSON[] {
    return [...this.byId.values()].map((e) => this.pluginJson(e.json.id)!);
  }

  /** The wire form of a plug-in, with this session's toggle applied. Built once per reset. */
  pluginJson(id: string): PluginJSON | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    const active = this.active.get(id);
    return active === undefined || active === entry.json.active ? entry.json : { ...entry.json, active };
  }

  plugin(id: string): PluginClass {
    const entry = this.byId.get(id);
    if (!entry) {
      throw new Fault(
        FaultCode.ApplicationError,
        `no plug-in with id "${id.slice(0, 100)}" in this session; call discover() (after reset()) for the current ids`,
      );
    }
    return entry.plugin;
  }

  setActive(id: string, active: boolean): void {
    this.plugin(id);
    this.active.set(id, active);
  }

  instance(id: string): Instance {
    const found = this.context.get(id);
    if (!found) {
      throw new Fault(
        FaultCode.ApplicationError,
        `no instance with id "${id.slice(0, 100)}" in the current context; call context() for the current ids`,
      );
    }
    return found;
  }

  instanceByName(name: string): Instance | undefined {
    for (const i of this.context) if (i.name === name) return i;
    return undefined;
  }
}
