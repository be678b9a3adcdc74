import { readFile } from 'node:fs/promises';
import { sha256 } from './fsutil.js';
import { parseNpz, type NpyArray } from './npy.js';
import type { Sample } from './types.js';

export const NPZ_SPLITS = ['train', 'val', 'test'] as const;

/** Images of an `.npz` dataset held in memory as uint8, one array per split. */
export interface NpzContent {
  samples: Sample[];
  height: number;
  width: number;
  channels: 1 | 3;
  /** Pixels of sample `id` (a view, no copy). */
  pixelsOf(id: string): Uint8Array;
  /** Number of classes seen (max label + 1). */
  labelCount: number;
}

export interface NpzExpectations {
  /** Number of classes: labels must be < this. */
  classes?: number;
  /** Image side (MedMNIST resolution). */
  size?: number;
  /** Images per split. */
  splits?: Record<string, number>;
}

/**
 * Read a MedMNIST-style `.npz`: `<split>_images` uint8 `(N,H,W)` or `(N,H,W,3)` and
 * `<split>_labels` `(N,1)` or `(N,)` for the splits present among train/val/test. Sample ids are
 * `<split>/<index>`; hashes are sha256 of each image's pixels. Every structural check failure is an
 * error naming the file and the array.
 */
export async function readNpzDataset(path: string, expect: NpzExpectations = {}): Promise<NpzContent> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new Error(`dataset file ${path} is missing or unreadable`);
  }
  const arrays = parseNpz(bytes, path);
  const present = NPZ_SPLITS.filter((s) => arrays.has(`${s}_images`) || arrays.has(`${s}_labels`));
  const required = expect.splits ? Object.keys(expect.splits) : present;
  if (required.length === 0) {
    throw new Error(`${path}: expected arrays train_images/train_labels (and val_/test_), found ${[...arrays.keys()].join(', ') || 'none'}`);
  }
  let dims: [number, number, number] | undefined;
  const samples: Sample[] = [];
  const pixels = new Map<string, NpyArray>();
  let maxLabel = -1;
  for (const split of required) {
    const images = arrays.get(`${split}_images`);
    const labels = arrays.get(`${split}_labels`);
    if (!images || !labels) {
      throw new Error(`${path}: missing array ${!images ? `${split}_images` : `${split}_labels`} (found ${[...arrays.keys()].join(', ')})`);
    }
    const [n, h, w, c = 1] = images.shape;
    if (!(images.shape.length === 3 || (images.shape.length === 4 && c === 3))) {
      throw new Error(`${path}: ${split}_images has shape (${images.shape.join(',')}); expected (N,H,W) or (N,H,W,3)`);
    }
    if (dims && (dims[0] !== h || dims[1] !== w || dims[2] !== c)) {
      throw new Error(`${path}: ${split}_images is ${h}x${w}x${c} but other splits are ${dims.join('x')}`);
    }
    dims = [h, w, c];
    if (expect.size !== undefined && (h !== expect.size || w !== expect.size)) {
      throw new Error(`${path}: images are ${h}x${w}, expected ${expect.size}x${expect.size}`);
    }
    const labelShapeOk = (labels.shape.length === 1 || (labels.shape.length === 2 && labels.shape[1] === 1)) && labels.shape[0] === n;
    if (!labelShapeOk) {
      const hint = labels.shape.length === 2 && labels.shape[1] > 1 ? ' (multi-label datasets are not supported: a sample has one label)' : '';
      throw new Error(`${path}: ${split}_labels has shape (${labels.shape.join(',')}); expected (${n},) or (${n},1)${hint}`);
    }
    const expectedN = expect.splits?.[split];
    if (expectedN !== undefined && expectedN !== n) throw new Error(`${path}: ${split} has ${n} images, expected ${expectedN}`);
    const size = h * w * c;
    for (let i = 0; i < n; i++) {
      const label = labels.data[i];
      if (expect.classes !== undefined && label >= expect.classes) {
        throw new Error(`${path}: ${split}_labels[${i}] = ${label}, but the dataset has ${expect.classes} classes`);
      }
      maxLabel = Math.max(maxLabel, label);
      samples.push({ id: `${split}/${i}`, hash: sha256(images.data.subarray(i * size, (i + 1) * size)), label, split });
    }
    pixels.set(split, images);
  }
  if (!dims || samples.length === 0) throw new Error(`${path}: holds no images`);
  const [height, width, channels] = dims;
  const size = height * width * channels;
  return {
    samples,
    height,
    width,
    channels: channels as 1 | 3,
    labelCount: maxLabel + 1,
    pixelsOf(id: string) {
      const slash = id.indexOf('/');
      const array = pixels.get(id.slice(0, slash));
      const i = Number(id.slice(slash + 1));
      if (!array || !Number.isInteger(i) || i < 0 || i >= array.shape[0]) throw new Error(`${path}: no image '${id}'`);
      return array.data.subarray(i * size, (i + 1) * size);
    },
  };
}
