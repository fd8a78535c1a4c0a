// Entry of a local farm's worker process when the farm runs from its TypeScript sources (inside
// the repository, under the pyblish-source condition; package.json "#local-worker"): the child
// registers tsx itself. Compiled, the entry is dist/local-worker.js and needs no loader. Plug-in
// files in TypeScript get their loader from core's discovery, as in any process.
import { register } from 'tsx/esm/api';

register();
await import('./local-worker.ts');
