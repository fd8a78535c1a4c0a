export * from './auth.js';
export * from './discovery.js';
export * from './errors.js';
export * from './wire.js';
