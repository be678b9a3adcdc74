/** The paper's comparators as Methods; importing this package registers them. */
export * from './common.js';
export * from './transfer-learned.js';
export * from './random-backbone.js';
export * from './pixel-cae.js';
export * from './fine-tuned/index.js';
