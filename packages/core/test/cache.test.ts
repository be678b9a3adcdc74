import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStageStore } from '../src/method/index.js';
import { FeatureCache, decodeSegment, encodeSegment, featureKeyHash, type FeatureCacheKey } from '@udtl/backbones';
import { featureCacheKey, tapMaps } from '@udtl/backbones';
import { toyImages, toyTapSource } from './fixtures/toy-tap.js';

const fakeSource = toyTapSource;
const images = (n: number, seed: number, duplicateOf?: [number, number]) => toyImages(n, seed, { duplicateOf });

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => FeatureCache.clearMemo());

describe('FeatureCache', () => {
  it('computes each distinct image once, then serves any subset from memory and from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-cache-'));
    const calls = { images: 0 };
    const source = fakeSource(calls);
    const set = images(10, 1, [9, 2]); // img9 has img2's pixels
    const first = await tapMaps(set, source, { cacheDir: dir, batchSize: 3 });
    expect(calls.images).toBe(9); // the duplicate content is computed once
    expect([first.n, first.height, first.width, first.channels]).toEqual([10, 4, 4, 4]);
    expect(Array.from(first.data.subarray(9 * 64, 10 * 64))).toEqual(Array.from(first.data.subarray(2 * 64, 3 * 64)));
    const direct = await tapMaps(set, source, { batchSize: 4 }); // no cache: the reference
    expect(Array.from(first.data)).toEqual(Array.from(direct.data));
    calls.images = 0;

    const fold = set.subset(['img7', 'img3', 'img0']);
    const sub = await tapMaps(fold, source, { cacheDir: dir });
    expect(calls.images).toBe(0);
    expect(Array.from(sub.data.subarray(0, 64))).toEqual(Array.from(first.data.subarray(7 * 64, 8 * 64)));

    FeatureCache.clearMemo(); // a new worker: reads the file instead of recomputing
    const again = await tapMaps(set, source, { cacheDir: dir });
    expect(calls.images).toBe(0);
    expect(Array.from(again.data)).toEqual(Array.from(first.data));
    const files = readdirSync(join(dir, 'features', featureKeyHash(featureCacheKey(set, source))));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toHaveLength(1);
  });

  it('adds new images as a new segment and keys by backend, tap and weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-cache-'));
    const calls = { images: 0 };
    const source = fakeSource(calls);
    const all = images(6, 2);
    await tapMaps(all.subset(['img0', 'img1', 'img2']), source, { cacheDir: dir });
    await tapMaps(all, source, { cacheDir: dir });
    expect(calls.images).toBe(6);
    const keyDir = join(dir, 'features', featureKeyHash(featureCacheKey(all, source)));
    expect(readdirSync(keyDir)).toHaveLength(2);
    await tapMaps(all, { ...source, weightsHash: 'w1' }, { cacheDir: dir });
    expect(calls.images).toBe(12);
    const key = featureCacheKey(all, source);
    expect(featureKeyHash({ ...key, backend: 'wasm' })).not.toBe(featureKeyHash({ ...key, backend: 'cpu' }));
    expect(featureKeyHash({ ...key, tap: 'other' })).not.toBe(featureKeyHash(key));
    expect(featureKeyHash({ ...key, resizeMode: 'pad' })).not.toBe(featureKeyHash(key));
    expect(() => featureKeyHash({ ...key, weightsHash: '' })).toThrow(/weightsHash/);
  });

  for (const damage of ['flip', 'truncate', 'garbage'] as const) {
    it(`detects a damaged cache file (${damage}), reports it and recomputes`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'udtl-cache-'));
      const calls = { images: 0 };
      const source = fakeSource(calls);
      const set = images(5, 3);
      const good = await tapMaps(set, source, { cacheDir: dir });
      const keyDir = join(dir, 'features', featureKeyHash(featureCacheKey(set, source)));
      const [file] = readdirSync(keyDir);
      const bytes = readFileSync(join(keyDir, file));
      if (damage === 'flip') bytes[bytes.length - 3] ^= 0x40;
      writeFileSync(join(keyDir, file), damage === 'truncate' ? bytes.subarray(0, bytes.length - 100) : damage === 'garbage' ? Buffer.from('not a cache') : bytes);
      FeatureCache.clearMemo();
      calls.images = 0;
      const logs: string[] = [];
      const again = await tapMaps(set, source, { cacheDir: dir, log: (m) => logs.push(m) });
      expect(calls.images).toBe(5);
      expect(Array.from(again.data)).toEqual(Array.from(good.data));
      const why = { flip: /checksum mismatch/, truncate: /\d+ data bytes, expected \d+ \(truncated\?\)/, garbage: /bad magic/ }[damage];
      expect(logs.join('\n')).toMatch(new RegExp(`corrupt feature cache file .*${file}: ${why.source}`));
      // the rewritten file is valid again
      FeatureCache.clearMemo();
      calls.images = 0;
      await tapMaps(set, source, { cacheDir: dir });
      expect(calls.images).toBe(0);
    });
  }

  it('segment encoding round-trips and rejects a file written for another key', () => {
    const key: FeatureCacheKey = { datasetId: 'd', datasetHash: 'h', backboneId: 'b', weightsHash: 'w', inputSize: 8, resizeMode: 'resize', tap: 't', backend: 'cpu' };
    const data = new Float32Array([1.5, -2, 3, 4, 5, 6]);
    const buf = encodeSegment(key, [1, 1, 3], ['a', 'b'], data);
    const { header, data: back } = decodeSegment('x.bin', buf, key);
    expect(header.hashes).toEqual(['a', 'b']);
    expect(Array.from(back)).toEqual(Array.from(data));
    expect(() => decodeSegment('x.bin', buf, { ...key, tap: 'u' })).toThrow(/x\.bin: written for a different key/);
  });

  it('rejects images of the wrong size naming both sizes', async () => {
    const source = { ...fakeSource({ images: 0 }), inputSize: 16 };
    await expect(tapMaps(images(2, 1), source)).rejects.toThrow(/8x8 but fake expects 16x16/);
  });
});

describe('MemoryStageStore', () => {
  it('returns stored values, disposes replaced and evicted ones and everything on clear', () => {
    const disposed: string[] = [];
    const store = new MemoryStageStore(2);
    store.set('a', 'A', (v) => disposed.push(v));
    store.set('b', 'B', (v) => disposed.push(v));
    expect(store.get<string>('a')).toBe('A'); // a is now most recent
    store.set('c', 'C', (v) => disposed.push(v));
    expect(disposed).toEqual(['B']);
    expect(store.get('b')).toBeUndefined();
    store.set('a', 'A2', (v) => disposed.push(v));
    expect(disposed).toEqual(['B', 'A']);
    store.clear();
    expect(disposed.sort()).toEqual(['A', 'A2', 'B', 'C']);
    expect(store.size).toBe(0);
  });
});
