export {};
export * from './metrics/index.js';
