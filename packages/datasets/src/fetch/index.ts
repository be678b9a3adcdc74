export * from './urls.js';
export * from './download.js';
export * from './tar.js';
export * from './archive.js';
export * from './manifest.js';
export * from './datasets.js';
export * from './resources.js';
