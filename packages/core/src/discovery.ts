// Discovery: load plug-in files from folders, take every exported plug-in class, validate it, and
// report what could not be used as data (path, name, reason, code) instead of stopping.
//
// Reloading: ES modules are never freed by Node, so each discovery imports a file again only when
// its content changed (the import URL carries a hash of the content). A reset without edits imports
// nothing new and memory stays flat; an edited file is picked up on the next discovery. Only the
// plug-in file itself is reloaded: helper modules it imports stay as first loaded until restart.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseStack } from './log.js';
import { pluginsByHost } from './logic.js';
import { isPluginClass, type PluginClass, pluginProblem, pluginSource, setPluginSource } from './plugin.js';
import { registerPluginImports } from './plugin-imports.js';
import { defaultRegistry, type Registry } from './registry.js';

export const PLUGIN_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export interface DiscoveryError {
  /** The file (or folder) concerned. */
  path: string;
  /** The plug-in class name, when the problem is one class rather than the whole file. */
  name: string | null;
  reason: string;
  /** PATH_NOT_FOUND, LOAD_FAILED or INVALID_PLUGIN. */
  code: 'PATH_NOT_FOUND' | 'LOAD_FAILED' | 'INVALID_PLUGIN';
}

/** A plug-in dropped because an earlier one had the same name (first wins). */
export interface Duplicate {
  name: string;
  path: string;
  /** Where the plug-in that was kept comes from. */
  winner: string;
}

export interface Discovery {
  /** Valid, host-compatible plug-ins, sorted by order (stable), after the discovery filters. */
  plugins: PluginClass[];
  errors: DiscoveryError[];
  duplicates: Duplicate[];
  /** Files imported by this discovery (new or changed) and files whose module was reused. */
  imported: number;
  reused: number;
}

export interface DiscoverOptions {
  /** Folders (or single files) to search instead of the registry's paths and PYBLISH_PLUGINPATH. */
  paths?: string[];
  registry?: Registry;
  /** Where PYBLISH_PLUGINPATH is read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

// import URL -> loaded module (or the failure), so an unchanged file is never imported twice.
const modules = new Map<string, Promise<Record<string, unknown>>>();

function isPluginFile(name: string): boolean {
  return !name.startsWith('_') && !name.endsWith('.d.ts') && PLUGIN_EXTENSIONS.includes(extname(name));
}

let typeScript: Promise<void> | undefined;

/**
 * Plain Node cannot import TypeScript: the first .ts plug-in registers tsx's ES module and CommonJS
 * loaders for the process (once; a process started with `--import tsx` never gets here). Both:
 * a .ts file outside any "type": "module" package loads as CommonJS, and its
 * require('@pyblish/core') must reach the running framework (plugin-imports.ts), which tsx's
 * per-call tsImport() does not.
 */
async function loadTypeScript(cause: Error): Promise<void> {
  typeScript ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
    esm.register();
    cjs.register();
  });
  await typeScript.catch(() => {
    throw new Error(`${cause.message}. TypeScript plug-ins need tsx: install it or run node --import tsx.`);
  });
}

async function importFresh(url: string): Promise<Record<string, unknown>> {
  try {
    return await import(url);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    await loadTypeScript(error as Error);
    // Node keeps the failed import of this URL: import the file again under another one.
    return await import(`${url}&tsx`);
  }
}

/** Imports a plug-in file, reusing the module when the file has not changed since it was last imported. */
async function load(path: string): Promise<{ exports: Record<string, unknown>; fresh: boolean }> {
  const hash = createHash('sha256')
    .update(await readFile(path))
    .digest('hex')
    .slice(0, 16);
  const url = `${pathToFileURL(path).href}?pyblish=${hash}`;
  const cached = modules.get(url);
  if (cached) return { exports: await cached, fresh: false };
  const loading = importFresh(url);
  modules.set(url, loading);
  return { exports: await loading, fresh: true };
}

/**
 * What a plug-in file exports. A CommonJS file's named exports are only those Node's lexer finds in
 * its text (not `module.exports = plugins`, nor a .ts file that tsx compiles as CommonJS), so the
 * values of its `default` (module.exports) count too.
 */
function exportedValues(exports: Record<string, unknown>): Set<unknown> {
  const values = new Set(Object.values(exports));
  const main = exports.default;
  if (main !== null && typeof main === 'object') for (const value of Object.values(main)) values.add(value);
  return values;
}

/** The error message plus where it happened in the file (syntax errors and throws at load time). */
function describeFailure(error: unknown, file: string): string {
  if (!(error instanceof Error)) return String(error);
  const first = (error.stack ?? '').split('\n')[0] ?? '';
  const frame = parseStack(error.stack).find((f) => f.pathname.split('?')[0] === file);
  const where = /^(?:file:\/\/)?\/.*:\d+$/.test(first) ? first : frame ? `${file}:${frame.lineno}` : null;
  return where && !error.message.includes(where) ? `${error.message} (at ${where})` : error.message;
}

async function filesOf(path: string, errors: DiscoveryError[]): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (!info) {
    errors.push({
      path,
      name: null,
      reason: 'No such file or folder; fix the plug-in path.',
      code: 'PATH_NOT_FOUND',
    });
    return [];
  }
  if (info.isFile()) return [path];
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && isPluginFile(e.name))
    .map((e) => e.name)
    .sort();
  return names.map((n) => join(path, n));
}

/**
 * Finds the plug-ins: files in the registered paths and PYBLISH_PLUGINPATH (or `options.paths`),
 * then the registered plug-ins. Files starting with '_' are skipped. Plug-ins whose hosts do not
 * include '*' or a registered host are left out silently. Duplicate names: the first found wins and
 * the others are listed in `duplicates` with the winner's path.
 */
export async function discover(options: DiscoverOptions = {}): Promise<Discovery> {
  const registry = options.registry ?? defaultRegistry;
  const paths = options.paths?.map((p) => resolve(p)) ?? registry.pluginPaths(options.env);
  const errors: DiscoveryError[] = [];
  const duplicates: Duplicate[] = [];
  const byName = new Map<string, PluginClass>();
  let imported = 0;
  let reused = 0;
  await registerPluginImports();

  const take = (plugin: PluginClass, path: string) => {
    const problem = pluginProblem(plugin);
    if (problem) {
      errors.push({ path, name: plugin.name, reason: problem, code: 'INVALID_PLUGIN' });
      return;
    }
    const winner = byName.get(plugin.name);
    if (winner === plugin) return;
    if (winner) {
      duplicates.push({ name: plugin.name, path, winner: pluginSource(winner).path });
      return;
    }
    byName.set(plugin.name, plugin);
  };

  for (const folder of paths) {
    for (const file of await filesOf(folder, errors)) {
      let exports: Record<string, unknown>;
      try {
        const loaded = await load(file);
        exports = loaded.exports;
        if (loaded.fresh) imported++;
        else reused++;
      } catch (error) {
        errors.push({ path: file, name: null, reason: describeFailure(error, file), code: 'LOAD_FAILED' });
        continue;
      }
      for (const value of exportedValues(exports)) {
        if (!isPluginClass(value)) continue;
        setPluginSource(value, file);
        take(value, file);
      }
    }
  }
  for (const plugin of registry.registeredPlugins()) take(plugin, pluginSource(plugin).path);

  let plugins = pluginsByHost([...byName.values()], registry.registeredHosts()).sort(
    (a, b) => a.order - b.order,
  );
  for (const filter of registry.registeredDiscoveryFilters()) {
    const out = filter(plugins);
    if (Array.isArray(out)) plugins = out;
  }
  return { plugins, errors, duplicates, imported, reused };
}
