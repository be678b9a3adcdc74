/**
 * fine-tuned's network inputs, bounded in memory: the cut-point maps of an image set (read from
 * the feature cache) or its uint8 pixels (trainBlocks 'all'). A set whose inputs fit the cap is
 * read whole, once; a larger set is read in windows of at most `capRows` rows: the rows a batch
 * needs plus the rows wanted next (in training, the rest of the shuffled pass; in prediction, the
 * following rows), each window replacing the last. The batches, and so the results, are the same
 * either way; only what is held, and the reads, differ.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchToTensor, tapMapBatches, tapMaps, type Backbone, type TapMapsOptions, type TapSource } from '@udtl/core';
import type { ImageSet } from '@udtl/datasets';

/** Network inputs of the rows of one image set that are held. */
export interface Inputs {
  n: number;
  shape: [number, number, number];
  /** Set rows `rows` (held) as a float tensor the trunk accepts, row i mirrored left-right when flip[i] (caller disposes). */
  batch(rows: number[], flip?: boolean[]): tf.Tensor4D;
}

/** Where a set's inputs come from: every row at once (as before the cap), or chosen rows. */
export interface RowReader {
  n: number;
  shape: [number, number, number];
  /** Bytes one held row takes. */
  rowBytes: number;
  whole(): Promise<Inputs>;
  /** Rows `rows` (distinct, ascending) held. */
  rows(rows: number[]): Promise<Inputs>;
}

/** Rows per read from the feature cache while filling a window (bounds memory, not results). */
const READ_BATCH = 256;

/** Copy NHWC row `r` of `src` into row `i` of `dst`, mirrored along the width when `flip`. */
function copyRow<T extends Float32Array | Uint8Array>(src: T, dst: T, r: number, i: number, h: number, w: number, c: number, flip: boolean): void {
  const size = h * w * c;
  if (!flip) {
    dst.set(src.subarray(r * size, (r + 1) * size), i * size);
    return;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = r * size + (y * w + (w - 1 - x)) * c;
      dst.set(src.subarray(from, from + c), i * size + (y * w + x) * c);
    }
  }
}

/** Held rows: `data` stacks them in `held` order (every row of the set in order when `held` is absent). */
function heldInputs<T extends Float32Array | Uint8Array>(
  n: number,
  shape: [number, number, number],
  data: T,
  held: number[] | undefined,
  toTensor: (data: T, m: number) => tf.Tensor4D,
): Inputs {
  const [h, w, c] = shape;
  const slot = held ? new Map(held.map((r, i) => [r, i])) : undefined;
  const at = (r: number): number => {
    const s = slot ? slot.get(r) : r;
    if (s === undefined) throw new Error(`fine-tuned: internal error: row ${r} is not held`);
    return s;
  };
  return {
    n,
    shape,
    batch: (rows, flip) => {
      const out = new (data.constructor as { new (length: number): T })(rows.length * h * w * c); // Float32Array or Uint8Array, as `data`
      rows.forEach((r, i) => copyRow(data, out, at(r), i, h, w, c, flip?.[i] ?? false));
      return toTensor(out, rows.length);
    },
  };
}

/** The cut-point maps of `images` from the feature cache; `shape` is the cut layer's output. */
export function mapReader(images: ImageSet, source: TapSource, shape: [number, number, number], opts: TapMapsOptions): RowReader {
  const [h, w, c] = shape;
  const toTensor = (data: Float32Array, m: number) => tf.tensor4d(data, [m, h, w, c]);
  const n = images.ids.length;
  return {
    n,
    shape,
    rowBytes: h * w * c * 4,
    whole: async () => {
      const maps = await tapMaps(images, source, opts);
      return heldInputs(n, [maps.height, maps.width, maps.channels], maps.data, undefined, toTensor);
    },
    rows: async (rows) => {
      const data = new Float32Array(rows.length * h * w * c);
      let o = 0;
      for await (const b of tapMapBatches(images.subset(rows.map((r) => images.ids[r])), source, READ_BATCH, opts)) {
        if (b.height !== h || b.width !== w || b.channels !== c) throw new Error(`fine-tuned: cached maps of ${b.height}x${b.width}x${b.channels} at '${source.tap}', expected ${shape.join('x')}`);
        data.set(b.data, o);
        o += b.data.length;
      }
      return heldInputs(n, shape, data, rows, toTensor);
    },
  };
}

/** The uint8 pixels of `images`, preprocessed for `backbone` batch by batch. */
export function pixelReader(images: ImageSet, backbone: Backbone, batchSize: number): RowReader {
  const s = images.height;
  const n = images.ids.length;
  const shape: [number, number, number] = [s, s, 3];
  const toTensor = (data: Uint8Array, m: number) => tf.tidy(() => backbone.preprocess(batchToTensor({ ids: [], data, n: m, height: s, width: s, channels: 3 })));
  const read = async (set: ImageSet, m: number) => {
    const pixels = new Uint8Array(m * s * s * 3);
    let o = 0;
    for await (const b of set.batches(batchSize)) {
      pixels.set(b.data, o);
      o += b.data.length;
    }
    return pixels;
  };
  return {
    n,
    shape,
    rowBytes: s * s * 3,
    whole: async () => heldInputs(n, shape, await read(images, n), undefined, toTensor),
    rows: async (rows) => heldInputs(n, shape, await read(images.subset(rows.map((r) => images.ids[r])), rows.length), rows, toTensor),
  };
}

/**
 * The inputs of one image set within a cap of `capRows` rows: the whole set, read once, when it
 * fits; otherwise windows, each read when a batch needs a row the last one does not hold.
 */
export class InputRows {
  private held?: Inputs;
  private heldRows?: Set<number>;
  /** Most rows held at once, and windows read: what tests and chosen() report. */
  maxRowsHeld = 0;
  windowsRead = 0;

  constructor(
    private readonly reader: RowReader,
    readonly capRows: number,
  ) {
    if (!(Number.isInteger(capRows) && capRows >= 0)) throw new Error(`fine-tuned: a window holds a whole number of rows, got ${capRows}`);
  }

  get n(): number {
    return this.reader.n;
  }

  /** Whether the set is read in windows (it does not fit the cap). */
  get windowed(): boolean {
    return this.reader.n > this.capRows;
  }

  /** Inputs holding every row of `need` (at most capRows of them), filled up to capRows with the rows of `next`, in order. */
  async hold(need: number[], next: Iterable<number> = []): Promise<Inputs> {
    if (!this.windowed) {
      if (!this.held) {
        this.held = await this.reader.whole();
        this.windowsRead = 1;
        this.maxRowsHeld = this.reader.n;
      }
      return this.held;
    }
    const want = new Set(need);
    if (want.size > this.capRows) throw new Error(`fine-tuned: a batch of ${want.size} rows does not fit a window of ${this.capRows}`);
    if (this.held && need.every((r) => this.heldRows!.has(r))) return this.held;
    for (const r of next) {
      if (want.size >= this.capRows) break;
      want.add(r);
    }
    this.held = undefined; // let the last window go before the next is read
    this.heldRows = undefined;
    const rows = [...want].sort((a, b) => a - b);
    this.held = await this.reader.rows(rows);
    this.heldRows = want;
    this.windowsRead++;
    this.maxRowsHeld = Math.max(this.maxRowsHeld, rows.length);
    return this.held;
  }
}

/**
 * The training order: passes over `rows`, each reshuffled by `random` when the pending rows run
 * short of a batch (the draws, and so the batches, do not depend on what is held).
 */
export class PassOrder {
  private order: number[] = [];
  private head = 0;

  constructor(
    private readonly rows: number[],
    private readonly batch: number,
    private readonly random: () => number,
  ) {}

  /** The next batch's rows. */
  next(): number[] {
    if (this.order.length - this.head < this.batch) {
      // Passes over the rows, each reshuffled, as long as the run needs.
      const pass = [...this.rows];
      for (let i = pass.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [pass[i], pass[j]] = [pass[j], pass[i]];
      }
      this.order = [...this.order.slice(this.head), ...pass];
      this.head = 0;
    }
    const part = this.order.slice(this.head, this.head + this.batch);
    this.head += this.batch;
    return part;
  }

  /** Rows drawn but not yet batched, in the order they will come. */
  *upcoming(): Generator<number> {
    for (let i = this.head; i < this.order.length; i++) yield this.order[i];
  }
}
