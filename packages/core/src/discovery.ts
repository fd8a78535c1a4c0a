// Discovery: load plug-in files from folders, take every exported plug-in class, validate it, and
// report what could not be used as data (path, name, reason, code) instead of stopping.
//
// Reloading (plugin-reload.ts): each discovery imports the plug-in folders' code again only when
// something in them changed, and then all of it (plug-in files and the helpers they import from
// the folders, ES modules and CommonJS alike). A reset without edits imports nothing new and memory
// stays flat.
import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseStack } from './log.js';
import { pluginsByHost } from './logic.js';
import { isPluginClass, type PluginClass, pluginProblem, pluginSource, setPluginSource } from './plugin.js';
import { registerPluginImports } from './plugin-imports.js';
import { pluginGeneration } from './plugin-reload.js';
import { defaultRegistry, type Registry } from './registry.js';

export const PLUGIN_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

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
  return !name.startsWith('_') && !/\.d\.[mc]?ts$/.test(name) && PLUGIN_EXTENSIONS.includes(extname(name));
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

/** Imports a plug-in file of a generation, reusing the module when that generation was imported before. */
async function load(
  path: string,
  generation: string,
): Promise<{ exports: Record<string, unknown>; fresh: boolean }> {
  const url = `${pathToFileURL(path).href}?pyblish=${generation}`;
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

interface PathFiles {
  files: string[];
  /** The folder whose code the files belong to (a single file's is its own folder); null when missing. */
  folder: string | null;
  missing?: DiscoveryError;
}

async function filesOf(path: string): Promise<PathFiles> {
  const info = await stat(path).catch(() => null);
  if (!info) {
    const reason = 'No such file or folder; fix the plug-in path.';
    return { files: [], folder: null, missing: { path, name: null, reason, code: 'PATH_NOT_FOUND' } };
  }
  if (info.isFile()) return { files: [path], folder: dirname(path) };
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && isPluginFile(e.name))
    .map((e) => e.name)
    .sort();
  return { files: names.map((n) => join(path, n)), folder: path };
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

  const found = await Promise.all(paths.map(filesOf));
  const generation = await pluginGeneration(found.flatMap((f) => (f.folder === null ? [] : [f.folder])));
  for (const { files, missing } of found) {
    if (missing) errors.push(missing);
    for (const file of files) {
      let exports: Record<string, unknown>;
      try {
        const loaded = await load(file, generation);
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
