import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { nativeKernelCalls, registerNativeKernels, unregisterNativeKernels } from '../src/index.js';
import { describeNative, randomArray, relativeError, runOn, setUpBackends } from './helpers.js';

const TOL = 1e-4;

function callsOf(name: string): { native: number; fallback: number } {
  return nativeKernelCalls()[name] ?? { native: 0, fallback: 0 };
}

/** The same computation on tfjs's cpu backend and on wasm with the native kernels, compared. */
function expectMatchesCpu(f: () => tf.Tensor | tf.Tensor[]): void {
  const ref = runOn('cpu', f);
  const tensorsBefore = tf.memory().numTensors;
  const got = runOn('wasm', f);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(got.length).toBe(ref.length);
  got.forEach((g, i) => expect(relativeError(g, ref[i])).toBeLessThan(TOL));
}

const t = (shape: number[], seed: number) => tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);

describeNative('native BatchMatMul / _FusedMatMul against tfjs cpu', () => {
  beforeAll(async () => {
    await setUpBackends();
    registerNativeKernels({ threads: 1 });
  });

  it.each([
    { a: [5, 7], b: [7, 3], ta: false, tb: false },
    { a: [7, 5], b: [7, 3], ta: true, tb: false },
    { a: [5, 7], b: [3, 7], ta: false, tb: true },
    { a: [7, 5], b: [3, 7], ta: true, tb: true },
    { a: [3, 5, 7], b: [3, 7, 2], ta: false, tb: false },
    { a: [3, 5, 7], b: [7, 2], ta: false, tb: false }, // one b for the batch: a single stacked GEMM
    { a: [3, 7, 5], b: [7, 2], ta: true, tb: false },
    { a: [5, 7], b: [2, 3, 7, 4], ta: false, tb: false }, // one a for a rank-4 batch
    { a: [64, 288], b: [288, 96], ta: false, tb: false },
    { a: [288, 64], b: [96, 288], ta: true, tb: true },
    { a: [4, 0], b: [0, 3], ta: false, tb: false }, // K = 0: zeros
  ])('a $a · b $b (transposeA $ta, transposeB $tb)', ({ a, b, ta, tb }) => {
    const before = callsOf('BatchMatMul').native;
    expectMatchesCpu(() => tf.matMul(t(a, 1), t(b, 2), ta, tb));
    expect(callsOf('BatchMatMul').native).toBe(before + 1);
  });

  it('a wrong inner dimension is still reported (by the wasm kernel)', () => {
    tf.setBackend('wasm');
    expect(() => tf.matMul(tf.ones([2, 3]), tf.ones([4, 2]))).toThrow(/inner/i);
  });

  it('gradients of a chain of matmuls (transposed products in the backward pass)', () => {
    const x = randomArray(6 * 10, 3);
    const w = randomArray(10 * 4, 4);
    const v = randomArray(4 * 10, 5);
    expectMatchesCpu(() =>
      tf.grads((xs: tf.Tensor, ws: tf.Tensor, vs: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(tf.relu(tf.matMul(xs, ws)), vs))),
      )([tf.tensor2d(x, [6, 10]), tf.tensor2d(w, [10, 4]), tf.tensor2d(v, [4, 10])]),
    );
  });

  it.each(['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const)('fused matMul with bias and %s', (activation) => {
    const before = callsOf('_FusedMatMul').native;
    expectMatchesCpu(() =>
      tf.fused.matMul({ a: t([2, 6, 9], 6), b: t([9, 5], 7), bias: tf.mul(t([5], 8), 4), activation, leakyreluAlpha: 0.3 }),
    );
    expect(callsOf('_FusedMatMul').native).toBe(before + 1);
  });

  it('fused matMul with prelu runs on the wasm kernel', () => {
    const before = callsOf('_FusedMatMul');
    expectMatchesCpu(() =>
      tf.fused.matMul({ a: t([6, 9], 6), b: t([9, 5], 7), activation: 'prelu', preluActivationWeights: t([5], 9) }),
    );
    expect(callsOf('_FusedMatMul')).toEqual({ native: before.native, fallback: before.fallback + 1 });
  });

  it('frees nothing it should keep and keeps nothing it should free (wasm data ids)', () => {
    tf.setBackend('wasm');
    const a = t([16, 32], 10);
    const b = t([32, 8], 11);
    const ids = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) tf.matMul(a, b).dispose();
    expect(tf.engine().backend.numDataIds()).toBe(ids);
    tf.dispose([a, b]);
  });

  it('re-takes the heap after the wasm memory grows', () => {
    tf.setBackend('wasm');
    const heap = (tf.engine().backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
    const bytesBefore = heap.HEAPU8.buffer.byteLength;
    // An output larger than the whole heap: makeOutput grows the memory right before the native call.
    const n = Math.ceil((bytesBefore / 4 + 2 ** 20) / 64);
    const a = t([64, 8], 12);
    const b = t([8, n], 13);
    const out = tf.matMul(a, b);
    expect(heap.HEAPU8.buffer.byteLength).toBeGreaterThan(bytesBefore);
    const corner = tf.slice(out, [0, n - 100], [64, 100]);
    const ref = runOn('cpu', () => tf.matMul(a, tf.slice(b, [0, n - 100], [8, 100])))[0];
    expect(relativeError(corner.dataSync() as Float32Array, ref)).toBeLessThan(TOL);
    tf.dispose([a, b, out, corner]);
  });
});

describeNative('unregisterNativeKernels', () => {
  it('puts the wasm kernels back, and registering again takes over once more', async () => {
    await setUpBackends();
    registerNativeKernels({ threads: 1 });
    const native = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    unregisterNativeKernels();
    const wasmOwn = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
    expect(wasmOwn).not.toBe(native);
    const before = callsOf('BatchMatMul');
    expectMatchesCpu(() => tf.matMul(t([4, 5], 1), t([5, 3], 2)));
    expect(callsOf('BatchMatMul')).toEqual(before); // the wasm kernel ran, not ours
    registerNativeKernels({ threads: 1 });
    registerNativeKernels({ threads: 1 }); // idempotent: wraps wasm's kernel, not our own wrapper
    expectMatchesCpu(() => tf.matMul(t([4, 5], 1), t([5, 3], 2)));
    expect(callsOf('BatchMatMul').native).toBe(before.native + 1);
    unregisterNativeKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(wasmOwn);
  });
});

describeNative('threads', () => {
  it('registerNativeKernels sets oneDNN threads, UDTL_ENGINE_THREADS gives the default, and bad counts are refused', async () => {
    await setUpBackends();
    expect(registerNativeKernels({ threads: 2 }).threads).toBe(2);
    expect(registerNativeKernels({ threads: 1 }).threads).toBe(1);
    const saved = process.env.UDTL_ENGINE_THREADS;
    process.env.UDTL_ENGINE_THREADS = '3';
    try {
      expect(registerNativeKernels().threads).toBe(3);
    } finally {
      if (saved == null) delete process.env.UDTL_ENGINE_THREADS;
      else process.env.UDTL_ENGINE_THREADS = saved;
    }
    expect(() => registerNativeKernels({ threads: 0 })).toThrow(/threads must be a positive integer, got 0/);
    expect(registerNativeKernels({ threads: 1 }).kernels).toContain('Conv2DBackpropFilter');
  });
});
