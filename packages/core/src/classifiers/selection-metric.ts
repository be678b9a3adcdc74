/**
 * The metric hyper-parameters are selected on (the experiment's `primaryMetric`), computed from
 * true labels and predicted class probabilities with the same functions that compute a job's
 * test metrics (`@udtl/results`: scikit-learn's definitions), here over a classifier's matrix.
 */
import { accuracy, argmax, balancedAccuracy, binaryAuc, macroF1, PRIMARY_METRICS, type PrimaryMetric } from '@udtl/results';
import type { Matrix } from './matrix.js';

/** Also the conformance kit's chance check. */
export { balancedAccuracy };

/** The metrics a run can make primary, which are the metrics a method can select on. */
export const SELECTION_METRICS = PRIMARY_METRICS;
export type SelectionMetric = PrimaryMetric;

/** The default primary metric: insensitive to the class prior of a class-balanced label budget. */
export const DEFAULT_SELECTION_METRIC: SelectionMetric = 'balanced_accuracy';

export function checkSelectionMetric(metric: unknown): SelectionMetric {
  if (!(SELECTION_METRICS as readonly unknown[]).includes(metric)) {
    throw new Error(`unknown selection metric ${JSON.stringify(metric)}; known: ${SELECTION_METRICS.join(', ')}`);
  }
  return metric as SelectionMetric;
}

/**
 * Score of predictions under `metric`. `proba` holds one row per sample with one column per entry
 * of `classes` (the classifier's sorted labels); the predicted label is the row's arg-max.
 */
export function selectionScore(metric: SelectionMetric, truth: ArrayLike<number>, proba: Matrix, classes: ArrayLike<number>): number {
  if (proba.rows !== truth.length) throw new Error(`selectionScore: ${truth.length} labels vs ${proba.rows} probability rows`);
  if (proba.cols !== classes.length) throw new Error(`selectionScore: ${proba.cols} probability columns vs ${classes.length} classes`);
  if (truth.length === 0) throw new Error('selectionScore: no samples');
  if (metric === 'auc') return macroOvrAuc(truth, proba, classes);
  const predicted = argmaxLabels(proba, classes);
  if (metric === 'accuracy') return accuracy(truth, predicted);
  if (metric === 'balanced_accuracy') return balancedAccuracy(truth, predicted);
  if (metric === 'macro_f1') return macroF1(truth, predicted);
  throw new Error(`selectionScore: unknown metric '${metric as string}'`);
}

export function argmaxLabels(proba: Matrix, classes: ArrayLike<number>): Int32Array {
  const out = new Int32Array(proba.rows);
  for (let i = 0; i < proba.rows; i++) out[i] = classes[argmax(proba.data.subarray(i * proba.cols, (i + 1) * proba.cols))];
  return out;
}

/**
 * Two classes: the AUC of the second class's probability. More: the mean over classes of the
 * one-vs-rest AUC of that class's column, over classes that occur in `truth` with at least one
 * negative. Ties count one half (Mann–Whitney). NaN when no class qualifies (one class only).
 */
export function macroOvrAuc(truth: ArrayLike<number>, proba: Matrix, classes: ArrayLike<number>): number {
  const columns = classes.length === 2 ? [1] : Array.from({ length: classes.length }, (_, c) => c);
  let sum = 0;
  let n = 0;
  for (const c of columns) {
    const score = Float64Array.from({ length: proba.rows }, (_, i) => proba.data[i * proba.cols + c]);
    const positive = Array.from({ length: truth.length }, (_, i) => truth[i] === classes[c]);
    const auc = binaryAuc(positive, score);
    if (Number.isFinite(auc)) {
      sum += auc;
      n++;
    }
  }
  return n ? sum / n : NaN;
}
