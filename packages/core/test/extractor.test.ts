import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, normalArray, ZeroBiasCAE } from '../src/cae/index.js';
import { pool, pooledDim, pooledFeatures, selectMaps, type PoolMode } from '@udtl/backbones';

/** Second implementation: plain loops over NHWC data, region mean / max. */
function regionStat(data: Float32Array, [n, h, w, c]: number[], img: number, ch: number, y0: number, y1: number, x0: number, x1: number, kind: 'mean' | 'max'): number {
  let s = 0;
  let m = -Infinity;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const v = data[((img * h + y) * w + x) * c + ch];
      s += v;
      m = Math.max(m, v);
    }
  }
  void n;
  return kind === 'max' ? m : s / ((y1 - y0) * (x1 - x0));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('pool', () => {
  const shape = [2, 7, 7, 3];
  const data = normalArray(2 * 7 * 7 * 3, 1, mulberry32(4));

  it('matches a loop implementation for every mode, incl. the overlapping 2x2 pyramid bins of a 7x7 map', () => {
    // 2x2 bins of 7 rows (adaptive pooling): rows 0..3 and 3..6 (floor(i·7/2) … ceil((i+1)·7/2)).
    const bins: [number, number][] = [[0, 4], [3, 7]];
    const expected: Record<PoolMode, (img: number) => number[]> = {
      avg: (i) => [0, 1, 2].map((c) => regionStat(data, shape, i, c, 0, 7, 0, 7, 'mean')),
      max: (i) => [0, 1, 2].map((c) => regionStat(data, shape, i, c, 0, 7, 0, 7, 'max')),
      avgmax: (i) => [...expected.avg(i), ...expected.max(i)],
      pyramid: (i) => [
        ...expected.avg(i),
        ...bins.flatMap(([y0, y1]) => bins.flatMap(([x0, x1]) => [0, 1, 2].map((c) => regionStat(data, shape, i, c, y0, y1, x0, x1, 'mean')))),
      ],
    };
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(data, [2, 7, 7, 3]);
    for (const mode of ['avg', 'max', 'avgmax', 'pyramid'] as const) {
      const v = pool(x, mode);
      expect(v.shape).toEqual([2, pooledDim(3, mode)]);
      const got = v.arraySync();
      for (let i = 0; i < 2; i++) {
        expected[mode](i).forEach((e, j) => expect(got[i][j]).toBeCloseTo(e, 5));
      }
      v.dispose();
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown mode and a non-4D input', () => {
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    expect(() => pool(x, 'median' as PoolMode)).toThrow(/Unknown pooling 'median'; known: avg, max, avgmax, pyramid/);
    x.dispose();
    const y = tf.zeros([2, 2]);
    expect(() => pool(y as unknown as tf.Tensor4D, 'avg')).toThrow(/\[N, H, W, C\]/);
    y.dispose();
  });
});

describe('pooledFeatures', () => {
  it('gives the same rows whatever the batch size, with and without an encoder, without leaks', async () => {
    const maps = { n: 5, height: 3, width: 3, channels: 4, data: normalArray(5 * 36, 1, mulberry32(2)) };
    const cae = await new ZeroBiasCAE({ filters: 6, epochs: 1, batchSize: 8, patchesPerMap: 3, theta: 0.3 }).fit(maps);
    const before = tf.memory().numTensors;
    const a = await pooledFeatures(maps, { pool: 'avgmax', encoder: cae, batchSize: 2 });
    const b = await pooledFeatures(maps, { pool: 'avgmax', encoder: cae, batchSize: 64 });
    expect([a.rows, a.cols]).toEqual([5, 12]);
    for (let i = 0; i < a.data.length; i++) expect(a.data[i]).toBeCloseTo(b.data[i], 6);
    const frozen = await pooledFeatures(maps, { pool: 'avg' });
    expect(frozen.cols).toBe(4);
    // row 3 of the frozen features = the mean of map 3
    const m3 = selectMaps(maps, [3]);
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let p = 0; p < 9; p++) s += m3.data[p * 4 + c];
      expect(frozen.data[3 * 4 + c]).toBeCloseTo(s / 9, 5);
    }
    expect(tf.memory().numTensors).toBe(before);
    cae.dispose();
    expect(() => selectMaps(maps, [5])).toThrow(/row 5 out of range 0..4/);
  });
});
