export * from './backend/index.js';
export * from './backbones/index.js';
export * from './extractor/index.js';
export * from './cache/index.js';
export * from './backbones/onnx/index.js';
