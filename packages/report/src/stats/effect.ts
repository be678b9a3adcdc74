/** Effect sizes for paired comparisons: how large, not only whether. */
import { mean, sd } from './descriptive.js';
import { tQuantile } from './distributions.js';
import type { Interval } from './types.js';
import { checkLevel, checkMinLength, pairedDifferences } from './validate.js';

export interface PairedEffectSize {
  /** Mean of x - y with its t-based confidence interval (as R's t.test(paired = TRUE)). */
  meanDifference: Interval;
  /** Cohen's d_z = mean(d) / sd(d): the standardised mean of the paired differences. */
  cohensDz: number;
  n: number;
}

/**
 * Mean difference with a Student-t interval and Cohen's d_z for paired scores. Zero spread gives a
 * zero-width interval and d_z = ±Infinity (0 when every difference is zero).
 * For cross-validation folds the t interval is too narrow; widen it with the corrected
 * resampled t-test's standard error instead.
 */
export function pairedEffectSize(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  confidenceLevel = 0.95,
): PairedEffectSize {
  const fn = 'pairedEffectSize';
  const d = pairedDifferences(fn, x, y);
  checkMinLength(fn, 'x', d, 2);
  checkLevel(fn, 'confidenceLevel', confidenceLevel);
  const m = mean(d);
  const s = sd(d);
  const half = tQuantile(1 - (1 - confidenceLevel) / 2, d.length - 1) * (s / Math.sqrt(d.length));
  const cohensDz = s > 0 ? m / s : m === 0 ? 0 : m > 0 ? Infinity : -Infinity;
  return { meanDifference: { estimate: m, low: m - half, high: m + half, confidenceLevel }, cohensDz, n: d.length };
}
