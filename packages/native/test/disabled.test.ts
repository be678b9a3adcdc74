/** UDTL_NATIVE=off: nothing loads, registering says why, and tfjs-wasm's own kernels stay in place. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, expect, it } from 'vitest';
import { addonUnavailableReason, NATIVE_KERNEL_NAMES, nativeKernelCalls, registerNativeKernels } from '../src/index.js';
import { setUpBackends } from './helpers.js';

// Test files may share a process: put the variable back for the next one.
const saved = process.env.UDTL_NATIVE;
process.env.UDTL_NATIVE = 'off';
afterAll(() => {
  if (saved == null) delete process.env.UDTL_NATIVE;
  else process.env.UDTL_NATIVE = saved;
});

it('registerNativeKernels throws the reason and leaves every wasm kernel as it was', async () => {
  await setUpBackends();
  const before = NATIVE_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
  expect(addonUnavailableReason()).toMatch(/UDTL_NATIVE=off/);
  expect(() => registerNativeKernels()).toThrow(/@udtl\/native: disabled by UDTL_NATIVE=off/);
  expect(NATIVE_KERNEL_NAMES.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc)).toEqual(before);
  const m = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync());
  expect(Array.from(m)).toEqual([3, 3, 3, 3]);
  expect(nativeKernelCalls()).toEqual({});
});
