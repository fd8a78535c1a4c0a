// @pyblish/core: the publishing framework (the TypeScript counterpart of pyblish-base).
import type { Callback } from './events.js';
import type { Test } from './logic.js';
import type { PluginClass } from './plugin.js';
import { type DiscoveryFilter, defaultRegistry } from './registry.js';

export { Context, type Data, Instance } from './data.js';
export { demoPluginPath, demoPlugins } from './demo.js';
export {
  type DiscoverOptions,
  type Discovery,
  type DiscoveryError,
  type Duplicate,
  discover,
  PLUGIN_EXTENSIONS,
} from './discovery.js';
export { type PluginError, PyblishError, toPluginError } from './errors.js';
export { type Callback, type CallbackFailure, Events, type SignalArgs, Signals } from './events.js';
export { getLogger, Level, type LevelName, type Logger, type LogRecord } from './log.js';
export * from './logic.js';
export {
  ACTION_ON,
  Action,
  type ActionClass,
  type ActionEntry,
  type ActionInfo,
  type ActionOn,
  assertPlugin,
  Category,
  ContextPlugin,
  checkRequires,
  cleanDoc,
  describeAction,
  describePlugin,
  findAction,
  InstancePlugin,
  isInstancePlugin,
  isPluginClass,
  Match,
  Order,
  type PluginClass,
  type PluginInfo,
  type PluginObject,
  type ProcessApi,
  pluginId,
  pluginProblem,
  pluginSource,
  pyblishVersion,
  Separator,
  setPluginSource,
} from './plugin.js';
export { type ProcessOptions, processPlugin, type Result, repairPlugin } from './process.js';
export {
  collect,
  collectIter,
  extract,
  extractIter,
  integrate,
  integrateIter,
  type PublishOptions,
  publish,
  publishIter,
  validate,
  validateIter,
} from './publish.js';
export { type DiscoveryFilter, defaultRegistry, Registry } from './registry.js';
export {
  buildReport,
  type Failure,
  hasWarning,
  jsonSafe,
  pluginLabel,
  type ResultReport,
  type Summary,
  summarise,
  summariseReports,
  summaryCounts,
  toResultReport,
  WARNING,
} from './report.js';

// Free functions acting on the default registry, named as in pyblish-base (camelCase).
const r = defaultRegistry;
export const registerPluginPath = (path: string) => r.registerPluginPath(path);
export const deregisterPluginPath = (path: string) => r.deregisterPluginPath(path);
export const deregisterAllPaths = () => r.deregisterAllPaths();
export const registeredPaths = () => r.registeredPaths();
export const pluginPaths = (env?: NodeJS.ProcessEnv) => r.pluginPaths(env);
export const registerPlugin = (plugin: PluginClass) => r.registerPlugin(plugin);
export const deregisterPlugin = (plugin: PluginClass) => r.deregisterPlugin(plugin);
export const deregisterAllPlugins = () => r.deregisterAllPlugins();
export const registeredPlugins = () => r.registeredPlugins();
export const registerHost = (host: string) => r.registerHost(host);
export const deregisterHost = (host: string) => r.deregisterHost(host);
export const deregisterAllHosts = () => r.deregisterAllHosts();
export const registeredHosts = () => r.registeredHosts();
export const currentHost = () => r.currentHost();
export const registerTarget = (target: string) => r.registerTarget(target);
export const deregisterTarget = (target: string) => r.deregisterTarget(target);
export const deregisterAllTargets = () => r.deregisterAllTargets();
export const registeredTargets = () => r.registeredTargets();
export const registerDiscoveryFilter = (filter: DiscoveryFilter) => r.registerDiscoveryFilter(filter);
export const deregisterDiscoveryFilter = (filter: DiscoveryFilter) => r.deregisterDiscoveryFilter(filter);
export const deregisterAllDiscoveryFilters = () => r.deregisterAllDiscoveryFilters();
export const registeredDiscoveryFilters = () => r.registeredDiscoveryFilters();
export const registerTest = (test: Test) => r.registerTest(test);
export const deregisterTest = () => r.deregisterTest();
export const registeredTest = () => r.registeredTest();
export const registerCallback = <S extends string>(signal: S, callback: Callback<S>) =>
  r.registerCallback(signal, callback);
export const deregisterCallback = <S extends string>(signal: S, callback: Callback<S>) =>
  r.deregisterCallback(signal, callback);
export const deregisterAllCallbacks = () => r.deregisterAllCallbacks();
export const registeredCallbacks = () => r.registeredCallbacks();
export const emit: typeof r.emit = (signal, args) => r.emit(signal, args);
