// The plug-in API: what a plug-in file needs (the plug-in and action classes, Order, Match, the
// data model's types), without the package index. The demo plug-ins import this rather than
// '@pyblish/core' so that loading them from the index (demoPlugins) does not create an import
// cycle, the concern pyblish-base's api.py states. A studio's plug-ins import '@pyblish/core'.
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
