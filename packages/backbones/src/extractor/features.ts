import * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch, ImageSet } from '@udtl/datasets';
import type { TapSource } from '../backbones/tap-source.js';
import { FeatureCache, type FeatureCacheKey } from '../cache/feature-cache.js';
import type { FeatureMaps } from '../backbones/feature-maps.js';
import type { Matrix } from './matrix.js';
import { pool, type PoolMode } from './pool.js';

/** Anything that maps [N, H, W, C] maps to codes (e.g. a fitted ZeroBiasCAE). */
export interface Encoder {
  encode(x: tf.Tensor4D): tf.Tensor4D;
}

export interface TapMapsOptions {
  /** Directory of the on-disk feature cache (FitContext.cacheDir); no caching when absent. */
  cacheDir?: string;
  batchSize?: number;
  log?: (message: string) => void;
}

export function featureCacheKey(images: ImageSet, source: TapSource): FeatureCacheKey {
  return {
    datasetId: images.datasetId,
    datasetHash: images.datasetHash,
    backboneId: source.backboneId,
    weightsHash: source.weightsHash,
    inputSize: source.inputSize,
    resizeMode: images.resizeMode,
    tap: source.tap,
    backend: source.engine ?? tf.getBackend(),
  };
}

async function computeBatch(source: TapSource, batch: ImageBatch): Promise<FeatureMaps> {
  const t = source.extract(batch);
  try {
    const [n, height, width, channels] = t.shape;
    return { n, height, width, channels, data: (await t.data()) as Float32Array };
  } finally {
    t.dispose();
  }
}

function checkSize(images: ImageSet, source: TapSource): void {
  if (images.height !== source.inputSize || images.width !== source.inputSize) {
    throw new Error(
      `images of ${images.datasetId} are ${images.height}x${images.width} but ${source.backboneId} expects ` +
        `${source.inputSize}x${source.inputSize}: request the images at that size`,
    );
  }
}

function computeFor(source: TapSource): (batch: ImageBatch) => Promise<FeatureMaps> | FeatureMaps {
  return (batch) => (source.run ? source.run(batch) : computeBatch(source, batch));
}

/** Compute every missing map of `images` into the on-disk cache, shard by shard, holding none (a dataset's preparation step). */
export async function prepareTapMaps(images: ImageSet, source: TapSource, opts: TapMapsOptions & { cacheDir: string }): Promise<void> {
  checkSize(images, source);
  await new FeatureCache(opts.cacheDir, opts.log).ensure(featureCacheKey(images, source), images, computeFor(source), opts.batchSize ?? 16);
}

/**
 * Frozen-backbone tap maps of `images` (in `images.ids` order) as one stack, through the feature
 * cache. For sets that fit in memory (a labelled set, tests); whole datasets and folds go through
 * `tapMapBatches` / `pooledTapFeatures`.
 */
export async function tapMaps(images: ImageSet, source: TapSource, opts: TapMapsOptions = {}): Promise<FeatureMaps> {
  checkSize(images, source);
  const batchSize = opts.batchSize ?? 16;
  const compute = computeFor(source);
  if (opts.cacheDir) return new FeatureCache(opts.cacheDir, opts.log).getMaps(featureCacheKey(images, source), images, compute, batchSize);
  const parts: FeatureMaps[] = [];
  for await (const batch of images.batches(batchSize)) parts.push(await compute(batch));
  return concatMaps(parts);
}

/**
 * Tap maps of `images` in `images.ids` order, `readBatchSize` rows at a time: computed into the
 * cache first (in batches of `batchSize`), then read back shard by shard. Memory: one batch.
 */
export async function* tapMapBatches(images: ImageSet, source: TapSource, readBatchSize: number, opts: TapMapsOptions = {}): AsyncGenerator<FeatureMaps> {
  checkSize(images, source);
  const batchSize = opts.batchSize ?? 16;
  const compute = computeFor(source);
  if (opts.cacheDir) {
    const cache = new FeatureCache(opts.cacheDir, opts.log);
    const key = featureCacheKey(images, source);
    await cache.ensure(key, images, compute, batchSize);
    yield* cache.batches(key, images, readBatchSize);
    return;
  }
  // No cache: compute and re-cut into batches of readBatchSize rows.
  let held: FeatureMaps[] = [];
  let heldRows = 0;
  for await (const batch of images.batches(batchSize)) {
    held.push(await compute(batch));
    heldRows += batch.n;
    while (heldRows >= readBatchSize) {
      const all = concatMaps(held);
      yield selectRange(all, 0, readBatchSize);
      held = [selectRange(all, readBatchSize, all.n)];
      heldRows = all.n - readBatchSize;
    }
  }
  if (heldRows > 0) yield concatMaps(held);
}

function selectRange(maps: FeatureMaps, from: number, to: number): FeatureMaps {
  const size = maps.height * maps.width * maps.channels;
  return { ...maps, n: to - from, data: maps.data.slice(from * size, to * size) };
}

/** (Encoded and) pooled tap maps of `images` straight from the cache, one batch at a time: never N×H×W×C. */
export async function pooledTapFeatures(images: ImageSet, source: TapSource, pooled: PooledOptions, opts: TapMapsOptions = {}): Promise<Matrix> {
  const batchSize = pooled.batchSize ?? 64;
  let out: Matrix | undefined;
  let row = 0;
  for await (const maps of tapMapBatches(images, source, batchSize, opts)) {
    const X = await pooledFeatures(maps, pooled);
    out ??= { rows: images.ids.length, cols: X.cols, data: new Float64Array(images.ids.length * X.cols) };
    out.data.set(X.data, row * X.cols);
    row += X.rows;
  }
  return out ?? { rows: 0, cols: 0, data: new Float64Array(0) };
}

export function concatMaps(parts: FeatureMaps[]): FeatureMaps {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const [h, w, c] = parts.length ? [parts[0].height, parts[0].width, parts[0].channels] : [0, 0, 0];
  const data = new Float32Array(n * h * w * c);
  let o = 0;
  for (const p of parts) {
    data.set(p.data, o);
    o += p.data.length;
  }
  return { n, height: h, width: w, channels: c, data };
}

/** The maps of rows `rows` (e.g. a fold's subset) as a new stack. */
export function selectMaps(maps: FeatureMaps, rows: ArrayLike<number>): FeatureMaps {
  const size = maps.height * maps.width * maps.channels;
  const data = new Float32Array(rows.length * size);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < maps.n)) throw new Error(`selectMaps: row ${r} out of range 0..${maps.n - 1}`);
    data.set(maps.data.subarray(r * size, (r + 1) * size), i * size);
  }
  return { n: rows.length, height: maps.height, width: maps.width, channels: maps.channels, data };
}

export interface PooledOptions {
  /** Applied to the maps before pooling (e.g. the CAE encoder); none = frozen features. */
  encoder?: Encoder;
  pool: PoolMode;
  /** Maps per tensor batch (bounds memory: codes are 6x larger than the maps). */
  batchSize?: number;
}

/** (Encoded and) pooled maps → one float64 row per map: the classifier's input. Asynchronous: a GPU backend reads its tensors only so. */
export async function pooledFeatures(maps: FeatureMaps, opts: PooledOptions): Promise<Matrix> {
  const { n, height: h, width: w, channels: c } = maps;
  const batchSize = opts.batchSize ?? 64;
  let out: Matrix | undefined;
  for (let i = 0; i < n; i += batchSize) {
    const m = Math.min(batchSize, n - i);
    const vectors = tf.tidy(() => {
      const x = tf.tensor4d(maps.data.subarray(i * h * w * c, (i + m) * h * w * c), [m, h, w, c]);
      return pool(opts.encoder ? opts.encoder.encode(x) : x, opts.pool);
    });
    const cols = vectors.shape[1];
    out ??= { rows: n, cols, data: new Float64Array(n * cols) };
    try {
      out.data.set(await vectors.data(), i * cols);
    } finally {
      vectors.dispose();
    }
  }
  out ??= { rows: 0, cols: 0, data: new Float64Array(0) };
  for (let j = 0; j < out.data.length; j++) {
    if (!Number.isFinite(out.data[j])) throw new Error(`pooledFeatures: non-finite feature in row ${Math.floor(j / out.cols)}`);
  }
  return out;
}
