// @pyblish/core: the publishing framework (the TypeScript counterpart of pyblish-base). The public
// surface, grouped; anything not listed is internal. Plug-in files may import this index: discovery
// maps '@pyblish/core' to this running copy (plugin-imports.ts).
import type { Callback } from './events.js';
import type { Test } from './logic.js';
import type { PluginClass } from './plugin.js';
import { type DiscoveryFilter, defaultRegistry } from './registry.js';

// The data model
export { Context, type Data, Instance } from './data.js';

// Plug-ins and actions: the classes a studio extends, their metadata and plain-data descriptions
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

// The registry (plug-ins, paths, hosts, targets, tests, callbacks), discovery and events
export { type DiscoveryFilter, defaultRegistry, Registry } from './registry.js';
export {
  type DiscoverOptions,
  type Discovery,
  type DiscoveryError,
  type Duplicate,
  discover,
  PLUGIN_EXTENSIONS,
} from './discovery.js';
export { type Callback, type CallbackFailure, Events, type SignalArgs, Signals } from './events.js';
export { getLogger, Level, type LevelName, type Logger, type LogRecord } from './log.js';

// The iteration logic: pure, on plain data, so the GUI runs it on proxies of a host's objects
export {
  countPairs,
  createState,
  defaultTest,
  inRange,
  type InstanceLike,
  instanceFamilies,
  instancesByPlugin,
  type IterateOptions,
  type IterationState,
  isPublished,
  iterate,
  matches,
  type Pair,
  type PluginLike,
  type PluginType,
  pluginsByHost,
  pluginsByOrder,
  pluginsByTargets,
  pluginsWithWork,
  pluginType,
  type Test,
  type TestVars,
} from './logic.js';
// A run's pairs driven as a GUI runs them, with its plan (the GUI pair by pair; a host whole runs)
export { type DriveOptions, drivePairs, plannedPairs, pluginsOfRun, type RunPhase } from './drive.js';

// Processing one pair, and the convenience publish of a whole context
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

// The JSON report of a headless publish (`pyblish publish --json`)
export {
  buildReport,
  type Failure,
  hasWarning,
  jsonSafe,
  plural,
  pluginLabel,
  type ResultReport,
  type Summary,
  summarise,
  summariseReports,
  summaryCounts,
  toResultReport,
  WARNING,
} from './publish-report.js';

// The demo plug-ins
export { demoPluginPath, demoPlugins } from './demo.js';

// Errors
export { type PluginError, PyblishError, type PyblishErrorCode, toPluginError } from './errors.js';

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
