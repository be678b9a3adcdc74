/** Descriptive statistics the tests and the report share. */
import * as ss from 'simple-statistics';
import { checkFinite, checkMinLength } from './validate.js';

export function mean(values: ArrayLike<number>): number {
  checkMinLength('mean', 'values', values, 1);
  checkFinite('mean', 'values', values);
  return ss.mean(Array.from(values));
}

/** Sample variance (divisor n - 1), as numpy's `var(ddof=1)` and R's `var`. */
export function variance(values: ArrayLike<number>): number {
  checkMinLength('variance', 'values', values, 2);
  checkFinite('variance', 'values', values);
  return ss.sampleVariance(Array.from(values));
}

/** Sample standard deviation (divisor n - 1), as numpy's `std(ddof=1)` and R's `sd`. */
export function sd(values: ArrayLike<number>): number {
  return Math.sqrt(variance(values));
}

/**
 * Ranks 1..n in ascending order, ties given their average rank (scipy `rankdata(method='average')`).
 * Values that should tie must be exactly equal: round scores (e.g. to 3 decimals) first when they
 * come from floating-point arithmetic.
 */
export function rankData(values: ArrayLike<number>): number[] {
  checkFinite('rankData', 'values', values);
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const average = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let j = start; j < end; j++) ranks[order[j]] = average;
    start = end;
  }
  return ranks;
}

/** Sizes of the groups of tied values (only groups of 2 or more). */
export function tieGroupSizes(values: ArrayLike<number>): number[] {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) counts.set(values[i], (counts.get(values[i]) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1);
}

/**
 * Quantile with linear interpolation between order statistics (Hyndman & Fan type 7), the default
 * of numpy.quantile and R's quantile().
 */
export function quantile(values: ArrayLike<number>, p: number): number {
  checkMinLength('quantile', 'values', values, 1);
  checkFinite('quantile', 'values', values);
  if (!(p >= 0 && p <= 1)) throw new Error(`quantile: p must lie in [0, 1], got ${p}`);
  return quantileSorted(Float64Array.from(values).sort(), p);
}

/** Type-7 quantile of values already sorted ascending (no checks: internal fast path). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  return ss.quantileSorted(sorted as number[], p);
}

/** Round every value to `decimals` places, so that scores equal in print also tie when ranked. */
export function roundTo(values: ArrayLike<number>, decimals: number): number[] {
  const f = 10 ** decimals;
  return Array.from(values, (v) => Math.round(v * f) / f);
}

