import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core alone registers no gradients; the autograd reference below needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  activate,
  lossAndGrads,
  mulberry32,
  normalArray,
  resolveCaeParams,
  samplePatches,
  ZeroBiasCAE,
  type FeatureMaps,
  type LayerWeights,
} from '../src/cae/index.js';

/** Maps with structure an AE can learn: a few latent factors per position through a fixed basis, plus noise. */
function structuredMaps(n: number, h: number, w: number, c: number, seed: number, rank = 4): FeatureMaps {
  const rng = mulberry32(seed);
  const basis = normalArray(rank * c, 1, rng);
  const data = new Float32Array(n * h * w * c);
  for (let p = 0; p < n * h * w; p++) {
    const f = normalArray(rank, 1, rng);
    for (let j = 0; j < c; j++) {
      let v = 0.1 * (rng() - 0.5) + 3; // offset: standardisation must remove it
      for (let r = 0; r < rank; r++) v += f[r] * basis[r * c + j];
      data[p * c + j] = Math.max(0, v); // non-negative like post-ReLU features
    }
  }
  return { n, height: h, width: w, channels: c, data };
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(b[i]));
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  }
  return maxDiff / Math.max(maxRef, 1e-12);
}

function randomWeights(d: number, f: number, opts: { tied: boolean; bias: boolean; seed: number }): LayerWeights {
  const rng = mulberry32(opts.seed);
  const w: LayerWeights = { W: tf.tensor2d(normalArray(d * f, 1 / Math.sqrt(d), rng), [d, f]) };
  if (!opts.tied) w.V = tf.tensor2d(normalArray(f * d, 0.2, rng), [f, d]);
  if (opts.bias) w.b = tf.tensor1d(normalArray(f, 0.3, rng));
  w.c = tf.tensor1d(normalArray(d, 0.1, rng));
  return w;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('CAE layer gradients', () => {
  for (const tied of [true, false]) {
    for (const bias of [false, true]) {
      for (const activation of ['trec', 'tlin', 'relu'] as const) {
        it(`analytic gradients equal tf.grads (tied=${tied}, bias=${bias}, ${activation})`, () => {
          const before = tf.memory().numTensors;
          const [B, D, F] = [7, 12, 20];
          const x = tf.tensor2d(normalArray(B * D, 1, mulberry32(5)), [B, D]);
          const p = randomWeights(D, F, { tied, bias, seed: 9 });
          const theta = 0.4;
          const { loss, grads } = lossAndGrads(x, p, activation, theta);
          // Second implementation: tfjs autograd through the same forward pass, with the unit mask
          // held constant (the threshold is not learned, so the true gradient treats it as fixed).
          const z0 = tf.tidy(() => (p.b ? tf.add(tf.matMul(x, p.W), p.b) : tf.matMul(x, p.W)));
          const mask = tf.tidy(() => tf.div(activate(z0, activation, theta), tf.where(tf.equal(z0, 0), tf.onesLike(z0), z0)));
          const names = Object.keys(p) as (keyof LayerWeights)[];
          const f = (...ws: tf.Tensor[]) => {
            const q = Object.fromEntries(names.map((n, i) => [n, ws[i]])) as LayerWeights;
            const z = q.b ? tf.add(tf.matMul(x, q.W), q.b) : tf.matMul(x, q.W);
            const h = tf.mul(z, mask) as tf.Tensor2D;
            let xHat = q.V ? tf.matMul(h, q.V) : tf.matMul(h, q.W, false, true);
            if (q.c) xHat = tf.add(xHat, q.c);
            return tf.mean(tf.square(tf.sub(xHat, x))) as tf.Scalar;
          };
          const { value, grads: auto } = tf.valueAndGrads(f)(names.map((n) => p[n]!));
          expect(loss.dataSync()[0]).toBeCloseTo(value.dataSync()[0], 6);
          names.forEach((n, i) => {
            expect(maxRelDiff(grads[n]!.dataSync(), auto[i].dataSync()), n).toBeLessThan(1e-5);
          });
          // the mask really drops units (else the test would not exercise the threshold)
          const kept = tf.tidy(() => tf.sum(mask).dataSync()[0]) / mask.size;
          expect(kept).toBeGreaterThan(0.05);
          expect(kept).toBeLessThan(0.95);
          tf.dispose([x, loss, z0, mask, value, ...auto, ...Object.values(grads), ...Object.values(p)] as tf.Tensor[]);
          expect(tf.memory().numTensors).toBe(before);
        });
      }
    }
  }

  it('Adam matches tf.train.adam over several steps and frees its state', () => {
    const rng = mulberry32(3);
    const w0 = normalArray(30, 1, rng);
    const gs = [0, 1, 2, 3].map(() => normalArray(30, 1, rng));
    const before = tf.memory().numTensors;
    let p: LayerWeights = { W: tf.tensor2d(w0, [5, 6]) };
    const adam = new Adam(0.01);
    for (const g of gs) {
      const gt = tf.tensor2d(g, [5, 6]);
      p = adam.step(p, { W: gt });
      gt.dispose();
    }
    const mine = p.W.dataSync().slice();
    adam.dispose();
    p.W.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const ref = tf.variable(tf.tensor2d(w0, [5, 6]));
    const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    for (const g of gs) tf.tidy(() => opt.applyGradients({ [ref.name]: tf.tensor2d(g, [5, 6]) }));
    expect(maxRelDiff(mine, ref.dataSync())).toBeLessThan(1e-6);
    opt.dispose();
    ref.dispose();
  });
});

describe('patches and full-map encoding agree', () => {
  it('conv encoding at every position (incl. borders) equals the dense layer on that zero-padded patch', async () => {
    const maps = structuredMaps(3, 5, 6, 4, 1);
    const cae = new ZeroBiasCAE({ filters: 8, kernelSize: 3, epochs: 1, batchSize: 16, patchesPerMap: 4, theta: 0.2 });
    await cae.fit(maps);
    const W = (await cae.weights())[0].W;
    const x = tf.tensor4d(maps.data, [3, 5, 6, 4]);
    const codes = cae.encode(x);
    const got = codes.dataSync();
    x.dispose();
    codes.dispose();
    const { mean, invStd } = cae.inputStats!;
    let compared = 0;
    for (let img = 0; img < 3; img++) {
      for (let y = 0; y < 5; y++) {
        for (let xx = 0; xx < 6; xx++) {
          for (let f = 0; f < 8; f++) {
            let z = 0;
            for (let dy = -1; dy <= 1; dy++) {
              for (let dx = -1; dx <= 1; dx++) {
                const yy = y + dy;
                const x2 = xx + dx;
                if (yy < 0 || yy >= 5 || x2 < 0 || x2 >= 6) continue;
                for (let c = 0; c < 4; c++) {
                  const v = (maps.data[((img * 5 + yy) * 6 + x2) * 4 + c] - mean[c]) * invStd[c];
                  z += v * W.data[(((dy + 1) * 3 + (dx + 1)) * 4 + c) * 8 + f];
                }
              }
            }
            const expected = z > 0.2 ? z : 0;
            expect(Math.abs(got[((img * 5 + y) * 6 + xx) * 8 + f] - expected)).toBeLessThan(1e-4);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(3 * 5 * 6 * 8);
    cae.dispose();
  });

  it('samplePatches standardises and zero-pads outside the map', () => {
    const maps: FeatureMaps = { n: 1, height: 1, width: 1, channels: 2, data: new Float32Array([3, 5]) };
    const out = new Float32Array(9 * 2);
    samplePatches(maps, 3, { mean: new Float32Array([1, 1]), invStd: new Float32Array([0.5, 2]) }, mulberry32(0), 1, out);
    // only the centre (index 4) is inside the 1x1 map
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});

describe('ZeroBiasCAE training', () => {
  const maps = structuredMaps(40, 5, 5, 16, 11);

  it('reconstruction loss falls during training and the fitted model beats its first epoch', async () => {
    const cae = new ZeroBiasCAE({ filters: 64, epochs: 6, batchSize: 64, patchesPerMap: 10, learningRate: 3e-3 });
    await cae.fit(maps);
    const losses = cae.history.map((h) => h.loss);
    expect(losses).toHaveLength(6);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
    expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]);
    const heldOut = structuredMaps(10, 5, 5, 16, 11); // same generator & basis, seed 11 → same basis
    expect(await cae.patchLoss(heldOut, 256, 99)).toBeLessThan(losses[0]);
    cae.dispose();
  });

  it('TRec codes are sparse at the default θ (most units zero, none dead overall)', async () => {
    const cae = new ZeroBiasCAE({ filters: 64, epochs: 3, batchSize: 64, patchesPerMap: 10 });
    expect(cae.params.theta).toBe(1);
    expect(cae.params.activation).toBe('trec');
    await cae.fit(maps);
    const x = tf.tensor4d(maps.data, [40, 5, 5, 16]);
    const density = await cae.codeDensity(x);
    expect(density).toBeGreaterThan(0.02);
    expect(density).toBeLessThan(0.4);
    x.dispose();
    cae.dispose();
  });

  it('is deterministic under a seed and changes with the seed', async () => {
    const opts = { filters: 16, epochs: 2, batchSize: 32, patchesPerMap: 4 };
    const a = await new ZeroBiasCAE({ ...opts, seed: 1 }).fit(maps);
    const b = await new ZeroBiasCAE({ ...opts, seed: 1 }).fit(maps);
    const c = await new ZeroBiasCAE({ ...opts, seed: 2 }).fit(maps);
    expect(Array.from((await a.weights())[0].W.data)).toEqual(Array.from((await b.weights())[0].W.data));
    expect(a.history).toEqual(b.history);
    expect(maxRelDiff((await a.weights())[0].W.data, (await c.weights())[0].W.data)).toBeGreaterThan(0.1);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('stacks layers greedily with pooling between them', async () => {
    const cae = new ZeroBiasCAE({ layers: 2, filters: [24, 12], kernelSize: [1, 3], poolBetween: 'max2', epochs: 2, batchSize: 32, patchesPerMap: 4, theta: 0.5 });
    await cae.fit(maps);
    expect(cae.history.map((h) => h.layer)).toEqual([0, 0, 1, 1]);
    const x = tf.tensor4d(maps.data.subarray(0, 2 * 5 * 5 * 16), [2, 5, 5, 16]);
    const codes = cae.encode(x);
    expect(codes.shape).toEqual([2, 3, 3, 12]);
    expect(cae.codeChannels).toBe(12);
    tf.dispose([x, codes]);
    cae.dispose();
  });

  it('ordinary CAE (bias + ReLU) and untied TLin variants train and record their parameters', async () => {
    const relu = await new ZeroBiasCAE({ bias: true, activation: 'relu', filters: 16, epochs: 2, batchSize: 32, patchesPerMap: 4 }).fit(maps);
    expect(Object.keys((await relu.weights())[0]).sort()).toEqual(['W', 'b', 'c']);
    const tlin = await new ZeroBiasCAE({ tied: false, activation: 'tlin', filters: 16, epochs: 2, batchSize: 32, patchesPerMap: 4 }).fit(maps);
    expect(Object.keys((await tlin.weights())[0]).sort()).toEqual(['V', 'W', 'c']);
    expect(tlin.history[1].loss).toBeLessThan(tlin.history[0].loss);
    relu.dispose();
    tlin.dispose();
  });

  it('fails clearly on an empty pool, NaN input, bad parameters and wrong map shapes', async () => {
    const empty: FeatureMaps = { n: 0, height: 5, width: 5, channels: 16, data: new Float32Array(0) };
    await expect(new ZeroBiasCAE().fit(empty)).rejects.toThrow(/unlabelled pool is empty/);
    const bad = { ...maps, data: maps.data.slice() };
    bad.data[7] = Number.NaN;
    await expect(new ZeroBiasCAE({ filters: 8, epochs: 1, patchesPerMap: 50, standardise: false }).fit(bad)).rejects.toThrow(/diverged.*loss NaN/);
    await expect(new ZeroBiasCAE({ learningRate: 1e6, filters: 8, epochs: 3, patchesPerMap: 20 }).fit(maps)).rejects.toThrow(/diverged/);
    expect(() => resolveCaeParams({ kernelSize: 2 })).toThrow(/odd/);
    expect(() => resolveCaeParams({ filtrs: 3 } as never)).toThrow(/Unknown parameter 'filtrs' for method 'CAE'.*filters/);
    expect(() => resolveCaeParams({ layers: 2, filters: [1, 2, 3] })).toThrow(/filters has 3 values but layers = 2/);
    expect(() => resolveCaeParams({ activation: 'tanh' as never })).toThrow(/trec, tlin, relu/);
    const cae = await new ZeroBiasCAE({ filters: 8, epochs: 1, patchesPerMap: 2 }).fit(maps);
    const wrong = tf.zeros([1, 5, 5, 3]) as tf.Tensor4D;
    expect(() => cae.encode(wrong)).toThrow(/\[N, H, W, 16\].*\[1, 5, 5, 3\]/);
    wrong.dispose();
    cae.dispose();
    expect(() => cae.encode(tf.zeros([1, 5, 5, 16]) as tf.Tensor4D)).toThrow(/before fit/);
  });

  it('frees every tensor: numTensors equal across 5 fit/encode/dispose cycles', async () => {
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const cae = await new ZeroBiasCAE({ layers: 2, filters: 8, epochs: 1, batchSize: 32, patchesPerMap: 3, seed: i, poolBetween: 'avg2' }).fit(maps);
      const x = tf.tensor4d(maps.data, [40, 5, 5, 16]);
      cae.encode(x).dispose();
      x.dispose();
      cae.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
  });
});

describe('wasm matches cpu', () => {
  it('layer gradients and a short fit agree between the wasm and cpu backends', async () => {
    const maps = structuredMaps(12, 4, 4, 24, 2);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.tensor2d(normalArray(32 * 24, 1, mulberry32(1)), [32, 24]);
      const p = randomWeights(24, 48, { tied: true, bias: false, seed: 4 });
      const { loss, grads } = lossAndGrads(x, p, 'trec', 0.5);
      const out = { loss: loss.dataSync()[0], dW: grads.W.dataSync().slice(), dc: grads.c!.dataSync().slice() };
      tf.dispose([x, loss, ...Object.values(grads), ...Object.values(p)] as tf.Tensor[]);
      const cae = await new ZeroBiasCAE({ filters: 32, epochs: 2, batchSize: 16, patchesPerMap: 4, theta: 0.5 }).fit(maps);
      const W = (await cae.weights())[0].W.data;
      cae.dispose();
      return { ...out, W };
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    await tf.setBackend('cpu');
    expect(wasm.loss).toBeCloseTo(cpu.loss, 5);
    expect(maxRelDiff(wasm.dW, cpu.dW)).toBeLessThan(1e-5);
    expect(maxRelDiff(wasm.dc, cpu.dc)).toBeLessThan(1e-5);
    // Adam normalises steps, so float rounding can flip a unit at the threshold: allow 1e-3.
    expect(maxRelDiff(wasm.W, cpu.W)).toBeLessThan(1e-3);
  });
});
