export * from './pool.js';
export * from './features.js';
export * from './frozen.js';
export type { Matrix } from './matrix.js';
