/**
 * Weights in the TensorFlow.js format: `model.json` with a `weightsManifest` (groups of named
 * weights stored in shard files). Read from a local directory, or downloaded from a URL into a
 * cache directory (verified against the manifest, written under a temp name then renamed).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { sha256 } from '@udtl/datasets';

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype?: 'float32' | 'int32' | 'bool';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}
export interface ManifestGroup { paths: string[]; weights: WeightEntry[] }

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

export function parseManifest(text: string, source: string): ManifestGroup[] {
  let json: { weightsManifest?: unknown };
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const groups = json.weightsManifest;
  if (!Array.isArray(groups) || groups.some((g) => !Array.isArray(g?.paths) || !Array.isArray(g?.weights))) {
    throw new Error(`${source}: no valid weightsManifest (expected [{paths: [...], weights: [...]}, ...])`);
  }
  return groups as ManifestGroup[];
}

/** Bytes a group's shards must hold in total. */
export function groupByteLength(group: ManifestGroup): number {
  return group.weights.reduce((sum, w) => {
    const dtype = w.quantization?.dtype ?? w.dtype ?? 'float32';
    const width = BYTES[dtype];
    if (width === undefined) throw new Error(`weight ${w.name}: unsupported dtype ${dtype}`);
    return sum + w.shape.reduce((a, b) => a * b, 1) * width;
  }, 0);
}

export interface TfjsWeights {
  tensors: tf.NamedTensorMap;
  /** sha256 over model.json and every shard, in manifest order. */
  hash: string;
}

/** Read model.json's manifest and its shards from `dir`; shard sizes are checked against the manifest. */
export async function readTfjsWeights(dir: string): Promise<TfjsWeights> {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath)) throw new Error(`tfjs weights: ${jsonPath} not found`);
  const jsonBytes = await readFile(jsonPath);
  const groups = parseManifest(jsonBytes.toString('utf8'), jsonPath);
  const hashes = [sha256(jsonBytes)];
  const tensors: tf.NamedTensorMap = {};
  try {
    for (const group of groups) {
      const shards: Buffer[] = [];
      for (const p of group.paths) {
        const shardPath = join(dir, p);
        if (!existsSync(shardPath)) throw new Error(`tfjs weights: shard ${shardPath} listed in ${jsonPath} not found`);
        shards.push(await readFile(shardPath));
      }
      const data = Buffer.concat(shards);
      hashes.push(sha256(data));
      const expected = groupByteLength(group);
      if (data.byteLength !== expected) {
        throw new Error(`tfjs weights: shards ${group.paths.map((p) => join(dir, p)).join(', ')} hold ${data.byteLength} bytes, the manifest needs ${expected} for ${group.weights.map((w) => w.name).join(', ')}`);
      }
      const ab = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
      Object.assign(tensors, tf.io.decodeWeights(ab, group.weights as tf.io.WeightsManifestEntry[]));
    }
  } catch (err) {
    tf.dispose(Object.values(tensors));
    throw err;
  }
  return { tensors, hash: sha256(hashes.join('\n')) };
}

/**
 * Download model.json and its shards from `url` into `dir` (atomically: all or nothing). Each group
 * must have exactly the byte count its manifest declares. Returns `dir`.
 */
export async function downloadTfjsWeights(url: string, dir: string, fetchFn: typeof fetch = fetch): Promise<string> {
  const get = async (u: string): Promise<Uint8Array> => {
    const res = await fetchFn(u);
    if (!res.ok) throw new Error(`download ${u} failed: HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const jsonBytes = await get(url);
  const groups = parseManifest(new TextDecoder().decode(jsonBytes), url);
  const base = url.slice(0, url.lastIndexOf('/') + 1);
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  try {
    for (const group of groups) {
      let total = 0;
      for (const p of group.paths) {
        if (p.includes('..') || p.startsWith('/')) throw new Error(`${url}: refusing shard path ${p}`);
        const bytes = await get(base + p);
        total += bytes.byteLength;
        await writeFile(join(tmp, p), bytes);
      }
      const expected = groupByteLength(group);
      if (total !== expected) throw new Error(`download ${url}: shards ${group.paths.join(', ')} hold ${total} bytes, the manifest needs ${expected}`);
    }
    await writeFile(join(tmp, 'model.json'), jsonBytes);
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return dir;
}
