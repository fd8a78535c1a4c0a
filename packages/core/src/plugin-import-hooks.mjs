// Module resolve hook (node:module register()) for plug-in files: `@pyblish/core` always means the
// framework that is running, wherever the plug-in file lives. Plain JavaScript because Node loads
// hooks modules on its loader thread, where no TypeScript compiler may be registered.

/** @type {string} file URL of the running core's entry, sent by plugin-imports.ts. */
let entry;

/** @param {{ entry: string }} data */
export function initialize(data) {
  entry = data.entry;
}

/** @param {string} specifier @param {unknown} context @param {Function} nextResolve */
export function resolve(specifier, context, nextResolve) {
  if (specifier === '@pyblish/core') return { url: entry, shortCircuit: true };
  return nextResolve(specifier, context);
}
