/**
 * fine-tuned above its memory cap (mapsInMemoryMiB): inputs read in windows from a feature cache of
 * small shards give the batches, and so the model, of the whole set held at once, and never hold
 * more rows than the cap.
 */
import { readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backboneTapSource, createMethod, FeatureCache, featureCacheKey, initBackend, type TapSource } from '@udtl/core';
import { applyBudget, loadDataset, rngFor, stratifiedKFold, type Dataset } from '@udtl/datasets';
import { pretrainedBackbone } from '../src/common.js';
import { InputRows, mapReader, PassOrder, type Inputs, type RowReader } from '../src/fine-tuned/index.js';
import { tempDir } from './helpers.js';

const MAP_BYTES = 7 * 7 * 320 * 4;
/** mapsInMemoryMiB that holds exactly `rows` maps of block_16_project. */
const capFor = (rows: number) => (rows * MAP_BYTES + 100) / 2 ** 20;

/** A set of n rows whose input is the row's index; `rows()` can give only the rows it was asked for. */
function fakeReader(n: number, reads: number[][]): RowReader {
  const inputs = (held: Set<number> | undefined): Inputs => ({
    n,
    shape: [1, 1, 1],
    batch: (rows) => {
      for (const r of rows) if (held && !held.has(r)) throw new Error(`row ${r} is not held`);
      return tf.tensor4d(rows, [rows.length, 1, 1, 1]);
    },
  });
  return {
    n,
    shape: [1, 1, 1],
    rowBytes: 4,
    whole: async () => inputs(undefined),
    rows: async (rows) => {
      reads.push(rows);
      return inputs(new Set(rows));
    },
  };
}

/** The batch order fine-tuned drew before the cap existed (passes reshuffled when fewer rows than a batch are pending). */
function previousOrder(rows: number[], batch: number, steps: number, random: () => number): number[][] {
  let order: number[] = [];
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    if (order.length < batch) {
      const pass = [...rows];
      for (let i = pass.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [pass[i], pass[j]] = [pass[j], pass[i]];
      }
      order.push(...pass);
    }
    out.push(order.slice(0, batch));
    order = order.slice(batch);
  }
  return out;
}

describe('windowed inputs', () => {
  it('a window holds each batch and the rows after it, never more than the cap; the batches are the whole set’s', async () => {
    await initBackend();
    const n = 23;
    const rows = Array.from({ length: n }, (_, i) => i);
    const batch = 4;
    const steps = 3 * Math.ceil(n / batch) + 2;
    for (const cap of [4, 7, 10, 23]) {
      const reads: number[][] = [];
      const inputs = new InputRows(fakeReader(n, reads), cap);
      expect(inputs.windowed).toBe(cap < n);
      const order = new PassOrder(rows, batch, rngFor('fine-tuned-batches', 3));
      const trained: number[] = [];
      for (let s = 0; s < steps; s++) {
        const part = order.next();
        const x = (await inputs.hold(part, order.upcoming())).batch(part);
        trained.push(...x.dataSync()); // the rows' own inputs, read from the window
        x.dispose();
      }
      // The same batches as before the cap, in the same order: the training RNG draws are untouched.
      expect(trained).toEqual(previousOrder(rows, batch, steps, rngFor('fine-tuned-batches', 3)).flat());
      // Every row once per epoch.
      for (let e = 0; (e + 1) * n <= trained.length; e++) expect([...trained.slice(e * n, (e + 1) * n)].sort((a, b) => a - b)).toEqual(rows);
      expect(inputs.maxRowsHeld).toBeLessThanOrEqual(cap);
      if (cap < n) {
        expect(Math.max(...reads.map((r) => r.length))).toBe(cap);
        expect(inputs.windowsRead).toBe(reads.length);
        expect(reads.length).toBeGreaterThan(1);
        reads.forEach((r) => expect(r).toEqual([...new Set(r)].sort((a, b) => a - b))); // distinct rows, ascending: one pass over the shards
      } else {
        expect([reads.length, inputs.windowsRead, inputs.maxRowsHeld]).toEqual([0, 1, n]);
      }
    }
  });

  it('refuses a batch larger than its window', async () => {
    const inputs = new InputRows(fakeReader(10, []), 3);
    await expect(inputs.hold([0, 1, 2, 3])).rejects.toThrow(/a batch of 4 rows does not fit a window of 3/);
    expect(() => new InputRows(fakeReader(10, []), 1.5)).toThrow(/a window holds a whole number of rows, got 1.5/);
  });
});

describe('fine-tuned above mapsInMemoryMiB, from a cache of 4-map shards', () => {
  let ds: Dataset;
  let cacheDir: string;
  let source: TapSource;
  const opts = { size: 224, mode: 'resize' as const };

  beforeAll(async () => {
    await initBackend();
    ds = await loadDataset('mednist-tiny');
    cacheDir = tempDir('baselines-ft-windows');
    const backbone = await pretrainedBackbone('mobilenet-v2-1.0', 224, { cacheDir });
    source = backboneTapSource(backbone, 'block_16_project');
    // The method's cut maps, written first in shards of 4 maps, so every window spans shards.
    const all = ds.images(undefined, opts);
    await new FeatureCache(cacheDir, undefined, { shardMaps: 4 }).ensure(featureCacheKey(all, source), all, async (b) => {
      const t = source.extract(b);
      const [m, height, width, channels] = t.shape;
      const data = (await t.data()) as Float32Array;
      t.dispose();
      return { n: m, height, width, channels, data };
    }, 4);
    expect(readdirSync(new FeatureCache(cacheDir).keyDir(featureCacheKey(all, source))).filter((f) => f.startsWith('seg-'))).toHaveLength(Math.ceil(all.ids.length / 4));
  }, 300_000);

  it('a window read across shards holds what the whole read holds', async () => {
    const images = ds.images(ds.samples.slice(0, 30).map((s) => s.id), opts);
    const reader = mapReader(images, source, [7, 7, 320], { cacheDir });
    const rows = [1, 3, 4, 9, 17, 29]; // in shards 0, 0, 1, 2, 4, 7
    const whole = (await reader.whole()).batch(rows, [false, true, false, true, false, false]);
    const windowed = (await reader.rows(rows)).batch(rows, [false, true, false, true, false, false]);
    expect(whole.shape).toEqual([6, 7, 7, 320]);
    expect(windowed.dataSync()).toEqual(whole.dataSync());
    tf.dispose([whole, windowed]);
  });

  it('trains and predicts as the whole set does, deterministically, holding at most the cap and leaking no tensor', async () => {
    const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
    const fold = applyBudget(f, ds.samples, 'all', 0);
    const data = () => ({ labelled: ds.labelledSet(fold.labelled, opts), unlabelled: ds.images(fold.unlabelled, opts) });
    const test = ds.images(fold.test, opts);
    const ctx = { seed: 5, cacheDir };
    // Short runs keep the test quick; 12 maps per window: the 40 labelled and 20 test images are read in windows.
    const params = { maxSteps: 8, batchSize: 8 };
    expect(fold.labelled.length).toBeGreaterThan(2 * 12);
    expect(fold.test.length).toBeGreaterThan(12);
    const fitPredict = async (cap?: number) => {
      const model = await createMethod('fine-tuned', { ...params, ...(cap ? { mapsInMemoryMiB: capFor(cap) } : {}) }).fit(data(), ctx);
      const proba = await model.predictProba(test);
      const chosen = model.chosen() as Record<string, any>;
      model.dispose();
      return { proba, chosen };
    };
    const whole = await fitPredict();
    expect(whole.chosen.inputsHeld).toMatchObject({ capMiB: 1024, windowed: false, maxRowsHeld: fold.labelled.length, windowsRead: 1 });

    const before = tf.memory().numTensors;
    const small = await fitPredict(12);
    expect(tf.memory().numTensors).toBe(before);
    expect(small.chosen.inputsHeld).toMatchObject({ capRows: 12, windowed: true, maxRowsHeld: 12 });
    expect(small.chosen.inputsHeld.windowsRead).toBeGreaterThan(3);
    expect(small.chosen.refitImagesSeen).toBe(fold.labelled.length);
    const strip = (c: Record<string, any>) => ({ ...c, trainSeconds: 0, inputsHeld: 0 });
    expect(strip(small.chosen)).toEqual(strip(whole.chosen)); // same selection, loss curves, steps
    // Same batches → same network → same predictions (exactly on the wasm backend, although predicted 12 rows at a time instead of 64).
    expect(small.proba).toEqual(whole.proba);

    const again = await fitPredict(12);
    expect(again.proba).toEqual(small.proba);
    expect(again.chosen.inputsHeld).toEqual(small.chosen.inputsHeld);
  }, 600_000);

  it("trainBlocks 'all': pixels read in windows train and predict as pixels held whole", async () => {
    const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
    const fold = applyBudget(f, ds.samples, { perClass: 3 }, 0);
    const small = { size: 96, mode: 'resize' as const };
    const params = { backbone: 'mobilenet-v1-0.25', inputSize: 96, trainBlocks: 'all', maxEpochs: 1, minStepsPerEpoch: 1, batchSize: 4, grid: [{}] };
    const run = async (extra: Record<string, unknown>) => {
      const model = await createMethod('fine-tuned', { ...params, ...extra }).fit({ labelled: ds.labelledSet(fold.labelled, small), unlabelled: ds.images([], small) }, { seed: 1, cacheDir });
      const proba = await model.predictProba(ds.images(fold.test.slice(0, 10), small));
      const held = (model.chosen() as Record<string, any>).inputsHeld;
      model.dispose();
      return { proba, held };
    };
    const whole = await run({});
    const windowed = await run({ mapsInMemoryMiB: (6 * 96 * 96 * 3) / 2 ** 20 }); // 6 images of 96×96×3 bytes
    expect(whole.held.windowed).toBe(false);
    expect(windowed.held).toMatchObject({ capRows: 6, windowed: true, maxRowsHeld: 6 });
    expect(windowed.proba).toEqual(whole.proba);
  }, 300_000);

  it('says how large mapsInMemoryMiB must be when a batch does not fit', async () => {
    const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
    const model = createMethod('fine-tuned', { batchSize: 16, mapsInMemoryMiB: capFor(10) });
    await expect(model.fit({ labelled: ds.labelledSet(f.train, opts), unlabelled: ds.images([], opts) }, { seed: 0, cacheDir })).rejects.toThrow(
      /mapsInMemoryMiB 0\.598\d* holds 10 inputs of 7x7x320 \(61\.3 KiB each\) but a training batch is 16 \(batchSize\); raise mapsInMemoryMiB to at least 0\.96/,
    );
  });
});
