export * from './metrics/index.js';
export * from './stats/index.js';
