import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { convImplementation, loadAddon, nativeKernelCalls, registerNativeKernels } from '../src/index.js';
import { describeNative, randomArray, relativeError, runOn, setUpBackends } from './helpers.js';

const TOL = 1e-4;
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

const t = (shape: number[], seed: number) => tf.tensor(randomArray(shape.reduce((a, b) => a * b, 1), seed), shape);

function nativeCalls(name: string): number {
  return nativeKernelCalls()[name]?.native ?? 0;
}

/** Same computation on tfjs cpu and on wasm with the native kernels; no tensors left behind. */
function expectMatchesCpu(f: () => tf.Tensor | tf.Tensor[]): void {
  const ref = runOn('cpu', f);
  const before = tf.memory().numTensors;
  const got = runOn('wasm', f);
  expect(tf.memory().numTensors).toBe(before);
  got.forEach((g, i) => expect(relativeError(g, ref[i]), `output ${i}`).toBeLessThan(TOL));
}

/** Output, input gradient and filter gradient of conv(x, f) against a random upstream gradient. */
function convAndGrads(
  conv: (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor4D,
  xShape: number[],
  fShape: number[],
): () => tf.Tensor[] {
  return () => {
    const x = t(xShape, 1) as tf.Tensor4D;
    const f = t(fShape, 2) as tf.Tensor4D;
    const y = conv(x, f);
    const r = t(y.shape, 3);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, f]);
    return [y, dx, df];
  };
}

const CASES: Array<{ x: number[]; k: number; out: number; stride: number; pad: Pad; dilation?: number }> = [
  { x: [2, 7, 7, 8], k: 3, out: 16, stride: 1, pad: 'same' },
  { x: [2, 7, 7, 8], k: 3, out: 16, stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 8], k: 3, out: 8, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 8], k: 3, out: 8, stride: 2, pad: 'valid' }, // leaves the last input row unread
  { x: [1, 9, 6, 5], k: 1, out: 12, stride: 2, pad: 'same' },
  { x: [2, 6, 7, 3], k: 3, out: 5, stride: 1, pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [4, 7, 7, 64], k: 3, out: 96, stride: 1, pad: 'same' }, // a CAE-like 3x3 layer, smaller
];

describeNative('native convolutions against tfjs cpu', () => {
  beforeAll(async () => {
    await setUpBackends();
    registerNativeKernels({ threads: 1 });
  });

  it.each(CASES)('conv2d x $x, $k×$k → $out, stride $stride, pad $pad, dilation $dilation: output and both gradients', (c) => {
    const names = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'];
    const before = names.map(nativeCalls);
    const conv = (x: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(x, f, c.stride, c.pad, 'NHWC', c.dilation ?? 1);
    expectMatchesCpu(convAndGrads(conv, c.x, [c.k, c.k, c.x[3], c.out]));
    // conv runs twice (y, then inside tf.grads), each gradient once
    expect(names.map(nativeCalls)).toEqual(before.map((n, i) => n + (i === 0 ? 2 : 1)));
  });

  it.each([
    { x: [2, 7, 7, 6], k: 3, mult: 1, stride: 1, pad: 'same' as Pad },
    { x: [2, 8, 8, 4], k: 3, mult: 2, stride: 2, pad: 'same' as Pad },
    { x: [1, 8, 9, 3], k: 5, mult: 1, stride: 2, pad: 'valid' as Pad },
  ])('depthwise x $x, $k×$k ×$mult, stride $stride, pad $pad: output and both gradients', (c) => {
    const names = ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'];
    const before = names.map(nativeCalls);
    const conv = (x: tf.Tensor4D, f: tf.Tensor4D) => tf.depthwiseConv2d(x, f, c.stride, c.pad);
    expectMatchesCpu(convAndGrads(conv, c.x, [c.k, c.k, c.x[3], c.mult]));
    expect(names.map(nativeCalls)).toEqual(before.map((n, i) => n + (i === 0 ? 2 : 1)));
  });

  it('dilated conv2d (forward only: tfjs has no gradient for dilation > 1)', () => {
    const before = nativeCalls('Conv2D');
    expectMatchesCpu(() => tf.conv2d(t([3, 9, 8, 4], 7) as tf.Tensor4D, t([3, 3, 4, 6], 8) as tf.Tensor4D, 1, 'same', 'NHWC', 2));
    expect(nativeCalls('Conv2D')).toBe(before + 1);
  });

  it.each(['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu'] as const)('fused conv2d with bias and %s', (activation) => {
    const before = nativeCalls('FusedConv2D');
    expectMatchesCpu(() =>
      tf.fused.conv2d({
        x: t([2, 6, 6, 5], 4) as tf.Tensor4D,
        filter: t([3, 3, 5, 7], 5) as tf.Tensor4D,
        strides: 2,
        pad: 'same',
        bias: tf.mul(t([7], 6), 3),
        activation,
        leakyreluAlpha: 0.3,
      }),
    );
    expect(nativeCalls('FusedConv2D')).toBe(before + 1);
  });

  it('runs the 320-channel 3x3 conv on optimised oneDNN implementations, not the reference ones', () => {
    const attrs = { strides: 1, pad: 'same', dilations: 1 };
    const impls = (['forward', 'backwardData', 'backwardWeights'] as const).map((kind) =>
      convImplementation(loadAddon(), kind, [64, 7, 7, 320], [3, 3, 320, 512], attrs),
    );
    console.log(`oneDNN implementations (forward, backward data, backward weights): ${impls.join(', ')}`);
    for (const impl of impls) expect(impl).not.toMatch(/ref/);
  });
});

describeNative('run-to-run reproducibility', () => {
  it('two threads give bit-identical matmuls and conv gradients on repeated runs', async () => {
    await setUpBackends();
    registerNativeKernels({ threads: 2 });
    tf.setBackend('wasm');
    const run = () =>
      tf.tidy(() => {
        const x = t([8, 7, 7, 64], 1) as tf.Tensor4D;
        const f = t([3, 3, 64, 96], 2) as tf.Tensor4D;
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, f]);
        const m = tf.matMul(t([256, 2880], 3), t([2880, 512], 4));
        return [dx, df, m].map((r) => r.dataSync() as Float32Array);
      });
    const [a, b] = [run(), run()];
    a.forEach((v, i) => expect(Buffer.from(v.buffer).equals(Buffer.from(b[i].buffer)), `output ${i}`).toBe(true));
    registerNativeKernels({ threads: 1 });
  });
});
