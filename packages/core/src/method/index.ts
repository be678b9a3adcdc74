export * from './contract.js';
export * from './registry.js';
export * from './memory-images.js';
export * from './check.js';
export * from './grid.js';
export * from './probe.js';
export * from './checks.js';
export { MemoryStageStore } from './stage-store.js';
