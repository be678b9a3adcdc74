export * from './feature-cache.js';
export { MemoryStageStore } from './stage-store.js';
