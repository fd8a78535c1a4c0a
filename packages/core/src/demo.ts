// The demo plug-ins: a folder of plug-in files (for discovery) and the same classes in memory.
import { extname, join } from 'node:path';
import * as collect from './demo/collect.js';
import * as extract from './demo/extract.js';
import * as integrate from './demo/integrate.js';
import * as validate from './demo/validate.js';
import { isPluginClass, type PluginClass, pluginProblem, setPluginSource } from './plugin.js';

/** The folder of demo plug-in files: pass it as a plug-in path to discover them. */
export const demoPluginPath = join(import.meta.dirname, 'demo');

// The demo files are .ts in the sources and .js once compiled, as this module is.
const ext = extname(import.meta.filename);
const files: [string, Record<string, unknown>][] = [
  [`collect${ext}`, collect],
  [`validate${ext}`, validate],
  [`extract${ext}`, extract],
  [`integrate${ext}`, integrate],
];

/**
 * The demo plug-ins that any host runs, sorted by order: every class of the demo folder except
 * the ones discovery would leave out (host-specific, or requiring a newer pyblish).
 */
export function demoPlugins(): PluginClass[] {
  const plugins: PluginClass[] = [];
  for (const [file, exports] of files) {
    for (const value of Object.values(exports)) {
      if (!isPluginClass(value) || pluginProblem(value) || !value.hosts.includes('*')) continue;
      setPluginSource(value, join(demoPluginPath, file));
      plugins.push(value);
    }
  }
  return plugins.sort((a, b) => a.order - b.order);
}
