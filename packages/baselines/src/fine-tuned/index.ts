export * from './network.js';
export * from './method.js';
export * from './inputs.js';
