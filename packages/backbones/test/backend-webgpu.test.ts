/**
 * The webgpu candidate on Dawn's software adapter (Mesa llvmpipe through Dawn's OpenGL ES backend):
 * its conv/depthwise/matmul gradients against tfjs's cpu backend (a second, independent
 * implementation), and a zero-bias CAE fit and a fine-tune step against wasm. Skipped with the reason
 * where the adapter cannot start (no Mesa EGL/GLES), except under UDTL_REQUIRE_WEBGPU=1 (.ci/run).
 *
 * Reads are `await t.data()`: tfjs-webgpu's dataSync() needs OffscreenCanvas, which Node lacks.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findWebGpuAdapter, initBackend, skippedBackends, webGpuAdapterMode } from '../src/backend/index.js';
import { checkBackbone, loadBackbone } from '../src/backbones/index.js';
import { photoBatch } from './helpers/images.js';
import { removeTempDirs, tempDir } from './helpers/paths.js';
import { relErr } from './helpers/compare.js';

const VARS = ['UDTL_BACKEND', 'UDTL_WEBGPU_ADAPTER'] as const;
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
const clearVars = () => VARS.forEach((v) => delete process.env[v]);
clearVars();
afterAll(() => {
  for (const v of VARS) if (saved[v] != null) process.env[v] = saved[v];
});

/** Runs `f` with UDTL_WEBGPU_ADAPTER set, then clears it. */
async function withAdapterMode<T>(mode: string, f: () => Promise<T>): Promise<T> {
  process.env.UDTL_WEBGPU_ADAPTER = mode;
  try {
    return await f();
  } finally {
    delete process.env.UDTL_WEBGPU_ADAPTER;
  }
}

const required = process.env.UDTL_REQUIRE_WEBGPU === '1';
const why = (err: unknown) => (err as Error).message;
/** Whether an adapter starts here when webgpu is asked for by name (a GPU, else software), and whether a real GPU does. */
const softwareUnavailable = await findWebGpuAdapter(true).then(() => undefined, why);
const hardwareUnavailable = await withAdapterMode('hardware', () => findWebGpuAdapter(true)).then(() => undefined, why);
if (softwareUnavailable != null && !required) console.warn(`skipping the webgpu backend tests: ${softwareUnavailable}`);

/** Seeded uniform values in [-1, 1), made on cpu so every backend gets identical inputs. */
async function randomValues(shape: number[], seed: number): Promise<Float32Array> {
  const prev = tf.getBackend();
  await tf.setBackend('cpu');
  const values = tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', seed).dataSync() as Float32Array).slice();
  await tf.setBackend(prev);
  return values;
}

/** Runs `f` (tensors in, tensors out) inside tidy on the current backend and reads its outputs asynchronously. */
async function readAll(f: () => tf.Tensor[]): Promise<Float32Array[]> {
  const outs = tf.tidy(f);
  try {
    return (await Promise.all(outs.map((t) => t.data()))).map((v) => Float32Array.from(v as Float32Array));
  } finally {
    tf.dispose(outs);
  }
}


/** Makes the next plain initBackend() run the chain again (it keeps a backend that is still tfjs's active one). */
async function chainAgain() {
  await initBackend({ force: 'cpu' });
  await initBackend({ force: 'wasm' });
  await tf.setBackend('cpu');
  return initBackend();
}

describe('webgpu candidate selection', () => {
  afterEach(clearVars);

  it('the plain chain takes a real GPU, never the software adapter; without a GPU it skips webgpu with a one-line reason', async () => {
    const info = await chainAgain();
    if (hardwareUnavailable == null) {
      expect(info.name).toBe('webgpu');
      expect(info.adapter).toMatchObject({ software: false });
      return;
    }
    expect(info.name).not.toBe('webgpu');
    expect(info.adapter).toBeUndefined();
    const line = skippedBackends().find((s) => s.startsWith('webgpu: '));
    expect(line).toMatch(/^webgpu: no GPU adapter.*software adapter is used only when asked \(UDTL_BACKEND=webgpu/);
    expect(line).not.toContain('\n');
  });

  it('UDTL_WEBGPU_ADAPTER must be auto, hardware or software', async () => {
    process.env.UDTL_WEBGPU_ADAPTER = 'gpu0';
    expect(() => webGpuAdapterMode()).toThrow(/UDTL_WEBGPU_ADAPTER='gpu0' is not one of auto, hardware, software/);
    await expect(initBackend({ force: 'webgpu' })).rejects.toThrow(/backend "webgpu" .* failed to initialise: UDTL_WEBGPU_ADAPTER='gpu0'/);
  });

  it.skipIf(hardwareUnavailable == null)('UDTL_WEBGPU_ADAPTER=hardware refuses the software adapter even when webgpu is asked for', async () => {
    process.env.UDTL_WEBGPU_ADAPTER = 'hardware';
    await expect(initBackend({ force: 'webgpu' })).rejects.toThrow(/failed to initialise: no GPU adapter/);
  });
});

describe.skipIf(softwareUnavailable != null && !required)('webgpu backend on the software adapter', () => {
  beforeAll(async () => {
    expect(softwareUnavailable, 'UDTL_REQUIRE_WEBGPU=1 but the webgpu adapter does not start').toBeUndefined();
    await initBackend({ force: 'webgpu' }); // registers tfjs-webgpu's flags
    // Every op on the GPU: tfjs-webgpu otherwise runs small ops on CPU-resident inputs on the CPU.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  });
  afterAll(() => {
    tf.env().set('WEBGPU_CPU_FORWARD', true);
  });

  it('UDTL_BACKEND=webgpu starts it and records the adapter', async () => {
    process.env.UDTL_BACKEND = 'webgpu';
    try {
      const info = await initBackend();
      expect(info.name).toBe('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
      if (hardwareUnavailable != null) {
        expect(info.gpu).toBe(false);
        expect(info.adapter).toMatchObject({ backendType: 'opengles', featureLevel: 'compatibility', software: true });
        expect(info.adapter!.name).toMatch(/llvmpipe|softpipe/i);
      } else {
        expect(info.gpu).toBe(true);
        expect(info.adapter!.software).toBe(false);
      }
      expect(info.adapter!.description.length).toBeGreaterThan(0);
      expect(skippedBackends()).toEqual([]);
    } finally {
      delete process.env.UDTL_BACKEND;
    }
  });

  it('UDTL_WEBGPU_ADAPTER=software lets the plain chain pick the software adapter', async () => {
    const info = await withAdapterMode('software', chainAgain);
    expect(info.name).toBe('webgpu');
    expect(info.adapter).toMatchObject({ backendType: 'opengles', software: true });
    expect(skippedBackends()).toEqual([]);
  });

  it('a GPU tensor read synchronously fails with a message that says what to do', async () => {
    await initBackend({ force: 'webgpu' });
    const y = tf.matMul(tf.ones([32, 32]), tf.ones([32, 32]));
    try {
      expect(() => y.dataSync()).toThrow(/webgpu backend: dataSync\(\)\/arraySync\(\) .* use `await tensor.data\(\)`/);
      expect((await y.data())[0]).toBe(32);
    } finally {
      y.dispose();
    }
  });

  it('classify and checkBackbone read asynchronously, so they run on webgpu: mobilenet-v1-0.25 still sees an espresso', async () => {
    await initBackend({ force: 'webgpu' });
    const bb = await loadBackbone('mobilenet-v1-0.25', { cacheDir: tempDir('v1-webgpu') });
    try {
      const [coffee] = await bb.classify(await photoBatch(['coffee.png']), 1);
      expect(coffee[0].className).toBe('espresso');
      await expect(checkBackbone(bb, { images: await photoBatch(['cat.bmp', 'coffee.png']) })).resolves.toBeUndefined();
    } finally {
      bb.dispose();
      removeTempDirs();
    }
  });

  type Pad = 'same' | 'valid';
  const convCases: { kind: 'conv2d' | 'depthwise'; x: [number, number, number, number]; k: number; cout: number; stride: 1 | 2; pad: Pad }[] = [
    { kind: 'conv2d', x: [2, 9, 9, 5], k: 3, cout: 7, stride: 1, pad: 'same' },
    { kind: 'conv2d', x: [2, 10, 10, 6], k: 3, cout: 8, stride: 2, pad: 'same' },
    { kind: 'conv2d', x: [3, 7, 7, 4], k: 1, cout: 9, stride: 1, pad: 'valid' },
    { kind: 'depthwise', x: [2, 9, 9, 6], k: 3, cout: 1, stride: 1, pad: 'same' },
    { kind: 'depthwise', x: [2, 10, 10, 4], k: 3, cout: 2, stride: 2, pad: 'valid' },
  ];

  it.each(convCases)('$kind $x k$k ×$cout stride $stride $pad: dx and dw equal the cpu backend to 1e-3', async (c) => {
    const cin = c.x[3];
    const wShape: [number, number, number, number] = [c.k, c.k, cin, c.cout];
    const x = await randomValues(c.x, 11);
    const w = await randomValues(wShape, 12);
    const r = await randomValues([c.x[0] * c.x[1] * c.x[2] * cin * c.cout], 13);
    const grads = () => {
      const xt = tf.tensor4d(x, c.x);
      const wt = tf.tensor4d(w, wShape);
      const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
        c.kind === 'conv2d' ? tf.conv2d(a, b, c.stride, c.pad) : tf.depthwiseConv2d(a, b, c.stride, c.pad);
      const outShape = conv(xt, wt).shape;
      // A non-uniform dy (Σ conv ⊙ r): every index mapping of the backward kernels matters.
      const rt = tf.tensor(r.subarray(0, outShape.reduce((p, q) => p * q, 1)), outShape);
      return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), rt)))([xt, wt]);
    };
    await initBackend({ force: 'cpu' });
    const ref = await readAll(grads);
    await initBackend({ force: 'webgpu' });
    const got = await readAll(grads);
    expect(relErr(got[0], ref[0]), 'dx').toBeLessThan(1e-3);
    expect(relErr(got[1], ref[1]), 'dw').toBeLessThan(1e-3);
  });

  it.each([
    { a: [37, 29], b: [29, 41], ta: false, tb: false },
    { a: [29, 37], b: [41, 29], ta: true, tb: true },
    { a: [64, 75], b: [75, 128], ta: false, tb: false },
  ])('matMul $a×$b (transpose $ta/$tb): da and db equal the cpu backend to 1e-3', async ({ a, b, ta, tb }) => {
    const av = await randomValues(a, 21);
    const bv = await randomValues(b, 22);
    const outRows = ta ? a[1] : a[0];
    const outCols = tb ? b[0] : b[1];
    const r = await randomValues([outRows, outCols], 23);
    const grads = () => {
      const rt = tf.tensor2d(r, [outRows, outCols]);
      const f = (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D, ta, tb), rt));
      return tf.grads(f)([tf.tensor2d(av, a as [number, number]), tf.tensor2d(bv, b as [number, number])]);
    };
    await initBackend({ force: 'cpu' });
    const ref = await readAll(grads);
    await initBackend({ force: 'webgpu' });
    const got = await readAll(grads);
    expect(relErr(got[0], ref[0]), 'da').toBeLessThan(1e-3);
    expect(relErr(got[1], ref[1]), 'db').toBeLessThan(1e-3);
  });

  /**
   * A zero-bias CAE layer as core's ZeroBiasCAE trains it (tied weights, no encoder bias, thresholded
   * linear units h = z·[z > θ], squared reconstruction error, Adam), on seeded patches.
   */
  async function caeFit(backend: string, X: Float32Array, W0: Float32Array, n: number, d: number, f: number, steps: number) {
    await initBackend({ force: backend });
    const W = tf.tidy(() => tf.variable(tf.tensor2d(W0, [d, f]))); // tidy frees the initial value
    const x = tf.tensor2d(X, [n, d]);
    const adam = tf.train.adam(1e-2);
    const losses: number[] = [];
    try {
      for (let s = 0; s < steps; s++) {
        const loss = adam.minimize(() => {
          const z = tf.matMul(x, W);
          const h = tf.mul(z, tf.step(tf.sub(z, 1))); // [z > θ]: step's gradient is zero, as the threshold's
          return tf.mean(tf.sum(tf.square(tf.sub(tf.matMul(h, W, false, true), x)), 1));
        }, true)!;
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      return { losses, W: Float32Array.from((await W.data()) as Float32Array) };
    } finally {
      tf.dispose([W, x]);
      adam.dispose();
    }
  }

  it('a zero-bias CAE fit (512 patches 3×3×8 → 32 codes, 25 Adam steps) matches wasm: losses to 1e-4, weights to 1e-3', async () => {
    const [n, d, f] = [512, 72, 32];
    const X = await randomValues([n, d], 31);
    const W0 = (await randomValues([d, f], 32)).map((v) => (v * Math.sqrt(3)) / Math.sqrt(d)); // N(0, 1/d)-sized init
    const before = tf.memory().numTensors;
    const ref = await caeFit('wasm', X, W0, n, d, f, 25);
    const got = await caeFit('webgpu', X, W0, n, d, f, 25);
    expect(tf.memory().numTensors).toBe(before);
    expect(ref.losses.at(-1)!).toBeLessThan(0.97 * ref.losses[0]); // it learned something: the comparison is not of two frozen runs
    // Measured on llvmpipe: ≤ 6e-7 (losses) and 2e-7 (weights); the margin is for GPUs' own rounding.
    for (let s = 0; s < ref.losses.length; s++) expect(Math.abs(got.losses[s] - ref.losses[s]) / ref.losses[s], `step ${s}`).toBeLessThan(1e-4);
    expect(relErr(got.W, ref.W)).toBeLessThan(1e-3);
  });

  /** A fine-tune-like step: conv → depthwise → ReLU6 → global pool → dense softmax head, cross-entropy, Adam. */
  async function fineTuneSteps(backend: string, init: Record<string, Float32Array>, images: Float32Array, labels: Int32Array, steps: number) {
    await initBackend({ force: backend });
    const shapes: Record<string, number[]> = { conv: [3, 3, 3, 8], dw: [3, 3, 8, 1], dense: [8, 4] };
    const vars = tf.tidy(() => Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, tf.variable(tf.tensor(init[k], s))]))) as Record<string, tf.Variable>;
    const x = tf.tensor4d(images, [8, 16, 16, 3]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 4));
    const adam = tf.train.adam(1e-2);
    const losses: number[] = [];
    try {
      for (let s = 0; s < steps; s++) {
        const loss = adam.minimize(() => {
          let h = tf.conv2d(x, vars.conv as tf.Tensor4D, 2, 'same');
          h = tf.relu6(tf.depthwiseConv2d(h, vars.dw as tf.Tensor4D, 1, 'same'));
          const logits = tf.matMul(tf.mean(h, [1, 2]), vars.dense as tf.Tensor2D);
          return tf.losses.softmaxCrossEntropy(y, logits);
        }, true)!;
        losses.push((await loss.data())[0]);
        loss.dispose();
      }
      const out: Record<string, Float32Array> = {};
      for (const [k, v] of Object.entries(vars)) out[k] = Float32Array.from((await v.data()) as Float32Array);
      return { losses, weights: out };
    } finally {
      tf.dispose([...Object.values(vars), x, y]);
      adam.dispose();
    }
  }

  it('a fine-tune step (conv + depthwise + head, 5 Adam steps on 8 images) matches wasm: losses and weights to 1e-4', async () => {
    const init = { conv: await randomValues([3, 3, 3, 8], 41), dw: await randomValues([3, 3, 8, 1], 42), dense: await randomValues([8, 4], 43) };
    const images = await randomValues([8, 16, 16, 3], 44);
    const labels = Int32Array.from([0, 1, 2, 3, 0, 1, 2, 3]);
    const before = tf.memory().numTensors;
    const ref = await fineTuneSteps('wasm', init, images, labels, 5);
    const got = await fineTuneSteps('webgpu', init, images, labels, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(ref.losses.at(-1)!).toBeLessThan(ref.losses[0]);
    // Measured on llvmpipe: ≤ 1.2e-7 (losses) and 3e-7 (weights).
    for (let s = 0; s < 5; s++) expect(Math.abs(got.losses[s] - ref.losses[s]) / ref.losses[s], `step ${s}`).toBeLessThan(1e-4);
    for (const k of Object.keys(init)) expect(relErr(got.weights[k], ref.weights[k]), k).toBeLessThan(1e-4);
  });
});
