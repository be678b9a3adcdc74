import type { TargetSize } from './decode.js';
import type { ImageBatch, ImageSet, ResizeMode } from './types.js';

/** Produces one image as uint8 RGB (target.height x target.width x 3). */
export type DecodeOne = (id: string, target: TargetSize) => Promise<Uint8Array>;

export interface ImageSetSource {
  datasetId: string;
  datasetHash: string;
  /** Sample hash per known id; ids outside it are rejected. */
  hashOf: ReadonlyMap<string, string>;
  decode: DecodeOne;
  /** Images decoded at the same time (sharp runs them on libuv threads). */
  concurrency: number;
}

/**
 * An ImageSet that decodes lazily, one batch at a time, while the next batch is already being
 * decoded (so decoding overlaps with whatever the consumer does). Only one or two batches of uint8
 * pixels exist at any time.
 */
export class LazyImageSet implements ImageSet {
  readonly datasetId: string;
  readonly datasetHash: string;
  readonly hashes: string[];
  readonly height: number;
  readonly width: number;
  readonly resizeMode: ResizeMode;

  constructor(
    private readonly source: ImageSetSource,
    readonly ids: string[],
    target: TargetSize,
  ) {
    this.datasetId = source.datasetId;
    this.datasetHash = source.datasetHash;
    this.height = target.height;
    this.width = target.width;
    this.resizeMode = target.mode;
    if (!(Number.isInteger(target.height) && target.height > 0 && Number.isInteger(target.width) && target.width > 0)) {
      throw new Error(`image size must be positive integers, got ${target.height}x${target.width}`);
    }
    this.hashes = ids.map((id) => {
      const hash = source.hashOf.get(id);
      if (hash === undefined) throw new Error(`dataset '${source.datasetId}' has no image with id '${id}'`);
      return hash;
    });
  }

  private get target(): TargetSize {
    return { height: this.height, width: this.width, mode: this.resizeMode };
  }

  subset(ids: string[]): ImageSet {
    return new LazyImageSet(this.source, [...ids], this.target);
  }

  async *batches(batchSize: number): AsyncIterable<ImageBatch> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
    const starts: number[] = [];
    for (let s = 0; s < this.ids.length; s += batchSize) starts.push(s);
    let next = starts.length > 0 ? this.decodeBatch(starts[0], batchSize) : undefined;
    for (let b = 0; b < starts.length; b++) {
      const current = next!;
      next = b + 1 < starts.length ? this.decodeBatch(starts[b + 1], batchSize) : undefined;
      // A failed look-ahead must not become an unhandled rejection if the consumer stops early.
      next?.catch(() => undefined);
      yield await current;
    }
  }

  private async decodeBatch(start: number, batchSize: number): Promise<ImageBatch> {
    const ids = this.ids.slice(start, start + batchSize);
    const size = this.height * this.width * 3;
    const data = new Uint8Array(ids.length * size);
    const target = this.target;
    await forEachLimit(ids, this.source.concurrency, async (id, i) => {
      const pixels = await this.source.decode(id, target);
      if (pixels.length !== size) throw new Error(`decoded ${id} has ${pixels.length} bytes, expected ${size}`);
      data.set(pixels, i * size);
    });
    return { ids, data, n: ids.length, height: this.height, width: this.width, channels: 3 };
  }
}

/** Run `fn` over `items` with at most `limit` calls in flight; rejects on the first error. */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      const i = nextIndex++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
