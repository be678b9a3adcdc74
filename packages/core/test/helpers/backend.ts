/**
 * Test backend: wasm, set directly (inference needs no gradient kernels). Switch to `initBackend`
 * from ../../src/backend/index.js once that lands, in this one place.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

export async function useWasm(): Promise<void> {
  if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
  await tf.ready();
}
