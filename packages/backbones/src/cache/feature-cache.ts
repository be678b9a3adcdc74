import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, type ImageBatch, type ImageSet } from '@udtl/datasets';
import type { FeatureMaps } from '../backbones/feature-maps.js';
import { featureKeyHash, type FeatureCacheKey } from './key.js';
import { CorruptShardError, encodeShardHead, readShardInfo, readShardRows, verifyShard, type ShardInfo } from './shard-file.js';

export type { FeatureCacheKey } from './key.js';

const PROGRESS_EVERY_MS = 15_000;
/** Most maps per shard, and most bytes (a wide tap gets fewer maps per shard). */
export const SHARD_MAX_MAPS = 2048;
export const SHARD_MAX_BYTES = 128 * 2 ** 20;
/** Largest stack `getMaps` assembles in one array; larger sets are read with `batches`. */
export const ASSEMBLE_MAX_BYTES = 2 ** 31 - 1;

/** Maps of one batch, [n, h, w, c] float32 NHWC, in the batch's id order. */
export type ComputeMaps = (batch: ImageBatch) => Promise<FeatureMaps> | FeatureMaps;

export interface FeatureCacheOptions {
  /** Most maps per shard (default SHARD_MAX_MAPS; tests use small shards). */
  shardMaps?: number;
}

/** Where one image's map lies. */
interface MapLocation {
  shard: ShardInfo;
  row: number;
}

/** What this process knows of one key's directory: the shards' headers, never their data. */
interface KeyIndex {
  shape?: [number, number, number];
  shards: Map<string, ShardInfo>;
  where: Map<string, MapLocation>;
  /** Shards whose checksum this process has verified (once each). */
  verified: Set<string>;
}

/** In-process index shared by every FeatureCache of this worker, by key directory. */
const indexes = new Map<string, KeyIndex>();

/** Maps per shard: at most `max` and SHARD_MAX_BYTES, a multiple of the batch size (so a resumed extraction batches as the first did). */
export function shardCapacity(mapBytes: number, batchSize: number, max = SHARD_MAX_MAPS): number {
  const byBytes = Math.floor(SHARD_MAX_BYTES / Math.max(1, mapBytes));
  const maps = Math.min(max, byBytes);
  return Math.max(batchSize, maps - (maps % batchSize));
}

/**
 * On-disk, content-addressed cache of frozen-backbone feature maps, bounded in memory at any
 * dataset size. One directory per key (dataset, backbone, weights, input size, resize mode, tap,
 * backend) under `<dir>/features/`, holding shard files of at most SHARD_MAX_MAPS maps (and
 * SHARD_MAX_BYTES) addressed by the image's content hash, so any subset of the dataset (a fold)
 * reuses them. Each shard's header is its index (hashes, shape, checksum), read without the data.
 * Extraction streams into shards, each written atomically (temp file + rename) when full, so a
 * killed extraction resumes from its last complete shard; parallel workers only ever add files.
 * Reads come in batches of rows by positional reads. A shard's checksum is verified the first time
 * a process needs it; a corrupt or truncated shard is reported by name, deleted and recomputed.
 */
export class FeatureCache {
  private readonly shardMaps: number;

  constructor(
    readonly dir: string,
    private readonly log?: (message: string) => void,
    opts: FeatureCacheOptions = {},
  ) {
    this.shardMaps = opts.shardMaps ?? SHARD_MAX_MAPS;
    if (!(Number.isInteger(this.shardMaps) && this.shardMaps >= 1)) throw new Error(`feature cache: shardMaps must be a positive integer, got ${opts.shardMaps}`);
  }

  keyDir(key: FeatureCacheKey): string {
    return join(this.dir, 'features', featureKeyHash(key));
  }

  /** Forget every in-process index (the files stay): tests, or a "new worker". */
  static clearMemo(): void {
    indexes.clear();
  }

  /** Make sure every map of `images` is on disk: verify the shards that hold them, compute the missing ones (in batches of `batchSize`) into new shards. */
  async ensure(key: FeatureCacheKey, images: ImageSet, compute: ComputeMaps, batchSize = 32): Promise<void> {
    const dir = this.keyDir(key);
    const idx = await this.refresh(dir, key);
    const toVerify = new Set<ShardInfo>();
    for (const h of images.hashes) {
      const loc = idx.where.get(h);
      if (loc && !idx.verified.has(loc.shard.file)) toVerify.add(loc.shard);
    }
    for (const shard of toVerify) {
      try {
        await verifyShard(shard);
        idx.verified.add(shard.file);
      } catch (err) {
        if (!(err instanceof CorruptShardError)) throw err;
        await this.discard(idx, shard, err);
      }
    }
    const missing = new Map<string, string>(); // hash → one id with that content
    images.hashes.forEach((h, i) => {
      if (!idx.where.has(h) && !missing.has(h)) missing.set(h, images.ids[i]);
    });
    if (missing.size > 0) await this.computeShards(dir, key, idx, images.subset([...missing.values()]), compute, batchSize);
  }

  /** Maps of `images` in `images.ids` order, `batchSize` rows at a time (call `ensure` first). Only one batch is held. */
  async *batches(key: FeatureCacheKey, images: ImageSet, batchSize: number): AsyncGenerator<FeatureMaps> {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`feature cache: batchSize must be a positive integer, got ${batchSize}`);
    const idx = indexes.get(this.keyDir(key));
    const [h, w, c] = idx?.shape ?? [0, 0, 0];
    const size = h * w * c;
    const handles = new Map<string, FileHandle>();
    try {
      for (let i = 0; i < images.ids.length; i += batchSize) {
        const m = Math.min(batchSize, images.ids.length - i);
        const data = new Float32Array(m * size);
        for (let r = 0; r < m; ) {
          const loc = this.locate(idx, images, i + r);
          // Coalesce rows that lie next to each other in one shard into one read.
          let run = 1;
          while (r + run < m) {
            const next = idx!.where.get(images.hashes[i + r + run]);
            if (next?.shard !== loc.shard || next.row !== loc.row + run) break;
            run++;
          }
          let fd = handles.get(loc.shard.file);
          if (!fd) {
            fd = await open(loc.shard.file, 'r');
            handles.set(loc.shard.file, fd);
          }
          await readShardRows(fd, loc.shard, loc.row, run, data.subarray(r * size, (r + run) * size));
          r += run;
        }
        yield { n: m, height: h, width: w, channels: c, data };
      }
    } finally {
      for (const fd of handles.values()) await fd.close();
    }
  }

  /**
   * Maps of `images` in `images.ids` order as one stack (ensure, then read). For sets that fit one
   * array; a larger set is an error that says to read it in batches.
   */
  async getMaps(key: FeatureCacheKey, images: ImageSet, compute: ComputeMaps, batchSize = 32): Promise<FeatureMaps> {
    await this.ensure(key, images, compute, batchSize);
    const [h, w, c] = indexes.get(this.keyDir(key))?.shape ?? [0, 0, 0];
    const n = images.ids.length;
    const size = h * w * c;
    if (n * size * 4 > ASSEMBLE_MAX_BYTES) {
      throw new Error(
        `feature cache: ${n} maps of ${h}x${w}x${c} are ${((n * size * 4) / 2 ** 30).toFixed(2)} GiB, more than one stack may hold ` +
          `(${(ASSEMBLE_MAX_BYTES / 2 ** 30).toFixed(0)} GiB); read them in batches (tapMapBatches / FeatureCache.batches)`,
      );
    }
    const data = new Float32Array(n * size);
    let o = 0;
    for await (const part of this.batches(key, images, 256)) {
      data.set(part.data, o);
      o += part.data.length;
    }
    return { n, height: h, width: w, channels: c, data };
  }

  private locate(idx: KeyIndex | undefined, images: ImageSet, i: number): MapLocation {
    const loc = idx?.where.get(images.hashes[i]);
    if (!loc) throw new Error(`feature cache: no map for image ${images.ids[i]} (hash ${images.hashes[i]}); call ensure() first`);
    return loc;
  }

  /** Add the headers of shard files this process has not seen (other workers may have written some). */
  private async refresh(dir: string, key: FeatureCacheKey): Promise<KeyIndex> {
    let idx = indexes.get(dir);
    if (!idx) {
      idx = { shards: new Map(), where: new Map(), verified: new Set() };
      indexes.set(dir, idx);
    }
    let files: string[] = [];
    try {
      files = (await readdir(dir)).filter((f) => f.startsWith('seg-') && f.endsWith('.bin')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const f of files) {
      const file = join(dir, f);
      if (idx.shards.has(file)) continue;
      try {
        this.add(idx, await readShardInfo(file, key));
      } catch (err) {
        if (!(err instanceof CorruptShardError)) throw err;
        this.log?.(`${err.message}; deleting it, its maps will be recomputed`);
        await rm(file, { force: true });
      }
    }
    return idx;
  }

  private add(idx: KeyIndex, shard: ShardInfo): void {
    const shape = shard.header.shape;
    if (idx.shape && idx.shape.join('x') !== shape.join('x')) {
      throw new Error(`feature cache: maps of shape ${shape.join('x')} in ${shard.file} mixed with ${idx.shape.join('x')} under one key`);
    }
    idx.shape = shape;
    idx.shards.set(shard.file, shard);
    shard.header.hashes.forEach((h, row) => {
      if (!idx.where.has(h)) idx.where.set(h, { shard, row });
    });
  }

  private async discard(idx: KeyIndex, shard: ShardInfo, err: Error): Promise<void> {
    this.log?.(`${err.message}; deleting it, its maps will be recomputed`);
    await rm(shard.file, { force: true });
    idx.shards.delete(shard.file);
    for (const h of shard.header.hashes) {
      if (idx.where.get(h)?.shard !== shard) continue;
      idx.where.delete(h);
      // Another shard may hold the same content.
      for (const other of idx.shards.values()) {
        const row = other.header.hashes.indexOf(h);
        if (row >= 0) {
          idx.where.set(h, { shard: other, row });
          break;
        }
      }
    }
  }

  /** Extract `images` batch by batch into shards; a full shard is written before the next is started. */
  private async computeShards(dir: string, key: FeatureCacheKey, idx: KeyIndex, images: ImageSet, compute: ComputeMaps, batchSize: number): Promise<void> {
    let shape: [number, number, number] | undefined;
    let buf: Float32Array | undefined;
    let capacity = 0;
    let rows = 0; // maps in the current shard
    let done = 0;
    const total = images.ids.length;
    const started = Date.now();
    let lastReport = started;
    const flush = async () => {
      if (!shape || rows === 0) return;
      const hashes = images.hashes.slice(done - rows, done);
      await this.writeShard(dir, key, idx, shape, hashes, buf!.subarray(0, rows * shape[0] * shape[1] * shape[2]), images.ids.slice(done - rows, done));
      rows = 0;
    };
    for await (const batch of images.batches(batchSize)) {
      const maps = await compute(batch);
      if (maps.n !== batch.n || maps.data.length !== maps.n * maps.height * maps.width * maps.channels) {
        throw new Error(`feature cache: compute returned ${maps.n} maps (${maps.data.length} values) for a batch of ${batch.n} images`);
      }
      const s: [number, number, number] = [maps.height, maps.width, maps.channels];
      if (shape && shape.join('x') !== s.join('x')) throw new Error(`feature cache: compute returned maps of shape ${s.join('x')} after ${shape.join('x')}`);
      if (idx.shape && idx.shape.join('x') !== s.join('x')) throw new Error(`feature cache: compute returned maps of shape ${s.join('x')} but the cache holds ${idx.shape.join('x')}`);
      const size = s[0] * s[1] * s[2];
      if (!shape) {
        shape = s;
        capacity = shardCapacity(size * 4, batchSize, this.shardMaps);
        buf = new Float32Array(capacity * size);
      }
      if (rows + maps.n > capacity) await flush();
      buf!.set(maps.data, rows * size);
      rows += maps.n;
      done += maps.n;
      if (rows >= capacity) await flush();
      // Long extractions (thousands of images on a cold cache) say how far they are, every 15 s.
      const now = Date.now();
      if (this.log && now - lastReport >= PROGRESS_EVERY_MS && done < total) {
        lastReport = now;
        const rate = done / ((now - started) / 1000);
        this.log(`feature cache: ${done}/${total} maps of ${key.datasetId} (${key.tap}), ${rate.toFixed(0)} images/s, ETA ${Math.ceil((total - done) / rate)}s`);
      }
    }
    await flush();
    if (done !== total) throw new Error(`feature cache: got ${done} maps for ${total} images`);
    if (shape) this.log?.(`feature cache: computed and stored ${done} maps (${shape.join('x')}) of ${key.datasetId} in ${dir}`);
  }

  private async writeShard(dir: string, key: FeatureCacheKey, idx: KeyIndex, shape: [number, number, number], hashes: string[], data: Float32Array, ids: string[]): Promise<void> {
    const size = shape[0] * shape[1] * shape[2];
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new Error(`feature cache: backbone produced a non-finite value for image ${ids[Math.floor(i / size)]}`);
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const dataSha256 = sha256(bytes);
    const head = encodeShardHead(key, shape, hashes, dataSha256);
    const name = `seg-${sha256(hashes.join('\n')).slice(0, 20)}.bin`;
    const file = join(dir, name);
    // Atomic: written under a temporary name (not `seg-*.bin`, so never read half-written), then renamed.
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      const fd = await open(tmp, 'w');
      try {
        await fd.write(head);
        await fd.write(bytes);
      } finally {
        await fd.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    const shard: ShardInfo = { file, header: { version: 1, key, shape, hashes, dataSha256 }, dataStart: head.length, mapBytes: size * 4 };
    this.add(idx, shard);
    idx.verified.add(file);
  }
}
