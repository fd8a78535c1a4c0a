// Entry of the host's server worker when the host runs from its TypeScript sources (inside the
// repository, under the pyblish-source condition; package.json "#server-worker"): a worker does not
// inherit the main thread's loader, so it registers tsx itself. Compiled, the entry is
// dist/server-worker.js and needs no loader.
import { register } from 'tsx/esm/api';

register();
await import('./server-worker.ts');
