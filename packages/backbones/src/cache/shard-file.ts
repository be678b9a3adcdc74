/**
 * One shard file of the feature cache: magic, u32 header length, a JSON header (the shard's index:
 * key, map shape, the content hash of each map's image, sha256 of the data; padded so the data
 * start 4-byte aligned), then the maps as float32 NHWC. The header is read without the data, and a
 * map is read by its row with one positional read.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { sha256 } from '@udtl/datasets';
import type { FeatureCacheKey } from './key.js';
import { canonicalKey } from './key.js';

const MAGIC = 'UDTLFM01';
const FORMAT_VERSION = 1;
const PREFIX = MAGIC.length + 4;
/** Bytes per read when verifying a shard's checksum (bounds memory, not results). */
const VERIFY_CHUNK = 8 * 2 ** 20;

export interface SegmentHeader {
  version: number;
  key: FeatureCacheKey;
  shape: [number, number, number];
  hashes: string[];
  dataSha256: string;
}

/** A shard as the cache's index knows it: its header and where its data start. */
export interface ShardInfo {
  file: string;
  header: SegmentHeader;
  dataStart: number;
  /** Bytes of one map. */
  mapBytes: number;
}

export class CorruptShardError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`corrupt feature cache file ${file}: ${why}`);
    this.name = 'CorruptShardError';
  }
}

function headerBytes(header: SegmentHeader): Buffer {
  let json = JSON.stringify(header);
  while ((PREFIX + Buffer.byteLength(json)) % 4 !== 0) json += ' ';
  return Buffer.from(json, 'utf8');
}

/** The bytes before the data: magic, header length, header. */
export function encodeShardHead(key: FeatureCacheKey, shape: [number, number, number], hashes: string[], dataSha256: string): Uint8Array {
  const head = headerBytes({ version: FORMAT_VERSION, key, shape, hashes, dataSha256 });
  const out = new Uint8Array(PREFIX + head.length);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  new DataView(out.buffer).setUint32(MAGIC.length, head.length, true);
  out.set(head, PREFIX);
  return out;
}

/** Serialise a whole segment (head + data) in one buffer: small segments and tests. */
export function encodeSegment(key: FeatureCacheKey, shape: [number, number, number], hashes: string[], data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const head = encodeShardHead(key, shape, hashes, sha256(bytes));
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}

function checkHeader(file: string, header: SegmentHeader, key: FeatureCacheKey, dataBytes: number): number {
  if (header.version !== FORMAT_VERSION) throw new CorruptShardError(file, `format version ${header.version}, expected ${FORMAT_VERSION}`);
  if (canonicalKey(header.key) !== canonicalKey(key)) throw new CorruptShardError(file, 'written for a different key');
  const [h, w, c] = header.shape;
  const mapBytes = h * w * c * 4;
  const expected = header.hashes.length * mapBytes;
  if (dataBytes !== expected) throw new CorruptShardError(file, `${dataBytes} data bytes, expected ${expected} (truncated?)`);
  return mapBytes;
}

/** Parse and verify a segment held in memory; any inconsistency is a CorruptShardError naming the file. */
export function decodeSegment(file: string, buf: Uint8Array, key: FeatureCacheKey): { header: SegmentHeader; data: Float32Array } {
  if (buf.length < PREFIX || Buffer.from(buf.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC) throw new CorruptShardError(file, 'bad magic');
  const headLen = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(MAGIC.length, true);
  const dataStart = PREFIX + headLen;
  if (dataStart > buf.length) throw new CorruptShardError(file, `header of ${headLen} bytes runs past the end (${buf.length} bytes)`);
  const header = parseHeader(file, buf.subarray(PREFIX, dataStart));
  checkHeader(file, header, key, buf.length - dataStart);
  const bytes = buf.subarray(dataStart);
  if (sha256(bytes) !== header.dataSha256) throw new CorruptShardError(file, 'checksum mismatch');
  // Copy into an aligned buffer of its own (the file buffer's offset need not be 4-aligned).
  const data = new Float32Array(bytes.length / 4);
  new Uint8Array(data.buffer).set(bytes);
  return { header, data };
}

function parseHeader(file: string, bytes: Uint8Array): SegmentHeader {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as SegmentHeader;
  } catch (err) {
    throw new CorruptShardError(file, `unreadable header (${(err as Error).message})`);
  }
}

async function readExactly(fd: FileHandle, buf: Uint8Array, position: number): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fd.read(buf, got, buf.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** The shard's header (its index) and sizes, without reading its data. */
export async function readShardInfo(file: string, key: FeatureCacheKey): Promise<ShardInfo> {
  const fd = await open(file, 'r');
  try {
    const size = (await fd.stat()).size;
    const prefix = new Uint8Array(PREFIX);
    if ((await readExactly(fd, prefix, 0)) < PREFIX || Buffer.from(prefix.subarray(0, MAGIC.length)).toString('latin1') !== MAGIC) {
      throw new CorruptShardError(file, 'bad magic');
    }
    const headLen = new DataView(prefix.buffer).getUint32(MAGIC.length, true);
    const dataStart = PREFIX + headLen;
    if (dataStart > size) throw new CorruptShardError(file, `header of ${headLen} bytes runs past the end (${size} bytes)`);
    const head = new Uint8Array(headLen);
    await readExactly(fd, head, PREFIX);
    const header = parseHeader(file, head);
    const mapBytes = checkHeader(file, header, key, size - dataStart);
    return { file, header, dataStart, mapBytes };
  } finally {
    await fd.close();
  }
}

/** Recompute the shard's data checksum in chunks (never holding the whole shard). */
export async function verifyShard(shard: ShardInfo): Promise<void> {
  const fd = await open(shard.file, 'r');
  try {
    const hash = createHash('sha256');
    const total = shard.header.hashes.length * shard.mapBytes;
    const buf = new Uint8Array(Math.min(VERIFY_CHUNK, Math.max(total, 1)));
    for (let done = 0; done < total; ) {
      const want = Math.min(buf.length, total - done);
      const got = await readExactly(fd, buf.subarray(0, want), shard.dataStart + done);
      if (got < want) throw new CorruptShardError(shard.file, `${done + got} data bytes, expected ${total} (truncated?)`);
      hash.update(buf.subarray(0, want));
      done += want;
    }
    if (hash.digest('hex') !== shard.header.dataSha256) throw new CorruptShardError(shard.file, 'checksum mismatch');
  } finally {
    await fd.close();
  }
}

/** Read `count` consecutive maps of a shard, from row `row`, into `out` (float32, count maps long). */
export async function readShardRows(fd: FileHandle, shard: ShardInfo, row: number, count: number, out: Float32Array): Promise<void> {
  const bytes = new Uint8Array(out.buffer, out.byteOffset, count * shard.mapBytes);
  const got = await readExactly(fd, bytes, shard.dataStart + row * shard.mapBytes);
  if (got < bytes.length) throw new CorruptShardError(shard.file, `rows ${row}…${row + count - 1} run past the end of the file (truncated?)`);
}
