// Reloading edited plug-ins with their helpers. Node never frees a module and caches each by its
// URL (ES modules) or its path (CommonJS). So discovery imports the plug-in folders' code under a
// generation, a hash of every module file in the folders (sub-folders included, node_modules and
// dot-folders not): while nothing there changes, every import is a cache hit and memory stays
// flat; after any edit, all of it loads anew, so a plug-in also sees its edited helper.
// - ES modules: plug-in files are imported as `file?pyblish=GENERATION`, and a resolve hook
//   (plugin-reload-hooks.mjs) gives the modules they import from the folders the same query.
// - CommonJS (.cjs, .cts, and .js/.ts outside "type": "module" packages): Node's require cache is
//   keyed by path alone, so the folders' entries leave it when the generation changes.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire, register } from 'node:module';
import { extname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';

/** The files whose content makes a generation: what a plug-in may import. */
const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '.json']);

let hooks: MessagePort | undefined;
let hookRoots = '';
let lastGeneration = '';

const withSep = (folder: string) => (folder.endsWith(sep) ? folder : folder + sep);

/** Whether `path` is the folder's own code: inside it, not in node_modules or a dot-folder. */
function ownedBy(folder: string, path: string): boolean {
  const root = withSep(folder);
  if (!path.startsWith(root)) return false;
  return !path
    .slice(root.length)
    .split(sep)
    .some((part) => part === 'node_modules' || part.startsWith('.'));
}

/** Every module file of `folder`, sorted. */
async function moduleFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && MODULE_EXTENSIONS.has(extname(e.name)))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => ownedBy(folder, path))
    .sort();
}

async function generationOf(folders: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const folder of folders) {
    for (const file of await moduleFiles(folder)) {
      const text = await readFile(file).catch(() => Buffer.alloc(0));
      hash.update(`${file}\0${text.length}\0`).update(text);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Tells the resolve hook which folders are plug-in folders, and waits until it knows. */
async function tellHooks(folders: string[]): Promise<void> {
  const roots = folders.map((f) => pathToFileURL(withSep(f)).href);
  if (roots.join('\n') === hookRoots) return;
  if (!hooks) {
    const { port1, port2 } = new MessageChannel();
    register(new URL('./plugin-reload-hooks.mjs', import.meta.url), {
      data: { port: port2 },
      transferList: [port2],
    });
    hooks = port1;
  }
  hooks.ref();
  hooks.postMessage(roots);
  await once(hooks, 'message');
  hooks.unref();
  hookRoots = roots.join('\n');
}

/**
 * Prepares the plug-in folders' code for this discovery and returns its generation, the query
 * that plug-in files are imported with. When it differs from the last one, the folders' CommonJS
 * modules leave the require cache so that they load again.
 */
export async function pluginGeneration(folders: string[]): Promise<string> {
  await tellHooks(folders);
  const generation = await generationOf(folders);
  if (generation !== lastGeneration) {
    const cache = createRequire(import.meta.url).cache;
    for (const path of Object.keys(cache)) if (folders.some((f) => ownedBy(f, path))) delete cache[path];
    lastGeneration = generation;
  }
  return generation;
}
