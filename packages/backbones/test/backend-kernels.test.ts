/**
 * The wasm conv gradient kernels (src/backend/wasm-kernels) against tfjs's cpu backend, which has
 * its own direct-loop implementations of every conv gradient: a second, independent implementation.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, registerWasmGradientKernels, WASM_GRADIENT_KERNEL_NAMES } from '../src/backend/index.js';
import { relErr } from './helpers/compare.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

/** Seeded uniform values in [-1, 1), made on cpu so both backends get identical inputs. */
function randomValues(shape: number[], seed: number): Float32Array {
  const prev = tf.getBackend();
  tf.setBackend('cpu');
  const values = tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', seed).dataSync() as Float32Array);
  tf.setBackend(prev);
  return values.slice();
}

interface Case {
  kind: 'conv2d' | 'depthwise';
  xShape: [number, number, number, number];
  k: number;
  cin: number;
  /** conv2d: output channels; depthwise: channel multiplier. */
  cout: number;
  stride: 1 | 2;
  pad: Pad;
}

/** d(Σ conv(x, w) ⊙ r)/dx and /dw: r makes dy non-uniform, so every index mapping matters. */
function gradsOn(backend: string, c: Case, x: Float32Array, w: Float32Array, r: Float32Array): Float32Array[] {
  tf.setBackend(backend);
  const fShape: [number, number, number, number] = [c.k, c.k, c.cin, c.cout];
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.xShape);
    const wt = tf.tensor4d(w, fShape);
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      c.kind === 'conv2d' ? tf.conv2d(a, b, c.stride, c.pad) : tf.depthwiseConv2d(a, b, c.stride, c.pad);
    const outShape = conv(xt, wt).shape;
    const rt = tf.tensor(r.subarray(0, outShape.reduce((p, q) => p * q, 1)), outShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), rt)))([xt, wt]);
    return [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array].map((v) => v.slice());
  });
}


function wasmDataIds(): number {
  return tf.engine().backend.numDataIds();
}

const cases: Case[] = [];
for (const kind of ['conv2d', 'depthwise'] as const) {
  for (const stride of [1, 2] as const) {
    for (const pad of ['same', 'valid'] as const) {
      for (const k of [1, 3]) {
        for (const [cin, cout] of kind === 'conv2d' ? [[1, 1], [3, 5], [8, 4]] : [[1, 1], [3, 2], [8, 1]]) {
          // Odd and even sizes: 'same' at stride 2 pads asymmetrically only for some of them.
          for (const xShape of [[2, 7, 7, cin], [1, 8, 6, cin]] as [number, number, number, number][]) {
            cases.push({ kind, xShape, k, cin, cout, stride, pad });
          }
        }
      }
    }
  }
  // Explicit, asymmetric pads (NHWC pairs), as Keras ZeroPadding-free models may pass.
  cases.push({ kind, xShape: [2, 6, 7, 3], k: 3, cin: 3, cout: 2, stride: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] });
  cases.push({ kind, xShape: [1, 5, 5, 2], k: 3, cin: 2, cout: 3, stride: 1, pad: [[0, 0], [2, 0], [1, 1], [0, 0]] });
}

// These test core's own wasm gradient kernels; @udtl/native's oneDNN kernels would replace them.
// (Test files may share a process: the variable is put back afterwards.)
const savedNative = process.env.UDTL_NATIVE;
process.env.UDTL_NATIVE = 'off';
afterAll(() => {
  if (savedNative == null) delete process.env.UDTL_NATIVE;
  else process.env.UDTL_NATIVE = savedNative;
});

describe('wasm conv gradient kernels', () => {
  beforeAll(async () => {
    await initBackend({ force: 'wasm' });
    await tf.setBackend('cpu'); // make sure the cpu backend is initialised too
    await tf.setBackend('wasm');
  });

  it('registers the missing kernels (and replaces Conv2DBackpropInput) for wasm, idempotently', () => {
    for (const name of WASM_GRADIENT_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    expect(WASM_GRADIENT_KERNEL_NAMES).toEqual(
      expect.arrayContaining(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']),
    );
    expect(registerWasmGradientKernels()).toEqual([]);
  });

  it.each(cases.map((c, i) => [`${c.kind} x=${c.xShape} k=${c.k} ${c.cin}->${c.cout} s=${c.stride} pad=${JSON.stringify(c.pad)}`, c, i] as const))(
    '%s: dx and dw match cpu to 1e-5',
    (_name, c, i) => {
      const x = randomValues(c.xShape, 1000 + i);
      const w = randomValues([c.k, c.k, c.cin, c.cout], 2000 + i);
      const r = randomValues([c.xShape[0], c.xShape[1] + 4, c.xShape[2] + 4, c.cin * c.cout + c.cout], 3000 + i);
      const [dxRef, dwRef] = gradsOn('cpu', c, x, w, r);
      tf.setBackend('wasm');
      const tensorsBefore = tf.memory().numTensors;
      const dataBefore = wasmDataIds();
      const [dx, dw] = gradsOn('wasm', c, x, w, r);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      expect(wasmDataIds()).toBe(dataBefore); // no leaked intermediates inside the kernels either
      expect(relErr(dx, dxRef)).toBeLessThan(1e-5);
      expect(relErr(dw, dwRef)).toBeLessThan(1e-5);
    },
  );

  it('rejects dilation != 1 naming the attr', () => {
    tf.setBackend('wasm');
    const kernel = tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')!;
    const x = tf.zeros([1, 9, 9, 2]);
    const dy = tf.zeros([1, 5, 5, 2]);
    expect(() =>
      kernel.kernelFunc({
        inputs: { x, dy },
        backend: tf.engine().backend,
        attrs: { strides: 1, dilations: 2, pad: 'valid', filterShape: [3, 3, 2, 1] },
      }),
    ).toThrow(/DepthwiseConv2dNativeBackpropFilter.*"dilations"/);
    tf.dispose([x, dy]);
  });
});
