export * from './contract.js';
export * from './registry.js';
export * from './memory-images.js';
export * from './conformance.js';
export * from './grid.js';
export * from './params.js';
export * from './probe.js';
export * from './input-checks.js';
export { MemoryStageStore } from './stage-store.js';
