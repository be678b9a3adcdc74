/** Frozen engines: selection, the ONNX file cache (corruption → re-export), streaming extraction. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { loadDataset, type ImageBatch, type ImageSet } from '@udtl/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { loadBackbone } from '../src/backbones/index.js';
import {
  createFrozenEngine, extractFeatureMaps, onnxModelPath, streamFeatures, type FrozenEngine, type FrozenEngineOptions,
} from '../src/backbones/onnx/index.js';
import type { Backbone } from '../src/backbones/types.js';
import { engineTapSource } from '../src/backbones/onnx/index.js';
import { FeatureCache } from '../src/cache/index.js';
import { backboneTapSource } from '../src/backbones/index.js';
import { featureCacheKey, tapMaps } from '../src/extractor/index.js';

const cache = mkdtempSync(join(tmpdir(), 'udtl-onnx-engine-'));
let backbone: Backbone;
let images: ImageSet;

beforeAll(async () => {
  await initBackend({ force: 'wasm' });
  backbone = await loadBackbone('mobilenet-v1-0.25');
  const ds = await loadDataset('mednist-3000');
  images = ds.images(ds.samples.slice(0, 10).map((s) => s.id), { size: 224 });
});
afterAll(() => {
  backbone?.dispose();
  rmSync(cache, { recursive: true, force: true });
});

async function firstBatch(set: ImageSet, n: number): Promise<ImageBatch> {
  for await (const b of set.batches(n)) return b;
  throw new Error('empty image set');
}

async function started(opts: FrozenEngineOptions, tap?: string): Promise<FrozenEngine> {
  const e = await createFrozenEngine(backbone, tap, { cacheDir: cache, threads: 1, ...opts });
  await e.dispose();
  return e;
}

describe('engine selection', () => {
  it('auto prefers onnxruntime; UDTL_ENGINE and the option force one; unknown names list the known ones', async () => {
    const saved = process.env.UDTL_ENGINE;
    try {
      delete process.env.UDTL_ENGINE;
      expect((await started({})).name).toBe('onnxruntime');
      process.env.UDTL_ENGINE = 'tfjs';
      const t = await started({});
      expect([t.name, t.provider]).toEqual(['tfjs', 'wasm']);
      expect((await started({ engine: 'onnxruntime' })).name).toBe('onnxruntime');
      process.env.UDTL_ENGINE = 'torch';
      await expect(started({})).rejects.toThrow(/unknown frozen engine 'torch'; known engines: onnxruntime, tfjs/);
    } finally {
      if (saved === undefined) delete process.env.UDTL_ENGINE;
      else process.env.UDTL_ENGINE = saved;
    }
  });

  it('rejects bad threads, providers, taps and batches with messages naming them', async () => {
    await expect(started({ engine: 'onnxruntime', threads: 0 })).rejects.toThrow(/threads must be a positive integer, got 0/);
    await expect(started({ engine: 'onnxruntime', provider: 'tpu' as 'cpu' })).rejects.toThrow(/unknown onnxruntime provider 'tpu'/);
    await expect(started({ engine: 'onnxruntime' }, 'conv_pw_99_relu')).rejects.toThrow(/unknown tap 'conv_pw_99_relu'/);
    for (const engine of ['onnxruntime', 'tfjs']) {
      const e = await createFrozenEngine(backbone, undefined, { engine, cacheDir: cache, threads: 1 });
      const bad: ImageBatch = { ids: ['img-7'], n: 1, height: 64, width: 64, channels: 3, data: new Uint8Array(64 * 64 * 3) };
      await expect(e.run(bad), engine).rejects.toThrow(/expected a uint8 batch of \[n, 224, 224, 3\].*img-7/);
      await e.dispose();
    }
  });
});

describe('ONNX file cache', () => {
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('writes the model with a checksum sidecar and reuses it', async () => {
    const logs: string[] = [];
    await started({ engine: 'onnxruntime', log: (m) => logs.push(m) });
    const path = onnxModelPath(backbone, undefined, cache);
    const side = JSON.parse(readFileSync(`${path}.json`, 'utf8'));
    expect(side.sha256).toBe(sha(path));
    expect([side.backboneId, side.layer, side.weightsHash]).toEqual([backbone.id, 'conv_pw_13_relu', backbone.weightsHash]);
    logs.length = 0;
    await started({ engine: 'onnxruntime', log: (m) => logs.push(m) });
    expect(logs.filter((m) => /exported|re-exporting/.test(m))).toEqual([]);
  });

  it('detects a corrupt cached file or sidecar and re-exports', async () => {
    const batch = await firstBatch(images, 2);
    const e0 = await createFrozenEngine(backbone, undefined, { engine: 'onnxruntime', cacheDir: cache, threads: 1 });
    const expected = await e0.run(batch);
    await e0.dispose();
    const path = onnxModelPath(backbone, undefined, cache);
    const good = readFileSync(path);

    const flipped = Buffer.from(good);
    flipped[flipped.length >> 1] ^= 0xff; // a weight byte: still a loadable model, silently wrong
    const corruptions: Array<[string, () => void]> = [
      ['flipped byte', () => writeFileSync(path, flipped)],
      ['truncated', () => writeFileSync(path, good.subarray(0, 1000))],
      ['bad sidecar', () => writeFileSync(`${path}.json`, '{"sha256": ')],
    ];
    for (const [what, corrupt] of corruptions) {
      corrupt();
      const logs: string[] = [];
      const e = await createFrozenEngine(backbone, undefined, { engine: 'onnxruntime', cacheDir: cache, threads: 1, log: (m) => logs.push(m) });
      expect(logs.some((m) => m.includes(path) && m.includes('re-exporting')), what).toBe(true);
      expect(sha(path), what).toBe(JSON.parse(readFileSync(`${path}.json`, 'utf8')).sha256);
      expect(Buffer.compare(readFileSync(path), good), what).toBe(0);
      expect(await e.run(batch), what).toEqual(expected);
      await e.dispose();
    }
  });
});

describe('weights changed in memory', () => {
  it('get a fresh export (the cache key hashes the current weights), equal to the tfjs layers graph on them', async () => {
    const batch = await firstBatch(images, 2);
    const before = onnxModelPath(backbone, undefined, cache);
    const layer = backbone.model.getLayer('conv_pw_13');
    const original = layer.getWeights().map((w) => w.clone());
    try {
      layer.setWeights(original.map((w) => tf.mul(w, 0.5)));
      expect(onnxModelPath(backbone, undefined, cache)).not.toBe(before);
      const e = await createFrozenEngine(backbone, undefined, { engine: 'onnxruntime', cacheDir: cache, threads: 1 });
      const y = tf.tidy(() => backbone.tapModel().apply(backbone.preprocess(tf.tensor4d(batch.data, [batch.n, 224, 224, 3], 'int32')), { training: false }) as tf.Tensor);
      const [a, b] = [await e.run(batch), y.dataSync() as Float32Array];
      y.dispose();
      await e.dispose();
      let d = 0;
      let m = 0;
      for (let i = 0; i < b.length; i++) {
        d = Math.max(d, Math.abs(a[i] - b[i]));
        m = Math.max(m, Math.abs(b[i]));
      }
      expect(d / m).toBeLessThan(1e-3);
    } finally {
      layer.setWeights(original);
      tf.dispose(original);
    }
    expect(onnxModelPath(backbone, undefined, cache)).toBe(before);
  });
});

describe('streaming extraction', () => {
  it('returns every image in id order, equal to one run over the whole set', async () => {
    const e = await createFrozenEngine(backbone, undefined, { engine: 'onnxruntime', cacheDir: cache, threads: 1 });
    try {
      const whole = await e.run(await firstBatch(images, 10));
      const seen: string[] = [];
      for await (const b of streamFeatures(e, images, { batchSize: 4 })) {
        expect(b.shape).toEqual([7, 7, 256]);
        expect(b.data.length).toBe(b.n * 7 * 7 * 256);
        seen.push(...b.ids);
      }
      expect(seen).toEqual(images.ids);
      const maps = await extractFeatureMaps(e, images, { batchSize: 3 });
      expect([maps.n, maps.height, maps.width, maps.channels]).toEqual([10, 7, 7, 256]);
      // Batch composition must not change a value by more than float rounding.
      let d = 0;
      for (let i = 0; i < whole.length; i++) d = Math.max(d, Math.abs(maps.data[i] - whole[i]));
      expect(d).toBeLessThan(1e-5);
    } finally {
      await e.dispose();
    }
  });

  it('rejects images of the wrong size and a classifier output as feature maps', async () => {
    const e = await createFrozenEngine(backbone, undefined, { engine: 'onnxruntime', cacheDir: cache, threads: 1 });
    const small = (await loadDataset('mednist-3000')).images(images.ids.slice(0, 2));
    await expect(extractFeatureMaps(e, small)).rejects.toThrow(/are 64x64 but mobilenet-v1-0.25 expects 224x224/);
    await e.dispose();
    const head = await createFrozenEngine(backbone, 'act_softmax', { engine: 'onnxruntime', cacheDir: cache, threads: 1 });
    await expect(extractFeatureMaps(head, images)).rejects.toThrow(/outputs \[1000\], not a feature map/);
    await head.dispose();
  });
});

describe('feature cache through the engine', () => {
  it('computes maps on onnxruntime once, keyed by engine name/version/provider, equal to the tfjs path', async () => {
    const src = await engineTapSource(backbone, undefined, { engine: 'onnxruntime', cacheDir: cache, threads: 1 });
    let runs = 0;
    const counted = { ...src, run: (b: ImageBatch) => (runs++, src.run!(b)) };
    expect(featureCacheKey(images, counted).backend).toMatch(/^onnxruntime 1\.\d+\.\d+ cpu$/);
    expect(featureCacheKey(images, backboneTapSource(backbone)).backend).toBe('wasm');
    const root = join(cache, 'feature-cache');
    const maps = await tapMaps(images, counted, { cacheDir: root, batchSize: 4 });
    expect(runs).toBe(3);
    FeatureCache.clearMemo();
    const again = await tapMaps(images, counted, { cacheDir: root, batchSize: 4 });
    expect(runs).toBe(3); // read back from disk
    expect(again.data).toEqual(maps.data);
    // tfjs reference: the layers graph (see onnx-backbones.test.ts), no cache.
    const layersGraph = {
      ...backboneTapSource(backbone),
      extract: (b: ImageBatch) => tf.tidy(() => backbone.tapModel().apply(backbone.preprocess(tf.tensor4d(b.data, [b.n, 224, 224, 3], 'int32')), { training: false }) as tf.Tensor4D),
    };
    const ref = await tapMaps(images, layersGraph, { batchSize: 4 });
    let d = 0;
    let m = 0;
    for (let i = 0; i < ref.data.length; i++) {
      d = Math.max(d, Math.abs(maps.data[i] - ref.data[i]));
      m = Math.max(m, Math.abs(ref.data[i]));
    }
    expect(d / m).toBeLessThan(1e-3); // v1 0.25 last tap: see onnx-backbones.test.ts on its conditioning
    await src.frozenEngine.dispose();
  });
});
