import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ImageBatch } from '@udtl/datasets';
import {
  FeatureCache, featureCacheKey, pooledFeatures, pooledTapFeatures, shardCapacity, tapMapBatches, tapMaps, SHARD_MAX_BYTES,
  type FeatureMaps,
} from '@udtl/backbones';
import { toyImages, toyTapSource } from './fixtures/toy-tap.js';

const fakeSource = toyTapSource;
const images = (n: number, seed: number) => toyImages(n, seed, { idDigits: 2 });

/** The same extraction as the cache's, without it: the reference maps. */
async function direct(set: ReturnType<typeof images>): Promise<FeatureMaps> {
  return tapMaps(set, fakeSource({ images: 0, batches: 0 }), { batchSize: 5 });
}

function segFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('seg-') && f.endsWith('.bin')).sort();
}

const SIZE = 4 * 4 * 4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => FeatureCache.clearMemo());

describe('sharded feature cache', () => {
  it('writes fixed-size shards and reads any subset in batches across shard boundaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-shards-'));
    const set = images(11, 1);
    const calls = { images: 0, batches: 0 };
    const source = fakeSource(calls);
    const cache = new FeatureCache(dir, undefined, { shardMaps: 4 });
    const compute = (b: ImageBatch) => {
      const t = source.extract(b);
      const out = { n: b.n, height: 4, width: 4, channels: 4, data: t.dataSync() as Float32Array };
      t.dispose();
      return out;
    };
    const key = featureCacheKey(set, source);
    await cache.ensure(key, set, compute, 2);
    expect(calls.images).toBe(11);
    const keyDir = cache.keyDir(key);
    const files = segFiles(keyDir);
    expect(files).toHaveLength(3); // 4 + 4 + 3 maps
    expect(readdirSync(keyDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const ref = await direct(set);
    // A shuffled subset read 3 rows at a time: batches straddle shards, rows come in the subset's order.
    const order = [10, 0, 5, 3, 4, 9, 1, 7];
    const sub = set.subset(order.map((i) => set.ids[i]));
    FeatureCache.clearMemo(); // a fresh worker: headers from disk
    await cache.ensure(key, sub, compute, 2);
    expect(calls.images).toBe(11); // nothing recomputed
    const sizes: number[] = [];
    const rows: Float32Array[] = [];
    for await (const b of cache.batches(key, sub, 3)) {
      sizes.push(b.n);
      for (let r = 0; r < b.n; r++) rows.push(b.data.slice(r * SIZE, (r + 1) * SIZE));
    }
    expect(sizes).toEqual([3, 3, 2]);
    order.forEach((i, r) => expect(Array.from(rows[r])).toEqual(Array.from(ref.data.subarray(i * SIZE, (i + 1) * SIZE))));
  });

  it('resumes a killed extraction from the last complete shard, computing only the missing ones, to the same files', async () => {
    const set = images(11, 2);
    const whole = mkdtempSync(join(tmpdir(), 'udtl-shards-'));
    const calls = { images: 0, batches: 0 };
    await tapMaps(set, fakeSource(calls), { cacheDir: whole, batchSize: 2 });
    expect(calls.images).toBe(11);

    const killed = mkdtempSync(join(tmpdir(), 'udtl-shards-'));
    const small = (d: string) => new FeatureCache(d, undefined, { shardMaps: 4 });
    const source = fakeSource({ images: 0, batches: 0 });
    const compute = (calls2: { images: number; batches: number; failAfterBatches?: number }) => (b: ImageBatch) => {
      const t = fakeSource(calls2).extract(b);
      const out = { n: b.n, height: 4, width: 4, channels: 4, data: t.dataSync() as Float32Array };
      t.dispose();
      return out;
    };
    const key = featureCacheKey(set, source);
    const first = { images: 0, batches: 0, failAfterBatches: 5 }; // dies after 10 maps: shards of 4 + 4 complete, 2 maps lost
    await expect(small(killed).ensure(key, set, compute(first), 2)).rejects.toThrow(/killed mid-way/);
    expect(segFiles(small(killed).keyDir(key))).toHaveLength(2);

    FeatureCache.clearMemo(); // the restarted process
    const second = { images: 0, batches: 0 };
    await small(killed).ensure(key, set, compute(second), 2);
    expect(second.images).toBe(3); // only the last shard's maps

    const uninterrupted = mkdtempSync(join(tmpdir(), 'udtl-shards-'));
    await small(uninterrupted).ensure(key, set, compute({ images: 0, batches: 0 }), 2);
    const a = small(killed).keyDir(key);
    const b = small(uninterrupted).keyDir(key);
    expect(segFiles(a)).toEqual(segFiles(b));
    for (const f of segFiles(a)) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f)))).toBe(true);
    // and the maps read back equal the one-shard cache's
    const one = await tapMaps(set, fakeSource({ images: 0, batches: 0 }), { cacheDir: whole });
    const parts: number[] = [];
    for await (const m of small(killed).batches(key, set, 4)) parts.push(...m.data);
    expect(parts).toEqual(Array.from(one.data));
  });

  it('detects a corrupted shard by its checksum, names the file, and recomputes only that shard', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-shards-'));
    const set = images(9, 3);
    const calls = { images: 0, batches: 0 };
    const source = fakeSource(calls);
    const key = featureCacheKey(set, source);
    const compute = (b: ImageBatch) => {
      const t = source.extract(b);
      const out = { n: b.n, height: 4, width: 4, channels: 4, data: t.dataSync() as Float32Array };
      t.dispose();
      return out;
    };
    await new FeatureCache(dir, undefined, { shardMaps: 4 }).ensure(key, set, compute, 4);
    const keyDir = new FeatureCache(dir).keyDir(key);
    const files = segFiles(keyDir);
    expect(files).toHaveLength(3);
    const victim = files.map((f) => join(keyDir, f)).sort((x, y) => readFileSync(y).length - readFileSync(x).length)[0]; // a 4-map shard
    const bytes = readFileSync(victim);
    bytes[bytes.length - 5] ^= 0x10; // one bit of one value: same size, header intact
    writeFileSync(victim, bytes);

    FeatureCache.clearMemo();
    calls.images = 0;
    const logs: string[] = [];
    await new FeatureCache(dir, (m) => logs.push(m), { shardMaps: 4 }).ensure(key, set, compute, 4);
    expect(logs.join('\n')).toContain(`corrupt feature cache file ${victim}: checksum mismatch`);
    expect(calls.images).toBe(4); // that shard's maps only
    const back: number[] = [];
    for await (const m of new FeatureCache(dir).batches(key, set, 5)) back.push(...m.data);
    expect(back).toEqual(Array.from((await direct(set)).data));
  });

  it('sizes shards by maps and bytes, a multiple of the batch size', () => {
    expect(shardCapacity(7 * 7 * 320 * 4, 16)).toBe(2048);
    const wide = shardCapacity(7 * 7 * 1280 * 4, 16);
    expect(wide * 7 * 7 * 1280 * 4).toBeLessThanOrEqual(SHARD_MAX_BYTES);
    expect(wide % 16).toBe(0);
    expect(wide).toBe(528);
    expect(shardCapacity(10, 16, 4)).toBe(16); // never smaller than a batch
  });

  it('pools tap maps batch by batch exactly as pooling the whole stack, and leaks no tensor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-shards-'));
    const set = images(70, 4);
    const source = fakeSource({ images: 0, batches: 0 });
    const whole = await pooledFeatures(await direct(set), { pool: 'avgmax', batchSize: 8 });
    const before = tf.memory().numTensors;
    const streamed = await pooledTapFeatures(set, source, { pool: 'avgmax', batchSize: 8 }, { cacheDir: dir, batchSize: 16 });
    const uncached = await pooledTapFeatures(set, source, { pool: 'avgmax', batchSize: 8 }, { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect([streamed.rows, streamed.cols]).toEqual([70, 8]);
    expect(Array.from(streamed.data)).toEqual(Array.from(whole.data));
    expect(Array.from(uncached.data)).toEqual(Array.from(whole.data));
    const sizes: number[] = [];
    for await (const m of tapMapBatches(set, source, 32, { cacheDir: dir })) sizes.push(m.n);
    expect(sizes).toEqual([32, 32, 6]);
  });
});
