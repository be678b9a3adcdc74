export * from './pool.js';
export * from './features.js';
