import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile, sha256, type ImageBatch, type ImageSet, type ResizeMode } from '@udtl/datasets';
import type { FeatureMaps } from '../backbones/feature-maps.js';

const PROGRESS_EVERY_MS = 15_000;

/** Everything a backbone feature map depends on besides the image's content. */
export interface FeatureCacheKey {
  datasetId: string;
  datasetHash: string;
  backboneId: string;
  weightsHash: string;
  inputSize: number;
  resizeMode: ResizeMode;
  tap: string;
  /** tfjs backend name: float rounding differs between backends. */
  backend: string;
}

/** Maps of one batch, [n, h, w, c] float32 NHWC, in the batch's id order. */
export type ComputeMaps = (batch: ImageBatch) => Promise<FeatureMaps> | FeatureMaps;

const MAGIC = 'UDTLFM01';
const FORMAT_VERSION = 1;

interface SegmentHeader {
  version: number;
  key: FeatureCacheKey;
  shape: [number, number, number];
  hashes: string[];
  dataSha256: string;
}

/** One key's maps in memory: image content hash → its map (a view into a segment's buffer). */
interface KeyMemo {
  shape?: [number, number, number];
  maps: Map<string, Float32Array>;
  segments: Set<string>;
}

/** In-process memo shared by every FeatureCache of this worker, by key directory. */
const memo = new Map<string, KeyMemo>();

function canonicalKey(key: FeatureCacheKey): string {
  const fields: (keyof FeatureCacheKey)[] = ['datasetId', 'datasetHash', 'backboneId', 'weightsHash', 'inputSize', 'resizeMode', 'tap', 'backend'];
  for (const f of fields) {
    if (key[f] === undefined || key[f] === '') throw new Error(`feature cache key: field '${f}' is missing`);
  }
  return JSON.stringify(fields.map((f) => [f, key[f]]));
}

/** Content address of a key: the directory name under `<cacheDir>/features/`. */
export function featureKeyHash(key: FeatureCacheKey): string {
  return sha256(canonicalKey(key)).slice(0, 24);
}

/** Serialise a segment: magic, u32 header length, JSON header (padded to 4 bytes), float32 data. */
export function encodeSegment(key: FeatureCacheKey, shape: [number, number, number], hashes: string[], data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const header: SegmentHeader = { version: FORMAT_VERSION, key, shape, hashes, dataSha256: sha256(bytes) };
  let json = JSON.stringify(header);
  while ((MAGIC.length + 4 + Buffer.byteLength(json)) % 4 !== 0) json += ' ';
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(MAGIC.length + 4 + head.length + bytes.length);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, head.length, true);
  out.set(head, MAGIC.length + 4);
  out.set(bytes, MAGIC.length + 4 + head.length);
  return out;
}

/** Parse and verify a segment; any inconsistency is an Error naming the file and the problem. */
export function decodeSegment(file: string, buf: Uint8Array, key: FeatureCacheKey): { header: SegmentHeader; data: Float32Array } {
  const fail = (why: string): never => {
    throw new Error(`corrupt feature cache file ${file}: ${why}`);
  };
  if (buf.length < MAGIC.length + 4 || Buffer.from(buf.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC) fail('bad magic');
  const headLen = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(MAGIC.length, true);
  const dataStart = MAGIC.length + 4 + headLen;
  if (dataStart > buf.length) fail(`header of ${headLen} bytes runs past the end (${buf.length} bytes)`);
  let header: SegmentHeader;
  try {
    header = JSON.parse(Buffer.from(buf.subarray(MAGIC.length + 4, dataStart)).toString('utf8')) as SegmentHeader;
  } catch (err) {
    return fail(`unreadable header (${(err as Error).message})`);
  }
  if (header.version !== FORMAT_VERSION) fail(`format version ${header.version}, expected ${FORMAT_VERSION}`);
  if (canonicalKey(header.key) !== canonicalKey(key)) fail('written for a different key');
  const [h, w, c] = header.shape;
  const expected = header.hashes.length * h * w * c * 4;
  if (buf.length - dataStart !== expected) fail(`${buf.length - dataStart} data bytes, expected ${expected} (truncated?)`);
  const bytes = buf.subarray(dataStart);
  if (sha256(bytes) !== header.dataSha256) fail('checksum mismatch');
  // Copy into an aligned buffer of its own (the file buffer's offset need not be 4-aligned).
  const data = new Float32Array(expected / 4);
  new Uint8Array(data.buffer).set(bytes);
  return { header, data };
}

/**
 * On-disk, content-addressed cache of frozen-backbone feature maps. One directory per key
 * (dataset, backbone, weights, input size, resize mode, tap, backend) under `<dir>/features/`,
 * holding segment files of per-image maps addressed by the image's content hash, so any subset of
 * the dataset (a fold) reuses them. Segments are written atomically and never rewritten
 * (parallel workers only ever add files); a corrupt or truncated segment is reported, deleted and
 * its maps recomputed. An in-process memo avoids re-reading files.
 */
export class FeatureCache {
  constructor(
    readonly dir: string,
    private readonly log?: (message: string) => void,
  ) {}

  keyDir(key: FeatureCacheKey): string {
    return join(this.dir, 'features', featureKeyHash(key));
  }

  /** Forget every in-process memo (the files stay): tests, or to free memory. */
  static clearMemo(): void {
    memo.clear();
  }

  /**
   * Maps of `images` in `images.ids` order: from the memo, else the disk, else `compute` (for the
   * missing images only, in batches of `batchSize`), which are then stored as a new segment.
   */
  async getMaps(key: FeatureCacheKey, images: ImageSet, compute: ComputeMaps, batchSize = 32): Promise<FeatureMaps> {
    const dir = this.keyDir(key);
    const m = await this.load(dir, key);
    const missing = new Map<string, string>(); // hash → one id with that content
    images.hashes.forEach((h, i) => {
      if (!m.maps.has(h) && !missing.has(h)) missing.set(h, images.ids[i]);
    });
    if (missing.size > 0) await this.computeMissing(dir, key, m, images.subset([...missing.values()]), compute, batchSize);
    return this.assemble(m, images);
  }

  private async load(dir: string, key: FeatureCacheKey): Promise<KeyMemo> {
    let m = memo.get(dir);
    if (!m) {
      m = { maps: new Map(), segments: new Set() };
      memo.set(dir, m);
    }
    let files: string[] = [];
    try {
      files = (await readdir(dir)).filter((f) => f.startsWith('seg-') && f.endsWith('.bin')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const f of files) {
      if (m.segments.has(f)) continue; // already read by this process
      const file = join(dir, f);
      try {
        const { header, data } = decodeSegment(file, await readFile(file), key);
        this.absorb(m, header.shape, header.hashes, data);
      } catch (err) {
        if (!(err as Error).message.startsWith('corrupt feature cache file')) throw err;
        this.log?.(`${(err as Error).message}; deleting it, its maps will be recomputed`);
        await rm(file, { force: true });
        continue;
      }
      m.segments.add(f);
    }
    return m;
  }

  private absorb(m: KeyMemo, shape: [number, number, number], hashes: string[], data: Float32Array): void {
    if (m.shape && m.shape.join('x') !== shape.join('x')) {
      throw new Error(`feature cache: maps of shape ${shape.join('x')} mixed with ${m.shape.join('x')} under one key`);
    }
    m.shape = shape;
    const size = shape[0] * shape[1] * shape[2];
    hashes.forEach((h, i) => m.maps.set(h, data.subarray(i * size, (i + 1) * size)));
  }

  private async computeMissing(dir: string, key: FeatureCacheKey, m: KeyMemo, images: ImageSet, compute: ComputeMaps, batchSize: number): Promise<void> {
    const parts: Float32Array[] = [];
    let shape: [number, number, number] | undefined;
    let n = 0;
    const started = Date.now();
    let lastReport = started;
    const total = images.ids.length;
    for await (const batch of images.batches(batchSize)) {
      const maps = await compute(batch);
      // Long extractions (thousands of images on a cold cache) say how far they are, every 15 s.
      const now = Date.now();
      if (this.log && now - lastReport >= PROGRESS_EVERY_MS && n + batch.n < total) {
        lastReport = now;
        const rate = (n + batch.n) / ((now - started) / 1000);
        this.log(`feature cache: ${n + batch.n}/${total} maps of ${key.datasetId} (${key.tap}), ${rate.toFixed(0)} images/s, ETA ${Math.ceil((total - n - batch.n) / rate)}s`);
      }
      if (maps.n !== batch.n || maps.data.length !== maps.n * maps.height * maps.width * maps.channels) {
        throw new Error(`feature cache: compute returned ${maps.n} maps (${maps.data.length} values) for a batch of ${batch.n} images`);
      }
      const s: [number, number, number] = [maps.height, maps.width, maps.channels];
      if (shape && shape.join('x') !== s.join('x')) throw new Error(`feature cache: compute returned maps of shape ${s.join('x')} after ${shape.join('x')}`);
      shape = s;
      parts.push(maps.data);
      n += maps.n;
    }
    if (!shape) return;
    if (n !== images.ids.length) throw new Error(`feature cache: got ${n} maps for ${images.ids.length} images`);
    const data = new Float32Array(n * shape[0] * shape[1] * shape[2]);
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.length;
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new Error(`feature cache: backbone produced a non-finite value for image ${images.ids[Math.floor(i / (data.length / n))]}`);
    }
    const name = `seg-${sha256(images.hashes.join('\n')).slice(0, 20)}.bin`;
    await atomicWriteFile(join(dir, name), encodeSegment(key, shape, images.hashes, data));
    this.absorb(m, shape, images.hashes, data);
    m.segments.add(name);
    this.log?.(`feature cache: computed and stored ${n} maps (${shape.join('x')}) in ${join(dir, name)}`);
  }

  private assemble(m: KeyMemo, images: ImageSet): FeatureMaps {
    const n = images.ids.length;
    const [h, w, c] = m.shape ?? [0, 0, 0];
    const size = h * w * c;
    const data = new Float32Array(n * size);
    images.hashes.forEach((hash, i) => {
      const map = m.maps.get(hash);
      if (!map) throw new Error(`feature cache: no map for image ${images.ids[i]} (hash ${hash})`);
      data.set(map, i * size);
    });
    return { n, height: h, width: w, channels: c, data };
  }
}
