/**
 * Wilcoxon signed-rank test following scipy.stats.wilcoxon as of scipy 1.13+ (`_wilcoxon.py`):
 * zero handling, tie-corrected normal approximation, conservative exact p-values with ties, and
 * the 'auto' rule (exact for n <= 50 without ties or zeros; exact sign-flip permutation for
 * n <= 13 with ties or zeros; normal approximation otherwise).
 */
import { rankData, tieGroupSizes } from './descriptive.js';
import { normalPValue } from './distributions.js';
import { ALTERNATIVES, type Alternative, type TestResult } from './types.js';
import { checkFinite, checkMinLength, checkOneOf, pairedDifferences } from './validate.js';

export type ZeroMethod = 'wilcox' | 'pratt' | 'zsplit';
export type WilcoxonMode = 'exact' | 'approx' | 'auto';

export interface WilcoxonOptions {
  /** 'wilcox' drops zero differences (default), 'pratt' ranks them but scores neither side, 'zsplit' splits their ranks. */
  zeroMethod?: ZeroMethod;
  /** Continuity correction of the normal approximation (default false, as scipy). */
  correction?: boolean;
  /** 'auto' (default), 'exact' (null distribution of the rank sum) or 'approx' (normal). */
  mode?: WilcoxonMode;
  alternative?: Alternative;
}

export interface WilcoxonResult extends TestResult {
  /** min(R+, R-) for two-sided tests, R+ for one-sided ones (scipy's convention). */
  statistic: number;
  rPlus: number;
  rMinus: number;
  /** z of the normal approximation (continuity-corrected if asked); NaN when not used. */
  z: number;
  /** How the p-value was computed ('permutation' is what 'auto' picks for small n with ties/zeros). */
  method: 'exact' | 'approx' | 'permutation';
  /** Number of differences that entered the ranking (zeros excluded under 'wilcox'). */
  n: number;
  nZero: number;
}

/** P(R+ = r), r = 0 … n(n+1)/2, for n untied non-zero differences (sign of each rank a fair coin). */
export function wilcoxonNullPmf(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  let pmf = new Float64Array(max + 1);
  pmf[0] = 1;
  for (let rank = 1; rank <= n; rank++) {
    const next = new Float64Array(max + 1);
    const top = (rank * (rank - 1)) / 2; // largest sum reachable with ranks < rank
    for (let s = 0; s <= top; s++) {
      const half = pmf[s] / 2;
      next[s] += half;
      next[s + rank] += half;
    }
    pmf = next;
  }
  return pmf;
}

function sum(values: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i <= Math.min(to, values.length - 1); i++) s += values[i];
  return s;
}

/** Exact p-value from the untied null; a non-integral R+ (ties) is rounded conservatively, as scipy. */
function exactPValue(rPlus: number, n: number, alternative: Alternative): number {
  const pmf = wilcoxonNullPmf(n);
  const max = pmf.length - 1;
  const cdf = (k: number) => sum(pmf, 0, k); // P(R+ <= k)
  const sf = (k: number) => sum(pmf, k, max); // P(R+ >= k)
  if (alternative === 'less') return cdf(Math.ceil(rPlus));
  if (alternative === 'greater') return sf(Math.floor(rPlus));
  return Math.min(1, 2 * Math.min(sf(Math.floor(rPlus)), cdf(Math.ceil(rPlus))));
}

/** Exact sign-flip permutation p-value of R+ given the observed ranks (scipy's permutation_test, all 2^n flips). */
function permutationPValue(rPlus: number, ranks: number[], signs: number[], zsplitShift: number, alternative: Alternative): number {
  // Flipping a zero difference changes nothing: it would double every count alike, so skip it.
  const flippable = ranks.filter((_, i) => signs[i] !== 0);
  const total = 2 ** flippable.length;
  const gamma = Math.abs(rPlus) * 100 * Number.EPSILON; // scipy's tolerance for float ties
  let atMost = 0;
  let atLeast = 0;
  for (let mask = 0; mask < total; mask++) {
    let s = zsplitShift;
    for (let j = 0; j < flippable.length; j++) if (mask & (1 << j)) s += flippable[j];
    if (s <= rPlus + gamma) atMost++;
    if (s >= rPlus - gamma) atLeast++;
  }
  const less = atMost / total;
  const greater = atLeast / total;
  if (alternative === 'less') return less;
  if (alternative === 'greater') return greater;
  return Math.min(1, 2 * Math.min(less, greater));
}

/**
 * Wilcoxon signed-rank test of the paired differences x - y (or of x alone when y is omitted).
 * Defaults as scipy: zeroMethod 'wilcox', correction false, mode 'auto', two-sided.
 * Differences that should tie must be exactly equal: round scores first (e.g. to 3 decimals).
 * When no difference is non-zero the result is statistic 0, p = 1.
 */
export function wilcoxonSignedRank(
  x: ArrayLike<number>,
  y?: ArrayLike<number> | null,
  options: WilcoxonOptions = {},
): WilcoxonResult {
  const fn = 'wilcoxonSignedRank';
  const zeroMethod = options.zeroMethod ?? 'wilcox';
  const mode = options.mode ?? 'auto';
  const alternative = options.alternative ?? 'two-sided';
  const correction = options.correction ?? false;
  checkOneOf(fn, 'zeroMethod', zeroMethod, ['wilcox', 'pratt', 'zsplit']);
  checkOneOf(fn, 'mode', mode, ['exact', 'approx', 'auto']);
  checkOneOf(fn, 'alternative', alternative, ALTERNATIVES);

  let all: number[];
  if (y == null) {
    checkFinite(fn, 'x', x);
    all = Array.from(x);
  } else {
    all = pairedDifferences(fn, x, y);
  }
  checkMinLength(fn, 'x', all, 1);
  const nZero = all.filter((v) => v === 0).length;
  const d = zeroMethod === 'wilcox' ? all.filter((v) => v !== 0) : all;
  const count = d.length;
  const abs = d.map(Math.abs);
  const ranks = rankData(abs);
  const signs = d.map(Math.sign);

  let rPlus = 0;
  let rMinus = 0;
  let rZero = 0;
  d.forEach((v, i) => {
    if (v > 0) rPlus += ranks[i];
    else if (v < 0) rMinus += ranks[i];
    else rZero += ranks[i];
  });
  const zsplitShift = zeroMethod === 'zsplit' ? rZero / 2 : 0;
  rPlus += zsplitShift;
  rMinus += zsplitShift;
  const statistic = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;
  const base = { statistic, rPlus, rMinus, n: count, nZero };

  if (nZero === all.length && zeroMethod !== 'zsplit') {
    return { ...base, pValue: 1, z: NaN, method: mode === 'approx' ? 'approx' : 'exact' };
  }

  // Tie-corrected normal approximation; under 'pratt' the zeros' ranks leave the mean and variance
  // (Cureton 1967) and do not count as a tie group.
  let mn = (count * (count + 1)) / 4;
  let v24 = count * (count + 1) * (2 * count + 1);
  const nonZeroAbs = zeroMethod === 'pratt' ? abs.filter((a) => a !== 0) : abs;
  if (zeroMethod === 'pratt') {
    mn -= (nZero * (nZero + 1)) / 4;
    v24 -= nZero * (nZero + 1) * (2 * nZero + 1);
  }
  const ties = tieGroupSizes(nonZeroAbs).reduce((s, t) => s + t ** 3 - t, 0);
  const se = Math.sqrt((v24 - ties / 2) / 24);
  let z = (rPlus - mn) / se;
  const hasTies = tieGroupSizes(abs).length > 0;

  let method: WilcoxonResult['method'];
  if (mode === 'auto') {
    if (all.length > 50) method = 'approx';
    else if (!hasTies && nZero === 0) method = 'exact';
    else if (all.length <= 13) method = 'permutation';
    else method = 'approx';
  } else method = mode;

  if (method === 'approx') {
    if (correction) {
      const sign = alternative === 'greater' ? 1 : alternative === 'less' ? -1 : Math.sign(z);
      z -= (sign * 0.5) / se;
    }
    const zReported = alternative === 'two-sided' ? -Math.abs(z) : z;
    return { ...base, pValue: normalPValue(z, alternative), z: zReported, method };
  }
  const pValue =
    method === 'exact'
      ? exactPValue(rPlus, count, alternative)
      : permutationPValue(rPlus, ranks, signs, zsplitShift, alternative);
  return { ...base, pValue, z: NaN, method };
}
