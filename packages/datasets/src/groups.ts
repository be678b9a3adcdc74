/**
 * Groups of images that must stay in one fold: near-duplicates (perceptual hashes within a
 * Hamming threshold, joined transitively) and source groups declared by the dataset (e.g.
 * COVID-CT's source paper, from the file name). A fold split that separates two members of a
 * group lets a model be tested on a copy of a training image.
 */
import { compareIds } from './duplicates.js';
import { hashWords, perceptualHashes, PHASH_THRESHOLD, PHASH_THUMB, popcount32 } from './phash.js';
import type { Dataset } from './dataset.js';
import type { Sample } from './types.js';

/** Whether near-duplicates are grouped into one fold (`group`, the default) or treated as unrelated. */
export type NearDuplicatePolicy = 'group' | 'ignore';

/** Disjoint sets over 0..n-1 (path halving, union by size). */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra] < this.size[rb]) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] += this.size[rb];
  }
}

/** Sets of ≥ 2 ids whose hashes chain within `threshold` bits (each set sorted, sets by first id). */
export function nearDuplicateSets(phashOf: ReadonlyMap<string, string>, threshold = PHASH_THRESHOLD): string[][] {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 64) throw new Error(`near-duplicate threshold must be an integer in 0..64 bits, got ${threshold}`);
  const ids = [...phashOf.keys()].sort(compareIds);
  const hi = new Uint32Array(ids.length), lo = new Uint32Array(ids.length);
  ids.forEach((id, i) => ([hi[i], lo[i]] = hashWords(phashOf.get(id)!)));
  const uf = new UnionFind(ids.length);
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      if (popcount32(hi[i] ^ hi[j]) + popcount32(lo[i] ^ lo[j]) <= threshold) uf.union(i, j);
    }
  }
  return setsOf(ids, (i) => uf.find(i));
}

/**
 * Source groups from sample ids: the first pattern (a regular expression) that matches an id gives
 * its group as capture 1 (or the whole match); ids no pattern matches stay alone.
 */
export function sourceGroupOf(id: string, patterns: readonly RegExp[]): string | undefined {
  for (const p of patterns) {
    const m = p.exec(id);
    if (m) return m[1] ?? m[0];
  }
  return undefined;
}

function setsOf(ids: string[], root: (i: number) => number): string[][] {
  const byRoot = new Map<number, string[]>();
  ids.forEach((id, i) => {
    const r = root(i);
    const list = byRoot.get(r);
    if (list) list.push(id);
    else byRoot.set(r, [id]);
  });
  return [...byRoot.values()].filter((s) => s.length > 1).map((s) => s.sort(compareIds)).sort((a, b) => compareIds(a[0], b[0]));
}

export interface FoldGroups {
  /** Group key per sample id (a group's first id); every sample has one, singletons their own id. */
  groupOf: Map<string, string>;
  /** Groups with more than one member, sorted. */
  groups: string[][];
  nearDuplicateSets: string[][];
  sourceSets: string[][];
  /** Near-duplicate sets whose members carry different labels (kept, reported). */
  conflicting: string[][];
  threshold: number;
  /** The policy applied: `ignore` also when the dataset turns hashing off (`offReason`). */
  policy: NearDuplicatePolicy;
  offReason?: string;
  hashing: { seconds: number; fromCache: number; computed: number };
}

export interface FoldGroupOptions {
  nearDuplicates?: NearDuplicatePolicy;
  threshold?: number;
  cacheDir?: string;
}

/**
 * Groups for grouped k-fold over `samples` (default: the dataset's samples after the duplicate
 * policy): near-duplicate sets (unless `nearDuplicates: 'ignore'`) joined with the dataset's
 * declared source groups.
 */
export async function foldGroups(dataset: Dataset, options: FoldGroupOptions = {}, samples: readonly Sample[] = dataset.samples): Promise<FoldGroups> {
  const asked = options.nearDuplicates ?? 'group';
  if (asked !== 'group' && asked !== 'ignore') throw new Error(`nearDuplicates must be 'group' or 'ignore', got '${asked}'`);
  const offReason = asked === 'group' ? dataset.info.perceptualHashOff : undefined;
  const policy: NearDuplicatePolicy = offReason ? 'ignore' : asked;
  const threshold = options.threshold ?? dataset.info.nearDuplicateThreshold?.bits ?? PHASH_THRESHOLD;
  const ids = samples.map((s) => s.id).sort(compareIds);
  let near: string[][] = [];
  const hashing = { seconds: 0, fromCache: 0, computed: 0 };
  if (policy === 'group') {
    const t0 = performance.now();
    const images = dataset.images(ids, { size: PHASH_THUMB, mode: 'resize' });
    const { byHash, fromCache, computed } = await perceptualHashes(images, { cacheDir: options.cacheDir, name: dataset.info.id });
    const phashOf = new Map(ids.map((id, i) => [id, byHash.get(images.hashes[i])!]));
    near = nearDuplicateSets(phashOf, threshold);
    Object.assign(hashing, { seconds: (performance.now() - t0) / 1000, fromCache, computed });
  }
  const patterns = (dataset.info.sourceGroups?.patterns ?? []).map((p) => new RegExp(p));
  const bySource = new Map<string, string[]>();
  for (const id of ids) {
    const key = sourceGroupOf(id, patterns);
    if (key !== undefined) bySource.set(key, [...(bySource.get(key) ?? []), id]);
  }
  const sourceSets = [...bySource.values()].filter((s) => s.length > 1).sort((a, b) => compareIds(a[0], b[0]));
  const index = new Map(ids.map((id, i) => [id, i]));
  const uf = new UnionFind(ids.length);
  for (const set of [...near, ...sourceSets]) for (const id of set.slice(1)) uf.union(index.get(set[0])!, index.get(id)!);
  const groups = setsOf(ids, (i) => uf.find(i));
  const groupOf = new Map(ids.map((id) => [id, id]));
  for (const g of groups) for (const id of g) groupOf.set(id, g[0]);
  const labelOf = new Map(samples.map((s) => [s.id, s.label]));
  const conflicting = near.filter((set) => new Set(set.map((id) => labelOf.get(id))).size > 1);
  return { groupOf, groups, nearDuplicateSets: near, sourceSets, conflicting, threshold, policy, ...(offReason ? { offReason } : {}), hashing };
}
