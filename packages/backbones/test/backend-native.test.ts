/**
 * The wasm candidate with @udtl/native's oneDNN kernels: recorded in BackendInfo, actually called by
 * tfjs ops, and idempotent across re-initialisation. Skipped (with the reason) where the addon is
 * not built, except under UDTL_REQUIRE_NATIVE=1 (.ci/run), where that fails.
 */
import * as tf from '@tensorflow/tfjs-core';
import { addonUnavailableReason, nativeKernelCalls } from '@udtl/native';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';

const reason = addonUnavailableReason();
const required = process.env.UDTL_REQUIRE_NATIVE === '1';
if (reason != null && !required) console.warn(`skipping the native backend tests: ${reason}`);

describe.skipIf(reason != null && !required)('wasm backend with oneDNN kernels', () => {
  it('records the native library, its threads and kernels in BackendInfo', async () => {
    expect(reason, 'UDTL_REQUIRE_NATIVE=1 but @udtl/native is unavailable').toBeUndefined();
    const info = await initBackend({ force: 'wasm' });
    expect(info.name).toBe('wasm');
    expect(info.native).toBe('onednn');
    expect(info.nativeKernels).toEqual(expect.arrayContaining(['BatchMatMul', 'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']));
    expect(info.nativeThreads).toBeGreaterThanOrEqual(1);
  });

  it('tfjs ops on wasm run the native kernels, and re-initialising registers them once', async () => {
    await initBackend({ force: 'cpu' });
    await initBackend({ force: 'wasm' }); // again: core's gradient kernels and the native ones re-registered
    const before = nativeKernelCalls();
    const [dx, dw] = tf.tidy(() => {
      const x = tf.ones([2, 5, 5, 3]) as tf.Tensor4D;
      const w = tf.ones([3, 3, 3, 4]) as tf.Tensor4D;
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')))([x, w]);
      return [g[0].dataSync(), g[1].dataSync()];
    });
    expect(dx[0]).toBe(16); // corner input: 2×2 taps × 4 filters
    expect(dw[0]).toBe(2 * 4 * 4); // corner tap sees a 4×4 window per sample
    const after = nativeKernelCalls();
    for (const name of ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']) {
      expect(after[name].native - (before[name]?.native ?? 0), name).toBe(1);
    }
    const m = tf.tidy(() => tf.matMul(tf.ones([3, 4]), tf.ones([4, 2])).dataSync());
    expect(Array.from(m)).toEqual([4, 4, 4, 4, 4, 4]);
    expect(nativeKernelCalls().BatchMatMul.native).toBe((before.BatchMatMul?.native ?? 0) + 1);
  });
});
