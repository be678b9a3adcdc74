import * as tf from '@tensorflow/tfjs-core';

/**
 * The values of `scalars` (e.g. a run of per-step training losses) in one asynchronous read, then
 * disposes them. tfjs-webgpu cannot read a GPU tensor synchronously in Node, and every read waits
 * for its queue to drain: one read per many steps keeps the GPU busy. The values are the tensors'
 * own float32 values (stacking copies them exactly), so the numbers equal reading each one alone.
 */
export async function readScalars(scalars: tf.Tensor[]): Promise<Float32Array> {
  if (scalars.length === 0) return new Float32Array(0);
  const stacked = tf.tidy(() => tf.stack(scalars.map((s) => tf.reshape(s, []))));
  tf.dispose(scalars);
  try {
    return (await stacked.data()) as Float32Array;
  } finally {
    stacked.dispose();
  }
}
