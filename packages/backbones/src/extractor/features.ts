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

function computeBatch(source: TapSource, batch: ImageBatch): FeatureMaps {
  const t = source.extract(batch);
  try {
    const [n, height, width, channels] = t.shape;
    return { n, height, width, channels, data: t.dataSync() as Float32Array };
  } finally {
    t.dispose();
  }
}

/** Frozen-backbone tap maps of `images` (in `images.ids` order), through the feature cache. */
export async function tapMaps(images: ImageSet, source: TapSource, opts: TapMapsOptions = {}): Promise<FeatureMaps> {
  if (images.height !== source.inputSize || images.width !== source.inputSize) {
    throw new Error(
      `images of ${images.datasetId} are ${images.height}x${images.width} but ${source.backboneId} expects ` +
        `${source.inputSize}x${source.inputSize}: request the images at that size`,
    );
  }
  const batchSize = opts.batchSize ?? 16;
  const compute = (batch: ImageBatch) => (source.run ? source.run(batch) : computeBatch(source, batch));
  if (opts.cacheDir) return new FeatureCache(opts.cacheDir, opts.log).getMaps(featureCacheKey(images, source), images, compute, batchSize);
  const parts: FeatureMaps[] = [];
  for await (const batch of images.batches(batchSize)) parts.push(await compute(batch));
  return concatMaps(parts);
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

/** (Encoded and) pooled maps → one float64 row per map: the classifier's input. */
export function pooledFeatures(maps: FeatureMaps, opts: PooledOptions): Matrix {
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
    out.data.set(vectors.dataSync(), i * cols);
    vectors.dispose();
  }
  out ??= { rows: 0, cols: 0, data: new Float64Array(0) };
  for (let j = 0; j < out.data.length; j++) {
    if (!Number.isFinite(out.data[j])) throw new Error(`pooledFeatures: non-finite feature in row ${Math.floor(j / out.cols)}`);
  }
  return out;
}
