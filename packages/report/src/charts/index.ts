export * from './render.js';
export * from './metric.js';
export * from './paired.js';
export * from './efficiency.js';
export * from './cd.js';
export * from './confusion.js';
export * from './timing.js';
