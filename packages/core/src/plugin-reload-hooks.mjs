// Module resolve hook (node:module register()) that reloads plug-in folders as a whole: a module
// imported by a plug-in folder's module of one generation (its URL carries `?pyblish=GENERATION`)
// is, when it lives in a plug-in folder too, imported under the same generation. So a plug-in file
// loaded anew after an edit gets fresh copies of its helpers, while modules outside the plug-in
// folders (node_modules, studio libraries) stay single. Plain JavaScript: it runs on Node's loader
// thread, where no TypeScript compiler may be registered.

/** @type {string[]} file URLs of the plug-in folders, each ending with '/'. */
let roots = [];

/** @param {{ port: import('node:worker_threads').MessagePort }} data */
export function initialize({ port }) {
  port.on('message', (next) => {
    roots = next;
    port.postMessage('ok');
  });
  port.unref();
}

/** @param {string} url */
function inPluginFolder(url) {
  return roots.some(
    (root) => url.startsWith(root) && !/(^|\/)(node_modules|\.[^/]*)\//.test(url.slice(root.length)),
  );
}

/** @param {string} specifier @param {{ parentURL?: string }} context @param {Function} nextResolve */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const generation = context.parentURL ? new URL(context.parentURL).searchParams.get('pyblish') : null;
  if (!generation || !resolved.url.startsWith('file:') || resolved.url.includes('?')) return resolved;
  if (!inPluginFolder(resolved.url) || !inPluginFolder(context.parentURL)) return resolved;
  return { ...resolved, url: `${resolved.url}?pyblish=${generation}` };
}
