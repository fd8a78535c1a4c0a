// Entry of the host's server worker. The sources are TypeScript and a worker does not inherit the
// main thread's loader, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./server-worker.ts');
