/** Confidence intervals: seeded percentile bootstrap and Wilson score intervals for accuracies. */
import { mean, quantileSorted } from './descriptive.js';
import { normalQuantile } from './distributions.js';
import { mulberry32 } from './random.js';
import type { Interval } from './types.js';
import { checkCount, checkLevel } from './validate.js';

export interface BootstrapOptions {
  /** Number of resamples (default 9999, as scipy.stats.bootstrap). */
  nResamples?: number;
  /** Default 0.95. */
  confidenceLevel?: number;
  /** Seed of the resampling stream (default 0): same seed, same interval. */
  seed?: number;
}

export interface BootstrapInterval extends Interval {
  /** Standard deviation of the bootstrap distribution. */
  standardError: number;
  nResamples: number;
}

/**
 * Percentile bootstrap interval of `statistic` over `samples` (resampled with replacement; samples
 * may be objects, e.g. {score, label} pairs, to bootstrap a paired statistic or an AUC). Bounds are
 * type-7 quantiles of the bootstrap distribution at (1 ± level) / 2; estimate = statistic(samples).
 * Resamples where the statistic is not finite (e.g. an AUC with one class) are an error.
 */
export function bootstrapCI<T>(
  samples: readonly T[],
  statistic: (resample: T[]) => number,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const fn = 'bootstrapCI';
  const nResamples = options.nResamples ?? 9999;
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  const seed = options.seed ?? 0;
  if (!Array.isArray(samples) || samples.length < 2) {
    throw new Error(`${fn}: samples has ${Array.isArray(samples) ? samples.length : 'no'} value(s); at least 2 are needed`);
  }
  if (!Number.isInteger(nResamples) || nResamples < 1) throw new Error(`${fn}: nResamples must be a positive integer, got ${nResamples}`);
  checkLevel(fn, 'confidenceLevel', confidenceLevel);
  const estimate = statistic([...samples]);
  if (!Number.isFinite(estimate)) throw new Error(`${fn}: statistic of the original samples is ${estimate}`);

  const rng = mulberry32(seed);
  const n = samples.length;
  const draws = new Float64Array(nResamples);
  const resample = new Array<T>(n);
  for (let r = 0; r < nResamples; r++) {
    for (let i = 0; i < n; i++) resample[i] = samples[Math.floor(rng() * n)];
    const value = statistic(resample);
    if (!Number.isFinite(value)) throw new Error(`${fn}: statistic of resample ${r} is ${value}`);
    draws[r] = value;
  }
  draws.sort();
  const tail = (1 - confidenceLevel) / 2;
  const m = mean(draws);
  const standardError = Math.sqrt(draws.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, nResamples - 1));
  return {
    estimate,
    low: quantileSorted(draws, tail),
    high: quantileSorted(draws, 1 - tail),
    confidenceLevel,
    standardError,
    nResamples,
  };
}

/**
 * Wilson score interval for a proportion (e.g. accuracy = correct / total), without continuity
 * correction — R's prop.test(correct = FALSE) interval and statsmodels' method='wilson'. Unlike the
 * Wald interval it stays inside [0, 1] and behaves at 0 or n successes.
 */
export function wilsonInterval(successes: number, trials: number, confidenceLevel = 0.95): Interval {
  const fn = 'wilsonInterval';
  checkCount(fn, 'successes', successes);
  checkCount(fn, 'trials', trials);
  if (trials === 0) throw new Error(`${fn}: trials is 0; a proportion needs at least one trial`);
  if (successes > trials) throw new Error(`${fn}: successes (${successes}) exceed trials (${trials})`);
  checkLevel(fn, 'confidenceLevel', confidenceLevel);
  const z = normalQuantile(1 - (1 - confidenceLevel) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  return {
    estimate: p,
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
    confidenceLevel,
  };
}
