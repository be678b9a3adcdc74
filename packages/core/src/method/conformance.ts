import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet, LabelledSet } from '@udtl/datasets';
import { balancedAccuracy } from '../classifiers/selection-metric.js';
import { mulberry32, shuffleInPlace } from '../classifiers/rng.js';
import type { FitContext, FitData, FittedModel, Method, MethodSpec, Probabilities } from './contract.js';
import { syntheticImageProblem } from './memory-images.js';

/** A failed conformance check: `check` names it (one of METHOD_CHECKS). */
export class MethodCheckError extends Error {
  constructor(readonly check: string, message: string) {
    super(`checkMethod [${check}]: ${message}`);
    this.name = 'MethodCheckError';
  }
}

/** The checks checkMethod runs, in order. */
export const METHOD_CHECKS = [
  'probabilities', 'batch-independence', 'chosen-serialisable', 'dispose-frees-tensors',
  'deterministic', 'beats-chance', 'rejects-single-class',
] as const;
export type MethodCheckName = (typeof METHOD_CHECKS)[number];

/** Shape n × classes, finite values in [0, 1], rows summing to 1 (± tol). */
export function checkProbabilities(probs: Probabilities, nRows: number, nClasses: number, tol = 1e-5): void {
  const fail = (m: string): never => { throw new MethodCheckError('probabilities', m); };
  if (!Array.isArray(probs) || probs.length !== nRows) fail(`expected ${nRows} rows, got ${Array.isArray(probs) ? probs.length : typeof probs}`);
  probs.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== nClasses) fail(`row ${i} has ${Array.isArray(row) ? row.length : typeof row} values, expected ${nClasses} (one per class)`);
    let sum = 0;
    row.forEach((p, c) => {
      if (typeof p !== 'number' || !Number.isFinite(p) || p < -tol || p > 1 + tol) fail(`row ${i}, class ${c}: ${p} is not a probability`);
      sum += p;
    });
    if (Math.abs(sum - 1) > tol) fail(`row ${i} sums to ${sum}, not 1 (±${tol})`);
  });
}

/** Same shape and every entry within tol. */
export function checkSameProbabilities(check: MethodCheckName, a: Probabilities, b: Probabilities, tol: number, what: string): void {
  if (a.length !== b.length) throw new MethodCheckError(check, `${what}: ${a.length} vs ${b.length} rows`);
  a.forEach((row, i) =>
    row.forEach((p, c) => {
      const q = b[i]?.[c];
      if (!(Math.abs(p - q) <= tol)) throw new MethodCheckError(check, `${what}: row ${i}, class ${c}: ${p} vs ${q} (tolerance ${tol})`);
    }),
  );
}

/**
 * Predicting the whole set, the set in reverse order, and the set in pieces of 1, 2 and the rest
 * must give the same row per image id.
 */
export async function checkBatchIndependence(model: FittedModel, images: ImageSet, full?: Probabilities, tol = 1e-5): Promise<void> {
  const reference = full ?? (await model.predictProba(images));
  const ids = images.ids;
  const reversed = await model.predictProba(images.subset([...ids].reverse()));
  checkSameProbabilities('batch-independence', [...reversed].reverse(), reference, tol, 'images in reverse order');
  const pieces: Probabilities = [];
  for (const [start, end] of [[0, 1], [1, 3], [3, ids.length]]) {
    if (start >= ids.length) break;
    pieces.push(...(await model.predictProba(images.subset(ids.slice(start, Math.min(end, ids.length))))));
  }
  checkSameProbabilities('batch-independence', pieces, reference, tol, 'images predicted in pieces of 1, 2 and the rest');
}

/** chosen() must be a plain object that survives JSON unchanged (no NaN, undefined, typed arrays…). */
export function checkChosenSerialisable(chosen: unknown): void {
  if (chosen === null || typeof chosen !== 'object' || Object.getPrototypeOf(chosen) !== Object.prototype)
    throw new MethodCheckError('chosen-serialisable', `chosen() must return a plain object, got ${chosen === null ? 'null' : typeof chosen}`);
  const roundTrip = JSON.parse(JSON.stringify(chosen));
  if (!isDeepStrictEqual(roundTrip, chosen))
    throw new MethodCheckError('chosen-serialisable', `chosen() does not survive JSON.stringify/parse unchanged: ${JSON.stringify(chosen)}`);
}

export function checkTensorsFreed(before: number, after: number, when: string): void {
  if (after !== before)
    throw new MethodCheckError('dispose-frees-tensors', `${when}: tf.memory().numTensors went from ${before} to ${after} (${after - before > 0 ? 'leaked' : 'freed'} ${Math.abs(after - before)})`);
}

/** Balanced accuracy of the argmax predictions must exceed chance (1/classes) by `margin`. */
export function checkBeatsChance(probs: Probabilities, labels: ArrayLike<number>, nClasses: number, margin = 0.15): { accuracy: number; balancedAccuracy: number } {
  const predicted = probs.map((row) => row.indexOf(Math.max(...row)));
  const truth = Array.from(labels);
  const accuracy = predicted.filter((p, i) => p === truth[i]).length / truth.length;
  const balanced = balancedAccuracy(truth, predicted);
  if (!(balanced > 1 / nClasses + margin))
    throw new MethodCheckError('beats-chance', `balanced accuracy ${balanced.toFixed(3)} on the fixture is not above chance ${(1 / nClasses).toFixed(3)} + ${margin}`);
  return { accuracy, balancedAccuracy: balanced };
}

/** fit on a labelled set holding one class must reject with an Error (and leak no tensor doing so). */
export async function checkRejectsSingleClass(method: Method, data: FitData, ctx: FitContext): Promise<void> {
  const labels = new Int32Array(data.labelled.labels.length).fill(data.labelled.labels[0]);
  const before = tf.memory().numTensors;
  let model: FittedModel | undefined;
  try {
    model = await method.fit({ ...data, labelled: { ...data.labelled, labels } }, ctx);
  } catch (err) {
    if (!(err instanceof Error)) throw new MethodCheckError('rejects-single-class', `fit threw a non-Error: ${String(err)}`);
    const after = tf.memory().numTensors;
    if (after !== before) throw new MethodCheckError('rejects-single-class', `fit rejected the single-class set but leaked ${after - before} tensors`);
    return;
  }
  model.dispose();
  throw new MethodCheckError('rejects-single-class', 'fit accepted a labelled set with a single class');
}

/** Labelled / unlabelled / test ids of a fixture: per class (seeded), ~40% test, half the rest labelled. */
export function splitFixture(fixture: LabelledSet, seed: number): { data: FitData; test: ImageSet; testLabels: Int32Array } {
  const random = mulberry32(seed);
  const nClasses = fixture.classNames.length;
  const labelled: string[] = [];
  const labelledLabels: number[] = [];
  const unlabelled: string[] = [];
  const test: string[] = [];
  const testLabels: number[] = [];
  for (let c = 0; c < nClasses; c++) {
    const members = fixture.images.ids.filter((_, i) => fixture.labels[i] === c);
    if (members.length < 3) throw new Error(`checkMethod fixture: class '${fixture.classNames[c]}' has ${members.length} images, need ≥ 3`);
    shuffleInPlace(members, random);
    const nTest = Math.max(1, Math.floor(members.length * 0.4));
    const nLabelled = Math.ceil((members.length - nTest) / 2);
    test.push(...members.slice(0, nTest));
    testLabels.push(...members.slice(0, nTest).map(() => c));
    labelled.push(...members.slice(nTest, nTest + nLabelled));
    labelledLabels.push(...members.slice(nTest, nTest + nLabelled).map(() => c));
    unlabelled.push(...members.slice(nTest + nLabelled));
  }
  return {
    data: {
      labelled: { images: fixture.images.subset(labelled), labels: Int32Array.from(labelledLabels), classNames: fixture.classNames },
      unlabelled: fixture.images.subset(unlabelled),
    },
    test: fixture.images.subset(test),
    testLabels: Int32Array.from(testLabels),
  };
}

export interface CheckMethodOptions {
  /** Images to check on (e.g. a real fixture from @udtl/datasets); default: syntheticImageProblem. */
  fixture?: LabelledSet;
  /** Size of the synthetic fixture's images (default 32x32; backbone methods need ≥ 32). */
  height?: number;
  width?: number;
  /** Parameters when checking a MethodSpec (merged over its defaults). */
  params?: Record<string, unknown>;
  seed?: number;
  /** Default: a fresh temporary directory, removed afterwards. */
  cacheDir?: string;
  /** Row-sum and batch-independence tolerance. Default 1e-5. */
  tolerance?: number;
  /** Two fits with the same seed must agree within this. Default 1e-6. */
  determinismTolerance?: number;
  /** Balanced accuracy must exceed 1/classes by this. Default 0.15. */
  chanceMargin?: number;
  /**
   * Fit and dispose once before counting tensors, for methods that keep process-wide caches (e.g.
   * a loaded backbone). Default false: count from before the first fit.
   */
  warmup?: boolean;
  log?: (message: string) => void;
}

export interface MethodCheckReport {
  methodId: string;
  passed: MethodCheckName[];
  nClasses: number;
  nLabelled: number;
  nUnlabelled: number;
  nTest: number;
  accuracy: number;
  balancedAccuracy: number;
  chosen: Record<string, unknown>;
}

/**
 * sklearn's check_estimator for Methods: fits the method twice on a small learnable fixture and
 * runs METHOD_CHECKS in order. Throws a MethodCheckError naming the first failed check; returns a
 * report otherwise. Needs an active tfjs backend (tensor counts come from tf.memory()).
 */
export async function checkMethod(target: MethodSpec | (() => Method), options: CheckMethodOptions = {}): Promise<MethodCheckReport> {
  const factory = typeof target === 'function' ? target : () => target.create(options.params);
  const seed = options.seed ?? 0;
  const tol = options.tolerance ?? 1e-5;
  const fixture = options.fixture ?? syntheticImageProblem({ height: options.height ?? 32, width: options.width ?? 32, seed });
  const nClasses = fixture.classNames.length;
  const { data, test, testLabels } = splitFixture(fixture, seed);
  const ownCacheDir = options.cacheDir === undefined;
  const cacheDir = options.cacheDir ?? (await mkdtemp(join(tmpdir(), 'udtl-check-method-')));
  const ctx: FitContext = { seed, cacheDir, log: options.log };
  const passed: MethodCheckName[] = [];
  const fitOnce = async (): Promise<{ method: Method; model: FittedModel }> => {
    const method = factory();
    return { method, model: await method.fit(data, ctx) };
  };
  try {
    const first = factory();
    if (first.prepare) await first.prepare(fixture.images, ctx);
    if (options.warmup) (await first.fit(data, ctx)).dispose();
    const before = tf.memory().numTensors;

    const { method, model } = { method: first, model: await first.fit(data, ctx) };
    let probs: Probabilities;
    let chosen: Record<string, unknown>;
    try {
      probs = await model.predictProba(test);
      checkProbabilities(probs, test.ids.length, nClasses, tol);
      passed.push('probabilities');
      await checkBatchIndependence(model, test, probs, tol);
      passed.push('batch-independence');
      chosen = model.chosen();
      checkChosenSerialisable(chosen);
      passed.push('chosen-serialisable');
    } finally {
      model.dispose();
    }
    checkTensorsFreed(before, tf.memory().numTensors, 'after fit, predict and dispose');

    const second = await fitOnce();
    let again: Probabilities;
    try {
      again = await second.model.predictProba(test);
    } finally {
      second.model.dispose();
    }
    checkTensorsFreed(before, tf.memory().numTensors, 'after a second fit, predict and dispose');
    passed.push('dispose-frees-tensors');
    checkSameProbabilities('deterministic', again, probs, options.determinismTolerance ?? 1e-6, `two fits with seed ${seed}`);
    passed.push('deterministic');

    const scores = checkBeatsChance(probs, testLabels, nClasses, options.chanceMargin ?? 0.15);
    passed.push('beats-chance');
    await checkRejectsSingleClass(method, data, ctx);
    passed.push('rejects-single-class');
    return {
      methodId: method.id, passed, nClasses,
      nLabelled: data.labelled.images.ids.length, nUnlabelled: data.unlabelled.ids.length, nTest: test.ids.length,
      ...scores, chosen,
    };
  } finally {
    if (ownCacheDir) await rm(cacheDir, { recursive: true, force: true });
  }
}
