#!/usr/bin/env node
// A local farm's worker process (started by the dispatcher with an IPC channel). As the pyblish
// bin does: tsx compiles the sources, both loaders for plug-in files.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
await import('../src/local-worker.ts');
