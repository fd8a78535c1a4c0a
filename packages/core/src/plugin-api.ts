// The plug-in API: what a plug-in file needs, without the package index. The demo plug-ins import
// this so that loading them from the index (demoPlugins) does not create an import cycle.
export type { Context, Instance } from './data.js';
export {
  Action,
  Category,
  ContextPlugin,
  InstancePlugin,
  Match,
  Order,
  type PluginClass,
  type ProcessApi,
  Separator,
} from './plugin.js';
export type { Result } from './process.js';
