/** UDTL_NATIVE=off: the wasm candidate keeps tfjs-wasm's kernels, silently, and still trains convs. */
import * as tf from '@tensorflow/tfjs-core';
import { nativeKernelCalls } from '@udtl/native';
import { afterAll, expect, it, vi } from 'vitest';
import { initBackend } from '../src/backend/index.js';

// Test files may share a process: put the variable back for the next one.
const saved = process.env.UDTL_NATIVE;
process.env.UDTL_NATIVE = 'off';
afterAll(() => {
  if (saved == null) delete process.env.UDTL_NATIVE;
  else process.env.UDTL_NATIVE = saved;
});

it('initBackend on wasm records no native kernels, warns nothing, and the wasm kernels run', async () => {
  const warn = vi.spyOn(console, 'warn');
  const info = await initBackend({ force: 'wasm' });
  expect(info.name).toBe('wasm');
  expect(info.native).toBeUndefined();
  expect(info.nativeKernels).toBeUndefined();
  expect(warn.mock.calls.filter((c) => String(c[0]).includes('oneDNN'))).toEqual([]);
  warn.mockRestore();
  const before = tf.memory().numTensors;
  const dw = tf.tidy(() => {
    const x = tf.ones([2, 5, 5, 3]) as tf.Tensor4D;
    const w = tf.ones([3, 3, 3, 4]) as tf.Tensor4D;
    return tf.grad((b: tf.Tensor) => tf.sum(tf.conv2d(x, b as tf.Tensor4D, 1, 'same')))(w).dataSync();
  });
  expect(dw[0]).toBe(2 * 4 * 4);
  expect(tf.memory().numTensors).toBe(before);
  expect(nativeKernelCalls()).toEqual({});
});
