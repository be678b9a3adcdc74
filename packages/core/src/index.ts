// A baseline package depends on core alone (see DESIGN.md): core passes the backbone machinery on.
export * from '@udtl/backbones';
export * from './cae/index.js';
export * from './classifiers/index.js';
export * from './method/index.js';
