/**
 * The classification metrics a job records (results.csv) and a method selects its
 * hyper-parameters on (core's `selectionScore`): one implementation for both.
 * Conventions follow scikit-learn: balanced accuracy = mean per-class recall over classes present
 * in `truth`; macro-F1 averages F1 over all classes that occur in truth or predictions (a class without a
 * true positive scores 0), summed in that order: the labels of `truth` first, then new ones of `pred`;
 * AUC is one-vs-rest, macro-averaged over classes present in `truth` (binary: AUC of class 1).
 */

/** Metrics in [0, 1] a run can make primary (config `primaryMetric`): selected on, tested by the verdict. */
export const PRIMARY_METRICS = ['balanced_accuracy', 'accuracy', 'macro_f1', 'auc'] as const;
export type PrimaryMetric = (typeof PRIMARY_METRICS)[number];

export interface ClassificationMetrics {
  accuracy: number;
  balanced_accuracy: number;
  macro_f1: number;
  /** NaN only when fewer than two classes occur in `truth` (AUC undefined). */
  auc: number;
}

/** Index of the largest probability (the first one on ties). */
export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/** `argmax` of each row. */
export function argmaxRows(proba: number[][]): number[] {
  return proba.map(argmax);
}

function check(truth: ArrayLike<number>, n: number, what: string): void {
  if (truth.length !== n) throw new Error(`metrics: ${what} has ${n} rows but there are ${truth.length} true labels`);
  if (n === 0) throw new Error('metrics: no samples');
}

export function accuracy(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  check(truth, pred.length, 'pred');
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) ok++;
  return ok / truth.length;
}

export function balancedAccuracy(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  check(truth, pred.length, 'pred');
  const total = new Map<number, number>();
  const hit = new Map<number, number>();
  for (let i = 0; i < truth.length; i++) {
    total.set(truth[i], (total.get(truth[i]) ?? 0) + 1);
    if (truth[i] === pred[i]) hit.set(truth[i], (hit.get(truth[i]) ?? 0) + 1);
  }
  let sum = 0;
  for (const [c, t] of total) sum += (hit.get(c) ?? 0) / t;
  return sum / total.size;
}

export function macroF1(truth: ArrayLike<number>, pred: ArrayLike<number>): number {
  check(truth, pred.length, 'pred');
  const classes = new Set<number>([...Array.from(truth), ...Array.from(pred)]);
  let sum = 0;
  for (const c of classes) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (pred[i] === c && truth[i] === c) tp++;
      else if (pred[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes.size;
}

/** Area under the ROC curve of `scores` for `positive` (Mann–Whitney U with average ranks for ties). */
export function binaryAuc(isPositive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]] = avg;
    i = j + 1;
  }
  let nPos = 0, rankSum = 0;
  for (let i = 0; i < n; i++) if (isPositive[i]) { nPos++; rankSum += ranks[i]; }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function aucOvr(truth: ArrayLike<number>, proba: number[][]): number {
  check(truth, proba.length, 'proba');
  const k = proba[0].length;
  const present = [...new Set(Array.from(truth))].sort((a, b) => a - b);
  if (present.length < 2) return NaN;
  const column = (c: number) => proba.map((row) => row[c]);
  if (k === 2) return binaryAuc(Array.from(truth, (t) => t === 1), column(1));
  let sum = 0;
  for (const c of present) sum += binaryAuc(Array.from(truth, (t) => t === c), column(c));
  return sum / present.length;
}

export function classificationMetrics(truth: ArrayLike<number>, proba: number[][]): ClassificationMetrics {
  const pred = argmaxRows(proba);
  return {
    accuracy: accuracy(truth, pred),
    balanced_accuracy: balancedAccuracy(truth, pred),
    macro_f1: macroF1(truth, pred),
    auc: aucOvr(truth, proba),
  };
}
