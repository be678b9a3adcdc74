/**
 * The exported backbones on onnxruntime against the same backbones on tfjs (wasm): the test photos
 * and 32 images of each bundled dataset, at the default and one intermediate tap, for MobileNetV2
 * 1.0 and MobileNet v1 0.25; and the full classifiers' top-1 on the photos.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset, type ImageBatch } from '@udtl/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { loadBackbone } from '../src/backbones/index.js';
import { createFrozenEngine } from '../src/backbones/onnx/index.js';
import type { Backbone } from '../src/backbones/types.js';
import { photoBatch } from './helpers/images.js';
import { relErr } from './helpers/compare.js';

const PHOTOS = ['chelsea.png', 'coffee.png', 'motorcycle_left.png', 'cat.bmp', 'bird.bmp'];
const DATASETS = ['brain-tumor-mri', 'mednist-3000', 'breastmnist'];
const onnxCache = mkdtempSync(join(tmpdir(), 'udtl-onnx-test-'));

/** 32 images spread over the (id-sorted) dataset, decoded at 224 as one batch. */
async function datasetBatch(id: string): Promise<ImageBatch> {
  const ds = await loadDataset(id);
  const step = Math.floor(ds.samples.length / 32);
  const ids = Array.from({ length: 32 }, (_, i) => ds.samples[i * step].id);
  const parts: ImageBatch[] = [];
  for await (const b of ds.images(ids, { size: 224 }).batches(32)) parts.push(b);
  expect(parts.length).toBe(1);
  return parts[0];
}

function slice(batch: ImageBatch, from: number, to: number): ImageBatch {
  const px = batch.height * batch.width * 3;
  return { ...batch, ids: batch.ids.slice(from, to), n: to - from, data: batch.data.subarray(from * px, to * px) };
}


const sets: Array<{ name: string; batch: ImageBatch }> = [];

beforeAll(async () => {
  await initBackend({ force: 'wasm' });
  sets.push({ name: 'photos', batch: await photoBatch(PHOTOS) });
  for (const id of DATASETS) sets.push({ name: id, batch: await datasetBatch(id) });
});

/**
 * The tfjs reference is the backbone's layers graph, `tapModel(tap).apply` on wasm: the model's
 * definition. (The tfjs engine runs `extractTap`, a fused conv+BN fast path owned by backbones/.)
 * Tolerance: 1e-4 relative to max |tfjs|, except MobileNet v1 0.25's last tap, where float32
 * rounding itself is amplified beyond 1e-4 on some images. Against a float64 forward pass (a
 * scratch JS implementation, 16 of the brain MRI / MedNIST images used here) onnxruntime was
 * 2.5e-4 / 2.1e-4 off, the tfjs layers graph 2.4e-4 / 5.1e-4 and tfjs's fused fast path 9.3e-4 /
 * 1.25e-3. No float32 engine meets 1e-4 there; 1e-3 still catches any real export mistake
 * (padding, layout, BN folding errors are O(1)).
 */
const CASES: Array<{ id: string; taps: string[]; tolerance: Record<string, number> }> = [
  { id: 'mobilenet-v2-1.0', taps: ['block_16_project', 'block_13_expand_relu'], tolerance: {} },
  { id: 'mobilenet-v1-0.25', taps: ['conv_pw_13_relu', 'conv_pw_11_relu'], tolerance: { conv_pw_13_relu: 1e-3 } },
];

describe.each(CASES)('$id on onnxruntime vs tfjs', ({ id, taps, tolerance }) => {
  let backbone: Backbone;
  beforeAll(async () => {
    backbone = await loadBackbone(id);
  });
  afterAll(() => backbone?.dispose());

  it('has the expected default tap', () => {
    expect(backbone.defaultTap).toBe(taps[0]);
  });

  it.each(taps)('equal features at %s (max relative difference ≤ 1e-4, see tolerance)', async (tap) => {
    const ort = await createFrozenEngine(backbone, tap, { engine: 'onnxruntime', cacheDir: onnxCache, threads: 2 });
    const tfjs = await createFrozenEngine(backbone, tap, { engine: 'tfjs' });
    const reference = (batch: ImageBatch): Float32Array => {
      const y = tf.tidy(() => backbone.tapModel(tap).apply(backbone.preprocess(tf.tensor4d(batch.data, [batch.n, 224, 224, 3], 'int32')), { training: false }) as tf.Tensor);
      const v = y.dataSync() as Float32Array;
      y.dispose();
      return v;
    };
    try {
      expect([ort.name, ort.provider, ort.threads]).toEqual(['onnxruntime', 'cpu', 2]);
      expect(ort.version).toMatch(/^1\.\d+\.\d+/);
      expect([tfjs.name, tfjs.provider]).toEqual(['tfjs', 'wasm']);
      expect(ort.outputShape).toEqual(backbone.tapShape(tap));
      expect(tfjs.outputShape).toEqual(ort.outputShape);
      const tensorsBefore = tf.memory().numTensors;
      for (const { name, batch } of sets) {
        for (let i = 0; i < batch.n; i += 16) {
          const part = slice(batch, i, Math.min(batch.n, i + 16));
          const [a, b] = [await ort.run(part), reference(part)];
          expect(relErr(a, b), `${name} images ${i}..`).toBeLessThanOrEqual(tolerance[tap] ?? 1e-4);
        }
      }
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    } finally {
      await ort.dispose();
      await tfjs.dispose();
    }
  });

  it('the exported full classifier gives tfjs’s top-1 on the photos', async () => {
    const last = backbone.model.layers[backbone.model.layers.length - 1].name;
    const ort = await createFrozenEngine(backbone, last, { engine: 'onnxruntime', cacheDir: onnxCache });
    try {
      const photos = sets[0].batch;
      const probs = await ort.run(photos);
      const k = backbone.classNames.length;
      expect(probs.length).toBe(photos.n * k);
      const tfjsTop = (await backbone.classify(photos, 1)).map((p) => p[0]);
      for (let i = 0; i < photos.n; i++) {
        const row = probs.subarray(i * k, (i + 1) * k);
        const top = row.indexOf(Math.max(...row));
        expect(top, photos.ids[i]).toBe(tfjsTop[i].index);
        expect(Math.abs(row[top] - tfjsTop[i].probability)).toBeLessThan(1e-4);
      }
      if (id === 'mobilenet-v2-1.0') {
        // shared/README: MobileNetV2 1.0 gives cat.bmp → Egyptian cat ≈ 0.8, bird.bmp → chickadee ≈ 0.98.
        const name = (i: number) => backbone.classNames[probs.subarray(i * k, (i + 1) * k).reduce((m, v, j, r) => (v > r[m] ? j : m), 0)];
        expect(name(PHOTOS.indexOf('cat.bmp'))).toMatch(/egyptian cat/i);
        expect(name(PHOTOS.indexOf('bird.bmp'))).toMatch(/chickadee/i);
      }
    } finally {
      await ort.dispose();
    }
  });
});

afterAll(() => rmSync(onnxCache, { recursive: true, force: true }));
