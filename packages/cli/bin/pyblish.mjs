#!/usr/bin/env node
// The sources are TypeScript; tsx compiles them on load so the repository needs no build step.
// Both loaders: a plug-in .ts file outside any "type": "module" package loads as CommonJS.
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

registerCjs();
register();
await import('../src/main.ts');
