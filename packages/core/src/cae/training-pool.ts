/**
 * The CAE's training maps, bounded: at most `caeMaxMaps` images of the fold's pool (a seeded draw
 * when the pool is larger), read from the feature cache batch by batch straight into one stack in
 * id order. The stack is caeMaxMaps × H×W×C whatever the dataset's size.
 */
import type { ImageSet } from '@udtl/datasets';
import { tapMapBatches, type FeatureMaps, type TapMapsOptions, type TapSource } from '@udtl/backbones';
import { rngFor } from './random.js';

/** Rows read from the cache per batch while filling the stack (bounds memory, not results). */
const READ_BATCH = 256;

/** Default cap: above the folds of every bundled dataset (≈ 2,400 training images), so their results are unchanged. */
export const CAE_MAX_MAPS_DEFAULT = 4096;

/** The pool's ids sorted (the order never depends on the budget), capped at `max` by a seeded draw. */
export function caeTrainingIds(poolIds: string[], max: number, seed: number): string[] {
  if (!(Number.isInteger(max) && max >= 1)) throw new Error(`caeMaxMaps must be a whole number ≥ 1, got ${JSON.stringify(max)}`);
  const sorted = [...poolIds].sort();
  if (sorted.length <= max) return sorted;
  const rng = rngFor('cae-training-draw', seed);
  const idx = sorted.map((_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, max)
    .sort((a, b) => a - b)
    .map((i) => sorted[i]);
}

/** Maps of `ids` (each in one of `sets`) in `ids` order, streamed from the cache into one stack. */
export async function caeTrainingMaps(ids: string[], sets: ImageSet[], source: TapSource, opts: TapMapsOptions): Promise<FeatureMaps> {
  const row = new Map(ids.map((id, i) => [id, i]));
  const taken = new Set<string>();
  let out: FeatureMaps | undefined;
  for (const set of sets) {
    const mine = set.ids.filter((id) => row.has(id) && !taken.has(id));
    if (!mine.length) continue;
    mine.sort((a, b) => row.get(a)! - row.get(b)!);
    mine.forEach((id) => taken.add(id));
    let r = 0;
    for await (const b of tapMapBatches(set.subset(mine), source, READ_BATCH, opts)) {
      const size = b.height * b.width * b.channels;
      out ??= { n: ids.length, height: b.height, width: b.width, channels: b.channels, data: new Float32Array(ids.length * size) };
      for (let j = 0; j < b.n; j++) out.data.set(b.data.subarray(j * size, (j + 1) * size), row.get(mine[r + j])! * size);
      r += b.n;
    }
  }
  if (!out || taken.size !== ids.length) {
    const missing = ids.find((id) => !taken.has(id));
    throw new Error(`CAE training maps: image '${missing}' is in none of the fold's image sets`);
  }
  return out;
}
