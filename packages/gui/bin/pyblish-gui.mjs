#!/usr/bin/env node
// The sources are TypeScript; tsx compiles them on load so the repository needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
