// Registration: plug-in paths, plug-ins, hosts, targets, discovery filters, the test and callbacks.
// A Registry is an object so hosts and tests can keep separate ones; the free functions exported
// from the package act on `defaultRegistry`.
import { delimiter, resolve } from 'node:path';
import { Events } from './events.js';
import { defaultTest, type Test } from './logic.js';
import { assertPlugin, type PluginClass } from './plugin.js';

/** Receives the discovered plug-ins (sorted by order); may edit the list in place or return a new one. */
export type DiscoveryFilter = (plugins: PluginClass[]) => unknown;

function without<T>(list: T[], item: T): boolean {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
  return index >= 0;
}

export class Registry extends Events {
  private readonly paths: string[] = [];
  private readonly plugins: PluginClass[] = [];
  private readonly hosts: string[] = [];
  private readonly targets: string[] = [];
  private readonly filters: DiscoveryFilter[] = [];
  private test: Test = defaultTest;

  registerPluginPath(path: string): string {
    const absolute = resolve(path);
    if (!this.paths.includes(absolute)) this.paths.push(absolute);
    return absolute;
  }

  deregisterPluginPath(path: string): boolean {
    return without(this.paths, resolve(path));
  }

  deregisterAllPaths(): void {
    this.paths.length = 0;
  }

  /** Paths registered in code (not the environment variable). */
  registeredPaths(): string[] {
    return [...this.paths];
  }

  /** Registered paths followed by those of PYBLISH_PLUGINPATH (read now, path-separator list). */
  pluginPaths(env: NodeJS.ProcessEnv = process.env): string[] {
    const fromEnv = (env.PYBLISH_PLUGINPATH ?? '')
      .split(delimiter)
      .filter((p) => p.trim() !== '')
      .map((p) => resolve(p));
    return [...new Set([...this.paths, ...fromEnv])];
  }

  /** Adds a plug-in class to every discovery; throws a PyblishError (INVALID_PLUGIN) if it is malformed. */
  registerPlugin(plugin: PluginClass): void {
    assertPlugin(plugin);
    if (!this.plugins.includes(plugin)) this.plugins.push(plugin);
  }

  deregisterPlugin(plugin: PluginClass): boolean {
    return without(this.plugins, plugin);
  }

  deregisterAllPlugins(): void {
    this.plugins.length = 0;
  }

  registeredPlugins(): PluginClass[] {
    return [...this.plugins];
  }

  registerHost(host: string): void {
    // The current host is the last registered, so re-registering moves it to the end.
    without(this.hosts, host);
    this.hosts.push(host);
  }

  deregisterHost(host: string): boolean {
    return without(this.hosts, host);
  }

  deregisterAllHosts(): void {
    this.hosts.length = 0;
  }

  registeredHosts(): string[] {
    return [...this.hosts];
  }

  /** The last registered host, or null. */
  currentHost(): string | null {
    return this.hosts.at(-1) ?? null;
  }

  registerTarget(target: string): void {
    if (!this.targets.includes(target)) this.targets.push(target);
  }

  deregisterTarget(target: string): boolean {
    return without(this.targets, target);
  }

  deregisterAllTargets(): void {
    this.targets.length = 0;
  }

  registeredTargets(): string[] {
    return [...this.targets];
  }

  /** The session's targets when none are given: 'default' plus the registered ones. */
  defaultTargets(): string[] {
    return [...new Set(['default', ...this.targets])];
  }

  registerDiscoveryFilter(filter: DiscoveryFilter): void {
    if (!this.filters.includes(filter)) this.filters.push(filter);
  }

  deregisterDiscoveryFilter(filter: DiscoveryFilter): boolean {
    return without(this.filters, filter);
  }

  deregisterAllDiscoveryFilters(): void {
    this.filters.length = 0;
  }

  registeredDiscoveryFilters(): DiscoveryFilter[] {
    return [...this.filters];
  }

  /** Replaces the test asked before each plug-in (see defaultTest). */
  registerTest(test: Test): void {
    this.test = test;
  }

  /** Restores the default test. */
  deregisterTest(): void {
    this.test = defaultTest;
  }

  registeredTest(): Test {
    return this.test;
  }
}

export const defaultRegistry = new Registry();
