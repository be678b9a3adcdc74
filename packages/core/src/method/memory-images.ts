import { mulberry32 } from '../classifiers/rng.js';
import { sha256, type ImageBatch, type ImageSet, type LabelledSet } from '@udtl/datasets';

export interface InMemoryImageSetOptions {
  datasetId: string;
  ids: string[];
  /** uint8 NHWC, 3 channels, length ids.length × height × width × 3. */
  data: Uint8Array;
  height: number;
  width: number;
}

/**
 * An ImageSet over pixels already in memory (tests, checkMethod fixtures, small user arrays).
 * Image hashes are sha256 of each image's pixels; the dataset hash is sha256 over the sorted image
 * hashes, as for loaded datasets.
 */
export function inMemoryImageSet(options: InMemoryImageSetOptions): ImageSet {
  const { datasetId, ids, data, height, width } = options;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1)
    throw new Error(`inMemoryImageSet(${datasetId}): invalid image size ${height}x${width}`);
  const size = height * width * 3;
  if (data.length !== ids.length * size)
    throw new Error(`inMemoryImageSet(${datasetId}): data has ${data.length} bytes, expected ${ids.length} images × ${height}×${width}×3 = ${ids.length * size}`);
  const row = new Map<string, number>();
  ids.forEach((id, i) => {
    if (row.has(id)) throw new Error(`inMemoryImageSet(${datasetId}): duplicate id '${id}'`);
    row.set(id, i);
  });
  const hashes = ids.map((_, i) => sha256(data.subarray(i * size, (i + 1) * size)));
  const datasetHash = sha256([...hashes].sort().join('\n'));
  return viewOf(ids.map((_, i) => i));

  function viewOf(rows: number[]): ImageSet {
    return {
      datasetId,
      datasetHash,
      ids: rows.map((r) => ids[r]),
      hashes: rows.map((r) => hashes[r]),
      height,
      width,
      resizeMode: 'resize',
      async *batches(batchSize: number): AsyncIterable<ImageBatch> {
        if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batches: batch size must be a positive integer, got ${batchSize}`);
        for (let start = 0; start < rows.length; start += batchSize) {
          const part = rows.slice(start, start + batchSize);
          const out = new Uint8Array(part.length * size);
          part.forEach((r, k) => out.set(data.subarray(r * size, (r + 1) * size), k * size));
          yield { ids: part.map((r) => ids[r]), data: out, n: part.length, height, width, channels: 3 };
        }
      },
      subset(subsetIds: string[]): ImageSet {
        return viewOf(
          subsetIds.map((id) => {
            const r = row.get(id);
            if (r === undefined) throw new Error(`subset: unknown image id '${id}' in in-memory set '${datasetId}'`);
            return r;
          }),
        );
      },
    };
  }
}

export interface SyntheticImageProblemOptions {
  /** Default 3. */
  classes?: number;
  /** Default 16. */
  perClass?: number;
  /** Default 32 (backbone methods need ≥ 32 px). */
  height?: number;
  width?: number;
  seed?: number;
}

/**
 * A small learnable image problem, seeded: class c has a colour tint (channel c mod 3 brighter) and a
 * texture (horizontal stripes, vertical stripes or a checkerboard, by ⌊c/3⌋ + c mod 3) with random
 * phase, contrast and pixel noise, so both colour statistics and convolutional features separate it.
 * Ids are `c<class>-<index>`, interleaved by class.
 */
export function syntheticImageProblem(options: SyntheticImageProblemOptions = {}): LabelledSet {
  const { classes = 3, perClass = 16, height = 32, width = 32, seed = 0 } = options;
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`syntheticImageProblem: classes must be an integer ≥ 2, got ${classes}`);
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`syntheticImageProblem: perClass must be a positive integer, got ${perClass}`);
  const random = mulberry32(seed);
  const n = classes * perClass;
  const size = height * width * 3;
  const data = new Uint8Array(n * size);
  const ids: string[] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    const index = Math.floor(i / classes);
    ids.push(`c${c}-${index}`);
    labels[i] = c;
    const texture = (Math.floor(c / 3) + c) % 3;
    const period = 4 + Math.floor(random() * 3);
    const phase = Math.floor(random() * period);
    const contrast = 50 + random() * 40;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const on = texture === 0 ? (y + phase) % period < period / 2
          : texture === 1 ? (x + phase) % period < period / 2
          : (Math.floor((x + phase) / 3) + Math.floor((y + phase) / 3)) % 2 === 0;
        for (let ch = 0; ch < 3; ch++) {
          const tint = ch === c % 3 ? 50 : 0;
          const v = 90 + tint + (on ? contrast : 0) + (random() - 0.5) * 40;
          data[i * size + (y * width + x) * 3 + ch] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
  }
  const images = inMemoryImageSet({ datasetId: `synthetic-${classes}x${perClass}-${height}x${width}-s${seed}`, ids, data, height, width });
  return { images, labels, classNames: Array.from({ length: classes }, (_, c) => `class_${c}`) };
}
