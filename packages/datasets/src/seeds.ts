/**
 * The project's seeded randomness: one generator (mulberry32) and one derivation of every seeded
 * stream from the run's seed, by name (`seedFor('outer-folds', seed, repeat, label)`).
 */
import { createHash } from 'node:crypto';

/** mulberry32: a tiny seeded 32-bit PRNG; returns floats in [0, 1). Same stream on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** sha256 of `seed/part/part…`, first 4 bytes little-endian. */
function sha256Seed(seed: number, ...parts: (string | number)[]): number {
  return createHash('sha256').update([seed, ...parts].join('/')).digest().readUInt32LE(0);
}

/** A 32-bit integer mix of the seed and a path of integers (murmur3-style finaliser per step). */
function mixSeed(seed: number, ...path: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of path) {
    h = Math.imul(h ^ (p + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/**
 * Every seeded stream, by name, with the indices it is drawn per. Each entry is the derivation the
 * stream had before streams were named, kept exactly so that folds, draws and initialisations stay
 * the same: the fold-level streams hash `seed/tag/indices` with sha256; the model-level ones mix
 * integers, and the integer tags (3, 5, 7, 101, 211, 0xcae) are the ones those call sites used.
 */
const STREAMS = {
  /** Shuffle of one class before it is dealt into the outer CV folds: (repeat, class label). */
  'outer-folds': (seed: number, repeat: number, label: number) => sha256Seed(seed, 'kfold', repeat, label),
  /** Order of equal-sized groups in grouped k-fold: (repeat). */
  'grouped-folds': (seed: number, repeat: number) => sha256Seed(seed, 'group-kfold', repeat),
  /** Which training images of a class are labelled: (repeat, fold, class label, draw). Draw 0 is the draw a run without draws makes. */
  'label-budget': (seed: number, repeat: number, fold: number, label: number, draw: number) =>
    draw === 0 ? sha256Seed(seed, 'budget', repeat, fold, label) : sha256Seed(seed, 'budget', repeat, fold, label, 'draw', draw),
  /** Inner CV (model selection): the subsample it runs on, and its folds. */
  'inner-cv-subsample': (seed: number) => (seed ^ 0x5eed) >>> 0,
  'inner-cv-folds': (seed: number) => seed >>> 0,
  /** Linear SVM's dual coordinate order for one one-vs-rest row. */
  'svm-row': (seed: number, row: number) => (seed + row) >>> 0,
  /** CAE layer l: its initial weights, and the patches of each epoch. */
  'cae-init': (seed: number, layer: number) => mixSeed(mixSeed(seed, layer), 0),
  'cae-patches': (seed: number, layer: number, epoch: number) => mixSeed(seed, layer, epoch + 1),
  /** The images the CAE trains on when the pool holds more than caeMaxMaps. */
  'cae-training-draw': (seed: number) => mixSeed(seed, 0xcae),
  /** fine-tuned: held-out split, the selection subsample, the head's initial weights, batch order, dropout per step. */
  'fine-tuned-holdout': (seed: number) => mixSeed(seed, 101),
  'fine-tuned-subsample': (seed: number) => (mixSeed(seed, 211) ^ 0x5eed) >>> 0,
  'fine-tuned-head': (seed: number) => mixSeed(seed, 7),
  'fine-tuned-batches': (seed: number) => mixSeed(seed, 3),
  'fine-tuned-dropout': (seed: number, step: number) => mixSeed(seed, 5, step),
  /** random-backbone: weight k of layer l. */
  'random-backbone-weights': (seed: number, layer: number, weight: number) => mixSeed(seed, layer, weight),
} as const;

export type SeedStream = keyof typeof STREAMS;
type Indices<S extends SeedStream> = (typeof STREAMS)[S] extends (seed: number, ...rest: infer R) => number ? R : never;

export const SEED_STREAMS = Object.keys(STREAMS) as SeedStream[];

/** The 32-bit seed of one named stream (e.g. repeat 2, class 1 of the outer folds) derived from the run's seed. */
export function seedFor<S extends SeedStream>(stream: S, seed: number, ...indices: Indices<S>): number {
  const derive = STREAMS[stream] as (seed: number, ...rest: number[]) => number;
  if (!derive) throw new Error(`unknown seed stream '${String(stream)}'; known: ${SEED_STREAMS.join(', ')}`);
  if (!Number.isInteger(seed)) throw new Error(`seedFor('${stream}'): seed must be an integer, got ${seed}`);
  return derive(seed, ...(indices as number[]));
}

/** A generator for one named stream: `mulberry32(seedFor(stream, seed, …))`. */
export function rngFor<S extends SeedStream>(stream: S, seed: number, ...indices: Indices<S>): () => number {
  return mulberry32(seedFor(stream, seed, ...indices));
}
