import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageBatch } from '@udtl/datasets';
import { concatMaps, selectMaps, tapMaps, type TapSource } from '@udtl/backbones';
import { inMemoryImageSet } from '../src/method/memory-images.js';
import { mulberry32 } from '../src/cae/index.js';
import { caeTrainingIds, caeTrainingMaps } from '../src/cae/training-pool.js';

function source(): TapSource {
  return {
    backboneId: 'fake', weightsHash: 'w0', tap: 'avg', inputSize: 4,
    extract: (b: ImageBatch) => tf.tidy(() => tf.avgPool(tf.tensor4d(b.data, [b.n, 4, 4, 3], 'float32'), 2, 2, 'valid') as tf.Tensor4D),
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('CAE training pool', () => {
  it('keeps a small pool whole and sorted, and caps a large one with a seeded draw', () => {
    const ids = ['c', 'a', 'b'];
    expect(caeTrainingIds(ids, 10, 1)).toEqual(['a', 'b', 'c']);
    const many = Array.from({ length: 1000 }, (_, i) => `id${i}`);
    const capped = caeTrainingIds(many, 100, 7);
    expect(capped).toHaveLength(100);
    expect(new Set(capped).size).toBe(100);
    expect([...capped].sort()).toEqual(capped);
    expect(capped.every((id) => many.includes(id))).toBe(true);
    expect(caeTrainingIds([...many].reverse(), 100, 7)).toEqual(capped); // input order does not matter
    expect(caeTrainingIds(many, 100, 8)).not.toEqual(capped); // the seed does
    expect(() => caeTrainingIds(many, 0, 1)).toThrow(/caeMaxMaps must be a whole number ≥ 1, got 0/);
  });

  it('streams the chosen maps of two image sets into one stack in id order, equal to concatenate-then-select', async () => {
    const rng = mulberry32(3);
    const n = 23;
    const data = new Uint8Array(n * 4 * 4 * 3).map(() => Math.floor(rng() * 256));
    const all = inMemoryImageSet({ datasetId: 'toy', ids: Array.from({ length: n }, (_, i) => `im${String((i * 7) % n).padStart(2, '0')}`), data, height: 4, width: 4 });
    const labelled = all.subset(all.ids.slice(0, 6));
    const unlabelled = all.subset(all.ids.slice(6));
    const dir = mkdtempSync(join(tmpdir(), 'udtl-pool-'));
    const opts = { cacheDir: dir, batchSize: 4 };
    const poolIds = [...labelled.ids, ...unlabelled.ids];
    const trainIds = caeTrainingIds(poolIds, 15, 0);
    const got = await caeTrainingMaps(trainIds, [labelled, unlabelled], source(), opts);
    // The old path: both sets' maps concatenated, then rows picked in trainIds order.
    const whole = concatMaps([await tapMaps(labelled, source(), opts), await tapMaps(unlabelled, source(), opts)]);
    const expected = selectMaps(whole, trainIds.map((id) => poolIds.indexOf(id)));
    expect([got.n, got.height, got.width, got.channels]).toEqual([15, 2, 2, 3]);
    expect(Array.from(got.data)).toEqual(Array.from(expected.data));
    await expect(caeTrainingMaps(['nope', ...trainIds.slice(1)], [labelled, unlabelled], source(), opts)).rejects.toThrow(/image 'nope' is in none/);
  });
});
