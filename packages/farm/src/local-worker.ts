// A local farm's worker process: `pyblish worker` on the IPC channel of its dispatcher.
import { parseArgs } from 'node:util';
import { IpcWorkSource } from './local-source.js';
import { serveWorker } from './serve.js';

const { values } = parseArgs({ options: { 'plugin-path': { type: 'string', multiple: true, default: [] } } });
await serveWorker(new IpcWorkSource(), { pluginPaths: values['plugin-path'], graceMs: 0 });
// The dispatcher is gone (its process ended): no one is left to take results.
process.on('disconnect', () => process.exit(0));
