/** McNemar's test on the paired predictions of two classifiers on one test set. */
import { binomialCdf, chiSquareSf } from './distributions.js';
import type { TestResult } from './types.js';
import { checkCount } from './validate.js';

export interface McNemarCounts {
  /** Test cases method A got right and method B got wrong. */
  b: number;
  /** Test cases method A got wrong and method B got right. */
  c: number;
}

export interface McNemarOptions {
  /** Exact binomial test on the discordant pairs (default true: valid for any b + c). */
  exact?: boolean;
  /** Continuity correction of the chi-square version (default true, as R's mcnemar.test). */
  correction?: boolean;
}

export interface McNemarResult extends TestResult {
  /** min(b, c) for the exact test (as statsmodels), the chi-square statistic otherwise. */
  statistic: number;
  /** 1 for the chi-square version, undefined for the exact test. */
  df?: number;
  exact: boolean;
  b: number;
  c: number;
}

/**
 * McNemar's test of equal error rates. The default is the exact two-sided binomial test
 * (p = min(1, 2·P(X <= min(b, c))), X ~ Bin(b + c, 1/2)), as statsmodels' default; with
 * `exact: false` it is the chi-square test ((|b - c| - 1)² / (b + c) with the default continuity
 * correction, df = 1), as R's mcnemar.test. No discordant pairs gives p = 1.
 */
export function mcnemar(counts: McNemarCounts, options: McNemarOptions = {}): McNemarResult {
  const { b, c } = counts ?? ({} as McNemarCounts);
  checkCount('mcnemar', 'b', b);
  checkCount('mcnemar', 'c', c);
  const exact = options.exact ?? true;
  const correction = options.correction ?? true;
  const n = b + c;
  if (exact) {
    const k = Math.min(b, c);
    const pValue = n === 0 ? 1 : Math.min(1, 2 * binomialCdf(k, n, 0.5));
    return { statistic: k, pValue, exact, b, c };
  }
  if (n === 0) return { statistic: 0, pValue: 1, df: 1, exact, b, c };
  // R skips the correction when b = c (statistic 0); statsmodels would give 1 / (b + c).
  const diff = correction ? Math.max(0, Math.abs(b - c) - 1) : Math.abs(b - c);
  const statistic = (diff * diff) / n;
  return { statistic, pValue: chiSquareSf(statistic, 1), df: 1, exact, b, c };
}

/**
 * Discordant counts from per-case predictions: b = A right & B wrong, c = A wrong & B right.
 * Labels may be numbers or strings; the three arrays must have the same length.
 */
export function mcnemarCounts<L extends string | number>(
  truth: readonly L[],
  predictionsA: readonly L[],
  predictionsB: readonly L[],
): McNemarCounts {
  if (truth.length !== predictionsA.length || truth.length !== predictionsB.length) {
    throw new Error(
      `mcnemarCounts: lengths differ: truth ${truth.length}, predictionsA ${predictionsA.length}, predictionsB ${predictionsB.length}`,
    );
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < truth.length; i++) {
    const aRight = predictionsA[i] === truth[i];
    const bRight = predictionsB[i] === truth[i];
    if (aRight && !bRight) b++;
    else if (!aRight && bRight) c++;
  }
  return { b, c };
}
