/**
 * The metric hyper-parameters are selected on (the experiment's `primaryMetric`), computed from
 * true labels and predicted class probabilities. Same definitions as scikit-learn's
 * accuracy_score, balanced_accuracy_score, f1_score(average='macro') and
 * roc_auc_score(multi_class='ovr', average='macro'); the report computes the test metrics itself.
 */
import type { Matrix } from './matrix.js';

export const SELECTION_METRICS = ['balanced_accuracy', 'accuracy', 'macro_f1', 'auc'] as const;
export type SelectionMetric = (typeof SELECTION_METRICS)[number];

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
  for (let i = 0; i < proba.rows; i++) {
    let best = 0;
    for (let c = 1; c < proba.cols; c++) if (proba.data[i * proba.cols + c] > proba.data[i * proba.cols + best]) best = c;
    out[i] = classes[best];
  }
  return out;
}

export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) hit++;
  return hit / truth.length;
}

/** Mean per-class recall over the classes present in `truth` (sklearn's balanced_accuracy_score). */
export function balancedAccuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (truth.length !== predicted.length) throw new Error(`balancedAccuracy: ${truth.length} labels vs ${predicted.length} predictions`);
  const total = new Map<number, number>();
  const hit = new Map<number, number>();
  for (let i = 0; i < truth.length; i++) {
    total.set(truth[i], (total.get(truth[i]) ?? 0) + 1);
    if (truth[i] === predicted[i]) hit.set(truth[i], (hit.get(truth[i]) ?? 0) + 1);
  }
  if (total.size === 0) throw new Error('balancedAccuracy: no samples');
  let sum = 0;
  for (const [label, n] of total) sum += (hit.get(label) ?? 0) / n;
  return sum / total.size;
}

/** Unweighted mean F1 over the labels in truth ∪ predicted (sklearn's default label set; 0 where undefined). */
export function macroF1(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const labels = new Set<number>();
  for (let i = 0; i < truth.length; i++) labels.add(truth[i]).add(predicted[i]);
  let sum = 0;
  for (const c of labels) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / labels.size;
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
    const auc = binaryAuc(score, positive);
    if (Number.isFinite(auc)) {
      sum += auc;
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/** Mann–Whitney AUC with mid-ranks for ties; NaN without positives or negatives. */
export function binaryAuc(score: ArrayLike<number>, positive: boolean[]): number {
  const order = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && score[order[j + 1]] === score[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (positive[order[k]]) {
      rankSum += midRank;
      nPos++;
    }
    i = j + 1;
  }
  const nNeg = score.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
