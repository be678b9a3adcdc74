export * from './params.js';
export * from './maps.js';
export * from './random.js';
export { samplePatches } from './patches.js';
export { Adam, activate, activationMask, lossAndGrads, type LayerWeights } from './layer.js';
export * from './zero-bias-cae.js';
export * from './method.js';
