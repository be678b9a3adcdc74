import { dealIntoFolds, indicesByClass, rngFor, shuffleClasses, takeFromClasses } from '@udtl/datasets';
import { encodeLabels } from './labels.js';
import { assertMatrix, selectRows, type Matrix } from './matrix.js';
import { createClassifier, type ClassifierOptions } from './registry.js';
import { DEFAULT_SELECTION_METRIC, checkSelectionMetric, selectionScore, type SelectionMetric } from './selection-metric.js';

export interface SelectCOptions {
  /** Values of C to try, e.g. [0.01, 0.1, 1, 10]. */
  candidates: number[];
  /** Inner folds; lowered to the smallest class count when a class has fewer samples. Default 3. */
  folds?: number;
  seed?: number;
  /** The classifier to tune (C is overridden). Default {kind: 'logistic', standardize: true}. */
  classifier?: Omit<ClassifierOptions, 'C'>;
  /** C used when some class has < 2 samples (no inner CV possible). Default: the middle candidate. */
  fallback?: number;
  /**
   * Run the inner CV on a seeded, stratified subsample of at most this many samples (default 600;
   * `Infinity` = all). Selection cost then stops growing with the label budget — with all labels of
   * a 3,000-image dataset a full inner CV was 2–3 minutes per fit on 2 cores — while the final
   * model is still fit on every sample by the caller.
   */
  maxSamples?: number;
  /** What the candidates are scored on (the experiment's primary metric). Default balanced accuracy. */
  metric?: SelectionMetric;
}

export interface SelectCResult {
  C: number;
  /** The selection metric of the pooled out-of-fold predictions per candidate (empty without CV). */
  scores: { C: number; score: number }[];
  /** Folds actually used; 0 when the fallback was taken. */
  folds: number;
  /** Samples the inner CV used (≤ maxSamples). */
  samples: number;
}

/**
 * Chooses C by stratified k-fold cross-validation inside the given (training) data, scoring the
 * pooled out-of-fold class probabilities with `metric` (default balanced accuracy). Ties go to the smaller C (stronger
 * regularisation). Deterministic for a seed: folds come from a seeded shuffle per class.
 */
export function selectC(Xall: Matrix, yall: ArrayLike<number>, options: SelectCOptions): SelectCResult {
  const { candidates } = options;
  const maxSamples = options.maxSamples ?? 600;
  const metric = checkSelectionMetric(options.metric ?? DEFAULT_SELECTION_METRIC);
  if (!(maxSamples >= 2)) throw new Error(`selectC: maxSamples must be ≥ 2, got ${maxSamples}`);
  assertMatrix(Xall);
  const keep = Xall.rows > maxSamples ? stratifiedSubsample(encodeLabels(yall, Xall.rows).encoded, maxSamples, rngFor('inner-cv-subsample', options.seed ?? 0)) : null;
  const X = keep ? selectRows(Xall, keep) : Xall;
  const y = keep ? keep.map((i) => yall[i]) : yall;
  if (!candidates?.length) throw new Error('selectC: candidates must list at least one C');
  for (const C of candidates) if (!(Number.isFinite(C) && C > 0)) throw new Error(`selectC: candidate C = ${C} is not a positive number`);
  assertMatrix(X);
  const { classes, encoded } = encodeLabels(y, X.rows);
  const classifier = options.classifier ?? { kind: 'logistic', standardize: true };
  const counts = new Int32Array(classes.length);
  for (const e of encoded) counts[e]++;
  const k = Math.min(options.folds ?? 3, ...counts);
  if (k < 2) {
    const sorted = [...candidates].sort((a, b) => a - b);
    return { C: options.fallback ?? sorted[Math.floor((sorted.length - 1) / 2)], scores: [], folds: 0, samples: X.rows };
  }
  const random = rngFor('inner-cv-folds', options.seed ?? 0);
  const foldOf = dealIntoFolds(shuffleClasses(indicesByClass(encoded), () => random), k);
  const fold = Array.from(encoded, (_, i) => foldOf.get(i)!);
  // Out-of-fold probabilities, columns in `classes` order (every inner training fold has every class: k ≤ its count).
  const oof = candidates.map(() => ({ rows: X.rows, cols: classes.length, data: new Float64Array(X.rows * classes.length) }));
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    fold.forEach((g, i) => (g === f ? testIdx : trainIdx).push(i));
    const Xtrain = selectRows(X, trainIdx);
    const ytrain = trainIdx.map((i) => y[i]);
    const Xtest = selectRows(X, testIdx);
    candidates.forEach((C, c) => {
      const model = createClassifier({ ...classifier, C }).fit(Xtrain, ytrain);
      const p = model.predictProba(Xtest);
      const column = Array.from(model.classes!, (label) => classes.indexOf(label));
      testIdx.forEach((i, r) => column.forEach((to, from) => (oof[c].data[i * classes.length + to] = p.data[r * p.cols + from])));
    });
  }
  const scores = candidates.map((C, c) => ({ C, score: selectionScore(metric, y, oof[c], classes) }));
  let best = scores[0];
  for (const s of scores) if (better(s.score, best.score) || (s.score === best.score && s.C < best.C)) best = s;
  return { C: best.C, scores, folds: k, samples: X.rows };
}

/** `a` beats `b`; a NaN score (e.g. AUC with one class) never wins. */
export function better(a: number, b: number): boolean {
  return a > b || (Number.isNaN(b) && !Number.isNaN(a));
}

/**
 * Indices of a seeded subsample of `size` rows with each class's share kept (at least 2 per class
 * when it has them); `random` is consumed class after class (codes ascending).
 */
export function stratifiedSubsample(encoded: Int32Array, size: number, random: () => number): number[] {
  const classes = shuffleClasses(indicesByClass(encoded), () => random);
  const share = (_c: number, n: number) => Math.max(Math.min(2, n), Math.round((n * size) / encoded.length));
  return takeFromClasses(classes, share).taken.sort((a, b) => a - b);
}
