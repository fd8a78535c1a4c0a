// Plug-in files live anywhere on disk (a studio folder without node_modules) and import
// '@pyblish/core'. That bare specifier must resolve to the framework that is running, the same module
// instance, so plug-in classes extend the running ContextPlugin/InstancePlugin and registry calls in
// a plug-in file act on the running defaultRegistry. Both module systems are covered:
// - ESM (.mts, or .ts in a "type": "module" folder): a resolve hook registered with node:module.
// - CommonJS (tsx loads a .ts file outside any "type": "module" package as CommonJS): Node 20's
//   require() does not consult ESM resolve hooks, and loading the .ts entry through require would
//   compile a second, separate copy of the framework. So require('@pyblish/core') resolves to the
//   entry's path, whose require-cache entry holds the running ESM namespace.
// The mapping applies even where a plug-in folder has its own node_modules/@pyblish/core: that copy
// would be a different framework from the one running the plug-ins.
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const SPECIFIER = '@pyblish/core';
// This package's own entry, as the running process resolves it: dist/index.js, or src/index.ts
// under the pyblish-source condition (inside the repository).
const entryUrl = new URL(import.meta.resolve(SPECIFIER));

// The internals the CommonJS mapping needs: not in @types/node's Module type.
interface CjsLoader {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, unknown>;
}

let registered: Promise<void> | undefined;

/** Makes `@pyblish/core` importable from plug-in files in any folder. Idempotent; call before importing plug-ins. */
export function registerPluginImports(): Promise<void> {
  registered ??= (async () => {
    register(new URL('./plugin-import-hooks.mjs', import.meta.url), {
      data: { entry: entryUrl.href },
    });
    const core = await import('./index.js');
    const loader = Module as unknown as CjsLoader;
    const entryPath = fileURLToPath(entryUrl);
    const cached = new Module(entryPath);
    cached.filename = entryPath;
    cached.exports = core;
    cached.loaded = true;
    loader._cache[entryPath] = cached;
    // Narrowest hook on CommonJS resolution: only this exact request changes, everything else goes
    // to the resolver that was in place (Node's, or tsx's wrapper of it).
    const resolveFilename = loader._resolveFilename;
    loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
      return request === SPECIFIER ? entryPath : resolveFilename.call(this, request, ...rest);
    };
  })();
  return registered;
}
