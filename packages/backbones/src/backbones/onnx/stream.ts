/** Batched, streaming extraction through a FrozenEngine: the next batch decodes while this one runs. */
import type { ImageSet } from '@udtl/datasets';
import type { FeatureMaps } from '../feature-maps.js';
import type { FrozenEngine } from './engine.js';

export interface FeatureBatch {
  ids: string[];
  n: number;
  /** Per-image shape (engine.outputShape). */
  shape: number[];
  data: Float32Array;
}

export interface StreamOptions {
  /** Images per engine call (default 32). */
  batchSize?: number;
}

function checkImages(engine: FrozenEngine, images: ImageSet): void {
  if (images.height !== engine.inputSize || images.width !== engine.inputSize) {
    throw new Error(
      `images of ${images.datasetId} are ${images.height}x${images.width} but ${engine.backboneId} expects ` +
        `${engine.inputSize}x${engine.inputSize}: request the images at that size`,
    );
  }
}

/** Engine outputs of `images`, batch by batch in `images.ids` order. */
export async function* streamFeatures(engine: FrozenEngine, images: ImageSet, opts: StreamOptions = {}): AsyncGenerator<FeatureBatch> {
  checkImages(engine, images);
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`streamFeatures: batchSize must be a positive integer, got ${batchSize}`);
  const it = images.batches(batchSize)[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next(); // decode (native threads) overlaps the engine run below
      next.catch(() => undefined); // surfaced by the await above on the next turn
      const data = await engine.run(r.value);
      yield { ids: r.value.ids, n: r.value.n, shape: engine.outputShape, data };
    }
  } finally {
    await it.return?.();
  }
}

/** All feature maps of `images` ([n, h, w, c] float32, `images.ids` order) in one stack. */
export async function extractFeatureMaps(engine: FrozenEngine, images: ImageSet, opts: StreamOptions = {}): Promise<FeatureMaps> {
  if (engine.outputShape.length !== 3) {
    throw new Error(`extractFeatureMaps: ${engine.backboneId} layer ${engine.layer} outputs [${engine.outputShape}], not a feature map [h, w, c]`);
  }
  const [height, width, channels] = engine.outputShape;
  const size = height * width * channels;
  const data = new Float32Array(images.ids.length * size);
  let n = 0;
  for await (const b of streamFeatures(engine, images, opts)) {
    data.set(b.data, n * size);
    n += b.n;
  }
  if (n !== images.ids.length) throw new Error(`extractFeatureMaps: got ${n} maps for ${images.ids.length} images`);
  return { n, height, width, channels, data };
}
