export * from './feature-cache.js';
