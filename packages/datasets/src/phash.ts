/**
 * Perceptual hash (DCT pHash, as Zauner 2010 and Python's `imagehash.phash`): the image as a 32x32
 * greyscale thumbnail, its 2-D DCT-II, the 8x8 lowest frequencies compared with their median → 64
 * bits. Re-encoding, resizing and small crops move few bits; different images differ in about
 * half of them. Hashes are cached per dataset in the cache folder, keyed by image content.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile, sha256 } from './fsutil.js';
import { cacheDir as defaultCacheDir } from './paths.js';
import type { ImageSet } from './types.js';

/** Thumbnail side the DCT runs on, and the side of the low-frequency block kept. */
export const PHASH_THUMB = 32;
export const PHASH_BLOCK = 8;
/**
 * Two images are near-duplicates when their 64-bit hashes differ in at most this many bits; sets
 * are joined transitively (single linkage: a chain of copies stays in one fold). Distances are even
 * (each hash has 32 bits set, the median split). 6 catches re-encoding (JPEG q40: ≤ 2 bits on brain
 * MRI and BUSI), halving (≤ 4) and 2-px crops (≤ 6) of the 512 px brain MRI and 256 px BUSI images;
 * 4 would miss such crops. Larger crops, and 2-px crops of COVID-CT's small images (up to 14), are
 * not reliably caught. Adjacent MRI slices of one patient also fall within 6, which for fold
 * leakage is the right call. BreastMNIST's 28 px images group like BUSI's (143 sets of ≤ 4), but
 * RetinaMNIST's 28 px fundus photographs all hash alike, so it turns grouping off
 * (`DatasetInfo.perceptualHashOff`). Measured: bench/phash.bench.ts.
 */
export const PHASH_THRESHOLD = 6;
/** Bumped whenever the hash of a given image would change (cache files carry it). */
export const PHASH_VERSION = 'dct32-8-v1';

/** Unnormalised 1-D DCT-II (scipy.fft.dct type 2, norm=None): y[k] = 2 Σ x[n] cos(πk(2n+1)/2N). */
function dct1d(input: Float64Array, out: Float64Array, cos: Float64Array, n: number, keep: number): void {
  for (let k = 0; k < keep; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += input[i] * cos[k * n + i];
    out[k] = 2 * sum;
  }
}

const COS = (() => {
  const n = PHASH_THUMB;
  const table = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) table[k * n + i] = Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  return table;
})();

/** The `keep` x `keep` lowest-frequency coefficients of the 2-D DCT-II of a square n x n image (row-major). */
export function dct2dLow(pixels: ArrayLike<number>, n: number, keep: number): Float64Array {
  if (pixels.length !== n * n) throw new Error(`dct2dLow: expected ${n * n} pixels for ${n}x${n}, got ${pixels.length}`);
  const cos = n === PHASH_THUMB ? COS : Float64Array.from({ length: n * n }, (_, j) => Math.cos((Math.PI * Math.floor(j / n) * (2 * (j % n) + 1)) / (2 * n)));
  // Rows first (only `keep` output columns are needed), then columns of that n x keep result.
  const rows = new Float64Array(n * keep);
  const row = new Float64Array(n), out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) row[c] = pixels[r * n + c];
    dct1d(row, out, cos, n, keep);
    for (let c = 0; c < keep; c++) rows[r * keep + c] = out[c];
  }
  const result = new Float64Array(keep * keep);
  const col = new Float64Array(n);
  for (let c = 0; c < keep; c++) {
    for (let r = 0; r < n; r++) col[r] = rows[r * keep + c];
    dct1d(col, out, cos, n, keep);
    for (let r = 0; r < keep; r++) result[r * keep + c] = out[r];
  }
  return result;
}

/** 64-bit pHash of a 32x32 greyscale thumbnail, as 16 hex digits (bit set: coefficient > median). */
export function phashOfThumbnail(grey: ArrayLike<number>): string {
  const low = dct2dLow(grey, PHASH_THUMB, PHASH_BLOCK);
  const sorted = Float64Array.from(low).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let hex = '';
  for (let nibble = 0; nibble < 16; nibble++) {
    let v = 0;
    for (let b = 0; b < 4; b++) v = (v << 1) | (low[nibble * 4 + b] > median ? 1 : 0);
    hex += v.toString(16);
  }
  return hex;
}

/** ITU-R BT.601 luma of interleaved RGB, as libvips' greyscale conversion uses. */
export function rgbToGrey(rgb: Uint8Array, pixels: number): Float64Array {
  const grey = new Float64Array(pixels);
  for (let i = 0; i < pixels; i++) grey[i] = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
  return grey;
}

const POP4 = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Number of differing bits of two hex hashes of equal length. */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) throw new Error(`hammingDistance: hashes of different lengths ('${a}', '${b}')`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POP4[parseInt(a[i], 16) ^ parseInt(b[i], 16)];
  return d;
}

/** A hash as two 32-bit words, for the all-pairs scan. */
export function hashWords(hex: string): [number, number] {
  return [parseInt(hex.slice(0, 8), 16) >>> 0, parseInt(hex.slice(8, 16), 16) >>> 0];
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export interface PerceptualHashOptions {
  /** Cache root (default `cacheDir()`); hashes are kept in `<cache>/phash/`. */
  cacheDir?: string;
  /** Name used in the cache file (the dataset id). */
  name: string;
  batchSize?: number;
}

/**
 * pHash of every image of `images` (decoded at 32x32 by the set's own decoder, so file datasets
 * and .npz arrays hash alike), keyed by image content hash. Cached in one JSON file per set of
 * contents; an image already hashed under the same version is not decoded again.
 */
export async function perceptualHashes(images: ImageSet, options: PerceptualHashOptions): Promise<{ byHash: Map<string, string>; fromCache: number; computed: number }> {
  if (images.height !== PHASH_THUMB || images.width !== PHASH_THUMB || images.resizeMode !== 'resize') {
    throw new Error(`perceptualHashes: pass the images at ${PHASH_THUMB}x${PHASH_THUMB} 'resize' (got ${images.height}x${images.width} '${images.resizeMode}')`);
  }
  const key = sha256([PHASH_VERSION, ...[...new Set(images.hashes)].sort()].join('\n')).slice(0, 16);
  const safeName = options.name.replace(/[^A-Za-z0-9._-]/g, '-');
  const file = join(options.cacheDir ?? defaultCacheDir(), 'phash', `${safeName}-${key}.json`);
  const byHash = new Map<string, string>();
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as { version?: string; hashes?: Record<string, string> };
    if (cached.version === PHASH_VERSION && cached.hashes) {
      for (const [content, hex] of Object.entries(cached.hashes)) if (/^[0-9a-f]{16}$/.test(hex)) byHash.set(content, hex);
    }
  } catch {
    // No cache yet, or an unreadable one: recompute.
  }
  const idOf = new Map(images.ids.map((id, i) => [images.hashes[i], id]));
  const contentOf = new Map(images.ids.map((id, i) => [id, images.hashes[i]]));
  const missing = [...idOf.entries()].filter(([content]) => !byHash.has(content)).map(([, id]) => id);
  const fromCache = idOf.size - missing.length;
  if (missing.length) {
    for await (const batch of images.subset(missing).batches(options.batchSize ?? 64)) {
      const size = PHASH_THUMB * PHASH_THUMB;
      for (let i = 0; i < batch.n; i++) {
        const grey = rgbToGrey(batch.data.subarray(i * size * 3, (i + 1) * size * 3), size);
        byHash.set(contentOf.get(batch.ids[i])!, phashOfThumbnail(grey));
      }
    }
    const hashes = Object.fromEntries([...idOf.keys()].sort().map((content) => [content, byHash.get(content)!]));
    await atomicWriteFile(file, JSON.stringify({ version: PHASH_VERSION, hashes }));
  }
  return { byHash, fromCache, computed: missing.length };
}
