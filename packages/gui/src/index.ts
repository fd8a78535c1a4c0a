export type * from './view-model.js';
