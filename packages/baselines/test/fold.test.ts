import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMethod, featureCacheKey, featureKeyHash, initBackend, loadBackbone, MemoryStageStore } from '@udtl/core';
import { applyBudget, loadDataset, stratifiedKFold, type BudgetedFold, type Dataset } from '@udtl/datasets';
import { downsamplePixels, pixelSource, randomizeWeights } from '../src/index.js';
import { accuracy, baselineIds, tempDir } from './helpers.js';

const ids = await baselineIds();
const cacheDir = tempDir('baselines-fold');
let ds: Dataset;
let fold: BudgetedFold;
const opts = { size: 224, mode: 'resize' as const };

beforeAll(async () => {
  await initBackend();
  ds = await loadDataset('mednist-tiny');
  const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
  fold = applyBudget(f, ds.samples, { perClass: 4 }, 0);
}, 300_000);

describe('one fold of mednist-tiny (6 classes, 4 labels per class, 20 test images)', () => {
  it('every baseline beats chance by a wide margin, random-backbone stays below transfer-learned, no tensor leaks', async () => {
    const data = { labelled: ds.labelledSet(fold.labelled, opts), unlabelled: ds.images(fold.unlabelled, opts) };
    const test = ds.labelledSet(fold.test, opts);
    const stages = new MemoryStageStore();
    const scores: Record<string, number> = {};
    for (const id of ids) {
      const method = createMethod(id);
      (await method.fit(data, { seed: 0, cacheDir })).dispose(); // loads backbones kept for the worker
      stages.clear();
      const before = tf.memory().numTensors;
      const model = await method.fit(data, { seed: 0, cacheDir });
      scores[id] = accuracy(await model.predictProba(test.images), test.labels);
      model.dispose();
      expect(tf.memory().numTensors, id).toBe(before);
    }
    console.log('accuracy on the fold:', JSON.stringify(scores));
    for (const id of ids) expect(scores[id], id).toBeGreaterThanOrEqual(0.5); // chance 1/6
    expect(scores['random-backbone']).toBeLessThan(scores['transfer-learned']);
  });
});

describe('random-backbone weights', () => {
  it('are seeded, differ from the pretrained ones and get their own weights hash (hence feature-cache key)', async () => {
    const a = await loadBackbone('mobilenet-v1-0.25', { inputSize: 96, cacheDir });
    const b = await loadBackbone('mobilenet-v1-0.25', { inputSize: 96, cacheDir });
    const c = await loadBackbone('mobilenet-v1-0.25', { inputSize: 96, cacheDir });
    const pretrained = a.model.getLayer('conv_pw_5').getWeights()[0].dataSync().slice();
    const ha = randomizeWeights(a.model, 0);
    const hb = randomizeWeights(b.model, 0);
    const hc = randomizeWeights(c.model, 1);
    expect(ha).toBe(hb);
    expect(hc).not.toBe(ha);
    expect(ha).not.toBe(a.weightsHash);
    const w = a.model.getLayer('conv_pw_5').getWeights()[0];
    expect(w.dataSync()).toEqual(b.model.getLayer('conv_pw_5').getWeights()[0].dataSync());
    expect(w.dataSync()).not.toEqual(pretrained);
    // He-normal: std √(2 / fan_in), fan_in = 1·1·(64·0.25) for conv_pw_5's input of 64 channels at width 0.25
    const values = w.dataSync();
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeGreaterThan(Math.sqrt(2 / 64) * 0.85);
    expect(std).toBeLessThan(Math.sqrt(2 / 64) * 1.15);
    expect(a.model.getLayer('conv_pw_5_bn').getWeights().map((t) => t.dataSync()[0])).toEqual([1, 0, 0, 1]); // γ β μ σ²
    const images = ds.images(fold.test, { size: 96 });
    const key = (h: string) => featureKeyHash(featureCacheKey(images, { backboneId: a.id, weightsHash: h, tap: 'conv_pw_13_relu', inputSize: 96, extract: () => { throw new Error('unused'); } }));
    expect(key(ha)).not.toBe(key(a.weightsHash));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('pixel-cae pixels', () => {
  it('downsampling equals a direct area average (224 → 32 grey = mean of 7x7 luma blocks)', () => {
    const n = 1;
    const data = new Uint8Array(n * 224 * 224 * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 7)) % 256;
    const out = tf.tidy(() => downsamplePixels(tf.tensor4d(data, [n, 224, 224, 3], 'int32'), 32, 'grey').dataSync());
    expect(out.length).toBe(32 * 32);
    for (const [by, bx] of [[0, 0], [5, 17], [31, 31]]) {
      let sum = 0;
      for (let y = by * 7; y < by * 7 + 7; y++)
        for (let x = bx * 7; x < bx * 7 + 7; x++) {
          const o = (y * 224 + x) * 3;
          sum += (0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2]) / 255;
        }
      expect(out[by * 32 + bx]).toBeCloseTo(sum / 49, 5);
    }
    expect(pixelSource(224, 32, 'grey').weightsHash).not.toBe(pixelSource(224, 32, 'rgb').weightsHash);
  });

  it('trains one CAE per grid configuration per fold and reuses them for every budget through ctx.stages', async () => {
    const stages = new MemoryStageStore();
    const logs: string[] = [];
    const method = createMethod('pixel-cae', { epochs: 1 });
    for (const budget of [{ perClass: 2 }, 'all'] as const) {
      const f = applyBudget(fold, ds.samples, budget, 0);
      const model = await method.fit({ labelled: ds.labelledSet(f.labelled, opts), unlabelled: ds.images(f.unlabelled, opts) }, { seed: 0, cacheDir, stages, log: (m) => logs.push(m) });
      model.dispose();
    }
    const configs = method.params.grid as unknown[];
    expect(configs.length).toBeGreaterThan(1);
    expect(logs.filter((l) => /pixel-cae: CAE trained on 40 maps/.test(l))).toHaveLength(configs.length);
    expect(logs.filter((l) => /reusing the CAE/.test(l))).toHaveLength(configs.length);
    stages.clear();
  });
});
