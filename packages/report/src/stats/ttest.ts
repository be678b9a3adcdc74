/** Paired t-tests on per-fold or per-dataset scores. */
import { mean, variance } from './descriptive.js';
import { tPValue } from './distributions.js';
import { ALTERNATIVES, type Alternative, type TestResult } from './types.js';
import { checkFinite, checkMinLength, checkOneOf, pairedDifferences } from './validate.js';

export interface TTestResult extends TestResult {
  df: number;
  /** Mean of the differences x - y. */
  meanDifference: number;
  /** Standard error used in the denominator (after any correction). */
  standardError: number;
  n: number;
}

export interface TTestOptions {
  alternative?: Alternative;
}

/**
 * t statistic from a mean and a variance of the mean. Zero variance: all differences zero gives
 * statistic 0 and p = 1 (scipy returns NaN: the data hold no evidence of a difference); a constant
 * non-zero difference gives ±Infinity and p = 0 for the matching direction, as scipy does.
 */
function tFromMoments(fn: string, d: number[], varianceFactor: number, alternative: Alternative): TTestResult {
  checkOneOf(fn, 'alternative', alternative, ALTERNATIVES);
  const n = d.length;
  const m = mean(d);
  const se = Math.sqrt(varianceFactor * variance(d));
  const df = n - 1;
  let statistic: number;
  if (se > 0) statistic = m / se;
  else statistic = m === 0 ? 0 : m > 0 ? Infinity : -Infinity;
  const pValue = statistic === 0 && se === 0 ? 1 : tPValue(statistic, df, alternative);
  return { statistic, pValue, df, meanDifference: m, standardError: se, n };
}

/**
 * Student's paired t-test of x - y (scipy `ttest_rel`, R `t.test(paired = TRUE)`).
 * Assumes independent pairs: across cross-validation folds prefer {@link correctedResampledTTest}.
 */
export function pairedTTest(x: ArrayLike<number>, y: ArrayLike<number>, options: TTestOptions = {}): TTestResult {
  const d = pairedDifferences('pairedTTest', x, y);
  checkMinLength('pairedTTest', 'x', d, 2);
  return tFromMoments('pairedTTest', d, 1 / d.length, options.alternative ?? 'two-sided');
}

export interface CorrectedTTestOptions extends TTestOptions {
  /**
   * n2 / n1: test-set size over training-set size of each split, e.g. 1 / (k - 1) for k-fold
   * cross-validation (0.25 for 5-fold, 1/9 for 10-fold).
   */
  testTrainRatio: number;
}

/**
 * Nadeau & Bengio's corrected resampled t-test (Machine Learning 52, 2003), the default for
 * comparing two methods on one dataset from J = k folds × r repeats of cross-validation. Training
 * sets overlap, so the naive variance s²/J is replaced by (1/J + n2/n1)·s²; df = J - 1
 * (Bouckaert & Frank 2004 for repeated k-fold).
 * @param differences score of method A minus score of method B, one value per fold (all repeats).
 */
export function correctedResampledTTest(
  differences: ArrayLike<number>,
  options: CorrectedTTestOptions,
): TTestResult {
  const fn = 'correctedResampledTTest';
  const ratio = options?.testTrainRatio;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 0) {
    throw new Error(`${fn}: testTrainRatio (test size / training size) must be a finite number >= 0, got ${ratio}`);
  }
  checkFinite(fn, 'differences', differences);
  checkMinLength(fn, 'differences', differences, 2);
  const d = Array.from(differences);
  return tFromMoments(fn, d, 1 / d.length + ratio, options.alternative ?? 'two-sided');
}
