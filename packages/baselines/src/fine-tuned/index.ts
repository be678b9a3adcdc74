export * from './network.js';
export * from './method.js';
