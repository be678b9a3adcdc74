/**
 * The memory budget: what one worker needs for a job, estimated from the grid before anything is
 * allocated. With the sharded feature cache nothing holds a whole dataset's maps, so a job needs
 * its pooled features (rows × feature dimension), the CAE's capped training maps (fine-tuned: its
 * inputs, capped by mapsInMemoryMiB), one shard buffer of extraction and the worker's fixed cost
 * (runtime, backend, backbone weights).
 */
import { totalmem } from 'node:os';
import { getBackbone, getMethodSpec, pooledDim, SHARD_MAX_BYTES, type PoolMode } from '@udtl/core';

/** A worker's fixed cost, a conservative allowance: Node, the tfjs backend's heap, onnxruntime and a backbone (the scale bench prints what workers reach). */
export const WORKER_BASE_BYTES = 1.0 * 2 ** 30;
/** Default budget when none is given: this share of the machine's memory. */
export const DEFAULT_BUDGET_SHARE = 0.8;
const GIB = 2 ** 30;

export interface MemoryPart {
  what: string;
  bytes: number;
}

export interface MemoryEstimate {
  bytes: number;
  parts: MemoryPart[];
}

/** Images a job sees: its fold's training images (labelled ∪ unlabelled) and its test images. */
export interface JobSize {
  nTrain: number;
  nTest: number;
}

/** The largest training and test sets over a dataset's folds (official split included): what its biggest job sees. */
export function largestFoldSize(folds: readonly { train: readonly string[]; test: readonly string[] }[]): JobSize {
  return {
    nTrain: Math.max(0, ...folds.map((f) => f.train.length)),
    nTest: Math.max(0, ...folds.map((f) => f.test.length)),
  };
}

/** '8G', '8GiB', '8GB' (all GiB), '512M', '512MiB' (MiB), or a number of GiB → bytes. */
export function parseMemory(value: string | number, what = 'memory budget'): number {
  if (typeof value === 'number') {
    if (!(value > 0 && Number.isFinite(value))) throw new Error(`${what} must be a positive number of GiB, got ${value}`);
    return value * GIB;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT])?(?:i?B)?\s*$/i.exec(value);
  if (!m || !(Number(m[1]) > 0)) throw new Error(`${what} '${value}' is not a size: give e.g. 8G, 8GiB, 512M or a number of GiB`);
  const unit = { K: 2 ** 10, M: 2 ** 20, G: GIB, T: 2 ** 40 }[(m[2] ?? 'G').toUpperCase() as 'K' | 'M' | 'G' | 'T'];
  return Number(m[1]) * unit;
}

export function formatGiB(bytes: number): string {
  return `${(bytes / GIB).toFixed(2)} GiB`;
}

/** The budget in bytes: the given one, else DEFAULT_BUDGET_SHARE of this machine's memory. */
export function memoryBudget(given?: string | number): number {
  return given === undefined ? Math.floor(totalmem() * DEFAULT_BUDGET_SHARE) : parseMemory(given);
}

type Params = Record<string, unknown>;

/** [h, w, c] of the maps a configuration reads, or undefined when it reads none (e.g. a custom method). */
function mapShape(p: Params): [number, number, number] | undefined {
  if (typeof p.pixelSize === 'number') return [p.pixelSize, p.pixelSize, p.colour === 'rgb' ? 3 : 1];
  if (typeof p.backbone !== 'string' || typeof p.tap !== 'string') return undefined;
  let spec;
  try {
    spec = getBackbone(p.backbone);
  } catch {
    return undefined;
  }
  const tap = spec.taps[p.tap];
  if (!tap) return undefined;
  const scale = (typeof p.inputSize === 'number' ? p.inputSize : spec.inputSize) / spec.inputSize;
  return [Math.ceil(tap.shape[0] * scale), Math.ceil(tap.shape[1] * scale), tap.shape[2]];
}

function lastOf(v: unknown): number | undefined {
  const x = Array.isArray(v) ? v.at(-1) : v;
  return typeof x === 'number' ? x : undefined;
}

/**
 * Estimated peak bytes of one job of `methodId` with `params` (merged over its defaults) on
 * `size` images, without the worker's fixed cost. Upper bounds where the exact figure depends on
 * the draw: every training image counts as labelled.
 */
export function estimateJobMemory(methodId: string, params: Params, size: JobSize): MemoryEstimate {
  const p: Params = { ...getMethodSpec(methodId).defaults, ...params };
  if (methodId === 'fine-tuned') return fineTunedMemory(p, size);
  const grid = Array.isArray(p.grid) && p.grid.length ? (p.grid as Params[]) : [{}];
  const parts: MemoryPart[] = [];
  let transient = 0;
  let transientWhat = '';
  let readsMaps = false;
  grid.forEach((over, k) => {
    const c = { ...p, ...over };
    const shape = mapShape(c);
    if (!shape) return;
    readsMaps = true;
    const [h, w, ch] = shape;
    const isCae = typeof c.layers === 'number' && c.filters !== undefined;
    const channels = isCae ? (lastOf(c.filters) ?? ch) : ch;
    const dim = pooledDim(channels, (c.pool as PoolMode) ?? 'avg');
    // The probe holds every configuration's training features, and the classifier a scaled copy.
    parts.push({ what: `config ${k}: ${size.nTrain} × ${dim} pooled features (×2: scaled copy)`, bytes: size.nTrain * dim * 8 * 2 });
    if (isCae) {
      const m = Math.min(size.nTrain, typeof c.caeMaxMaps === 'number' ? c.caeMaxMaps : size.nTrain);
      const first = lastOf(Array.isArray(c.filters) ? c.filters[0] : c.filters) ?? channels;
      const maps = m * h * w * ch * 4;
      // A stacked CAE trains its next layer on the codes of the first (built in parts, then joined).
      const codes = (c.layers as number) > 1 ? 2 * m * h * w * first * 4 : 0;
      if (maps + codes > transient) {
        transient = maps + codes;
        transientWhat = `config ${k}: CAE training on ${m} maps of ${h}×${w}×${ch}${codes ? ` + layer-1 codes ×${first}` : ''}`;
      }
    }
  });
  if (transient) parts.push({ what: transientWhat, bytes: transient });
  if (readsMaps) parts.push({ what: 'one feature-cache shard being written', bytes: SHARD_MAX_BYTES });
  return { bytes: parts.reduce((s, x) => s + x.bytes, 0), parts };
}

/** The layer fine-tuned's trained part starts from, where it is a declared tap (else unknown here: the cap bounds it). */
function fineTunedCutTap(p: Params): string | undefined {
  const blocks = p.trainBlocks;
  if (typeof p.backbone !== 'string') return undefined;
  if (p.backbone.startsWith('mobilenet-v2')) return blocks === 0 ? 'out_relu' : blocks === 1 ? 'block_16_project' : undefined;
  if (p.backbone.startsWith('mobilenet-v1')) return blocks === 0 ? 'conv_pw_13_relu' : undefined;
  return undefined;
}

/**
 * fine-tuned holds at most mapsInMemoryMiB of one image set's inputs (the cut's float32 maps, or
 * uint8 pixels with trainBlocks 'all'); a larger set is read in windows. Counted twice: the
 * labelled set, and the validation or test set.
 */
function fineTunedMemory(p: Params, size: JobSize): MemoryEstimate {
  const cap = (typeof p.mapsInMemoryMiB === 'number' ? p.mapsInMemoryMiB : 1024) * 2 ** 20;
  const fromPixels = p.trainBlocks === 'all';
  const side = typeof p.inputSize === 'number' ? p.inputSize : undefined;
  const tap = fineTunedCutTap(p);
  const shape = fromPixels ? (side ? [side, side, 3] : undefined) : tap ? mapShape({ ...p, tap }) : undefined;
  const rowBytes = shape ? shape[0] * shape[1] * shape[2] * (fromPixels ? 1 : 4) : undefined;
  const held = (set: string, n: number): MemoryPart => {
    const head = `fine-tuning inputs of ${n} ${set} images`;
    if (!shape || !rowBytes) return { what: `${head}: at most mapsInMemoryMiB (${cap / 2 ** 20} MiB)`, bytes: cap };
    const rows = Math.min(n, Math.floor(cap / rowBytes));
    return { what: `${head}: ${rows} ${fromPixels ? 'images' : 'maps'} of ${shape.join('×')}${rows < n ? ' (a window of mapsInMemoryMiB)' : ''}`, bytes: rows * rowBytes };
  };
  const parts = [held('training', size.nTrain), held('test', size.nTest)];
  if (!fromPixels) parts.push({ what: 'one feature-cache shard being written', bytes: SHARD_MAX_BYTES });
  return { bytes: parts.reduce((s, x) => s + x.bytes, 0), parts };
}

/** One worker's memory and the job that sets it. */
export type WorkerMemory = MemoryEstimate & { job?: string };

/** What the largest job of the grid needs, plus the worker's fixed cost: one worker's memory. */
export function estimateWorkerMemory(jobs: { methodId: string; params: Params; size: JobSize }[]): WorkerMemory {
  let worst: WorkerMemory = { bytes: 0, parts: [] };
  for (const j of jobs) {
    const e = estimateJobMemory(j.methodId, j.params, j.size);
    if (e.bytes > worst.bytes) worst = { ...e, job: `${j.methodId} on ${j.size.nTrain} training images` };
  }
  return { ...worst, bytes: worst.bytes + WORKER_BASE_BYTES, parts: [{ what: 'worker (runtime, backend, backbone)', bytes: WORKER_BASE_BYTES }, ...worst.parts] };
}

/** Workers that fit: at most `cores` (or the asked number), at least 1, each within budget / workers. */
export function workersForMemory(wanted: number, budgetBytes: number, perWorkerBytes: number): number {
  return Math.max(1, Math.min(wanted, Math.floor(budgetBytes / perWorkerBytes)));
}

/** The error of a job that cannot fit, thrown before it allocates anything. */
export function checkJobFits(label: string, estimate: MemoryEstimate, budgetBytes: number): void {
  const need = estimate.bytes + WORKER_BASE_BYTES;
  if (need <= budgetBytes) return;
  const parts = [{ what: 'worker (runtime, backend, backbone)', bytes: WORKER_BASE_BYTES }, ...estimate.parts].map((x) => `${x.what} ${formatGiB(x.bytes)}`).join('; ');
  throw new Error(
    `${label} needs an estimated ${formatGiB(need)} but a worker's memory budget is ${formatGiB(budgetBytes)} (${parts}); ` +
      `raise --memory-budget, use fewer --workers, or lower caeMaxMaps (zero-bias-cae) or mapsInMemoryMiB (fine-tuned)`,
  );
}
