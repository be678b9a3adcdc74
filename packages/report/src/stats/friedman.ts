/**
 * Comparing several methods over several datasets (Demšar, JMLR 7, 2006): Friedman test with the
 * Iman–Davenport F, Nemenyi and Bonferroni–Dunn critical differences, and Holm's step-down
 * procedure against a control method.
 */
import { rankData, tieGroupSizes } from './descriptive.js';
import { chiSquareSf, fSf, normalPValue, normalQuantile, studentizedRangeQuantile } from './distributions.js';
import { holm } from './holm.js';
import type { TestResult } from './types.js';
import { checkFinite, checkLevel } from './validate.js';

export interface FriedmanOptions {
  /** Divide χ² by 1 - Σ(t³ - t) / (N k (k² - 1)) for tied ranks (default true, as scipy and R). */
  tieCorrection?: boolean;
  /** Rank 1 goes to the highest score (default true: accuracies, AUCs); false for errors/losses. */
  higherIsBetter?: boolean;
}

export interface FriedmanResult extends TestResult {
  /** Friedman's χ²F. */
  statistic: number;
  /** p of χ²F on k - 1 degrees of freedom. */
  pValue: number;
  df: number;
  /** Iman & Davenport's F_F = (N - 1) χ²F / (N (k - 1) - χ²F), less conservative than χ²F. */
  imanDavenport: { statistic: number; pValue: number; df1: number; df2: number };
  /** Average rank of each method (column), 1 = best. */
  averageRanks: number[];
  /** Number of blocks (datasets), N. */
  n: number;
  /** Number of methods, k. */
  k: number;
}

function checkMatrix(fn: string, scores: ArrayLike<ArrayLike<number>>, minRows: number, minCols: number): void {
  if (!scores || scores.length < minRows) {
    throw new Error(`${fn}: scores has ${scores?.length ?? 0} row(s) (datasets); at least ${minRows} are needed`);
  }
  const k = scores[0].length;
  if (k < minCols) throw new Error(`${fn}: scores has ${k} column(s) (methods); at least ${minCols} are needed`);
  for (let i = 0; i < scores.length; i++) {
    if (scores[i].length !== k) {
      throw new Error(`${fn}: row ${i} has ${scores[i].length} scores but row 0 has ${k}; every row needs one per method`);
    }
    checkFinite(fn, `scores[${i}]`, scores[i]);
  }
}

/** Per-row ranks, 1 = best, ties averaged. */
export function rankRows(scores: ArrayLike<ArrayLike<number>>, higherIsBetter = true): number[][] {
  return Array.from(scores, (row) => rankData(Array.from(row, (v) => (higherIsBetter ? -v : v))));
}

/**
 * Friedman test on `scores[dataset][method]`. χ²F matches scipy.stats.friedmanchisquare and R's
 * friedman.test with the default tie correction; `tieCorrection: false` gives Demšar's textbook
 * formula. If every row is fully tied there is nothing to test: statistic 0, p = 1.
 */
export function friedman(scores: ArrayLike<ArrayLike<number>>, options: FriedmanOptions = {}): FriedmanResult {
  checkMatrix('friedman', scores, 2, 2);
  const n = scores.length;
  const k = scores[0].length;
  const ranks = rankRows(scores, options.higherIsBetter ?? true);
  const averageRanks = Array.from({ length: k }, (_, j) => ranks.reduce((s, r) => s + r[j], 0) / n);
  let chi2 = ((12 * n) / (k * (k + 1))) * averageRanks.reduce((s, r) => s + (r - (k + 1) / 2) ** 2, 0);
  if (options.tieCorrection ?? true) {
    const ties = ranks.reduce((s, r) => s + tieGroupSizes(r).reduce((t, g) => t + g ** 3 - g, 0), 0);
    const c = 1 - ties / (n * k * (k * k - 1));
    chi2 = c > 0 ? chi2 / c : 0;
  }
  const df = k - 1;
  const df2 = (k - 1) * (n - 1);
  const denominator = n * (k - 1) - chi2;
  const ff = denominator > 0 ? ((n - 1) * chi2) / denominator : Infinity;
  return {
    statistic: chi2,
    pValue: chiSquareSf(chi2, df),
    df,
    imanDavenport: { statistic: ff, pValue: fSf(ff, df, df2), df1: df, df2 },
    averageRanks,
    n,
    k,
  };
}

function checkKN(fn: string, k: number, n: number, alpha: number): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`${fn}: k (number of methods) must be an integer >= 2, got ${k}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${fn}: n (number of datasets) must be an integer >= 1, got ${n}`);
  checkLevel(fn, 'alpha', alpha);
}

/** Standard error of a difference of two average ranks: sqrt(k (k + 1) / (6 N)). */
export function rankDifferenceSE(k: number, n: number): number {
  return Math.sqrt((k * (k + 1)) / (6 * n));
}

/**
 * Nemenyi critical difference for all pairwise comparisons of k methods over n datasets:
 * q_α·sqrt(k(k+1)/(6n)) with q_α the studentized range quantile (jstat's port of R's qtukey, df = ∞)
 * divided by √2 — Demšar's Table 5a, computed for any k.
 */
export function nemenyiCriticalDifference(k: number, n: number, alpha = 0.05): number {
  checkKN('nemenyiCriticalDifference', k, n, alpha);
  return (studentizedRangeQuantile(1 - alpha, k, Infinity) / Math.SQRT2) * rankDifferenceSE(k, n);
}

/** Bonferroni–Dunn critical difference for comparing k - 1 methods with one control (Demšar Table 5b). */
export function bonferroniDunnCriticalDifference(k: number, n: number, alpha = 0.05): number {
  checkKN('bonferroniDunnCriticalDifference', k, n, alpha);
  return normalQuantile(1 - alpha / (2 * (k - 1))) * rankDifferenceSE(k, n);
}

export interface ControlComparison {
  /** Column index of the compared method. */
  method: number;
  /** Its average rank minus the control's (positive: worse than the control when rank 1 is best). */
  rankDifference: number;
  z: number;
  pValue: number;
  /** Holm-adjusted p-value over the k - 1 comparisons. */
  adjustedPValue: number;
  reject: boolean;
}

/**
 * Post-hoc comparison of every method with a control after a Friedman test (Demšar §3.2.2):
 * z = (R_i - R_control) / sqrt(k(k+1)/(6N)), two-sided normal p-values, Holm's step-down at `alpha`.
 */
export function holmVersusControl(
  scores: ArrayLike<ArrayLike<number>>,
  control: number,
  options: { alpha?: number; higherIsBetter?: boolean } = {},
): ControlComparison[] {
  const fn = 'holmVersusControl';
  checkMatrix(fn, scores, 1, 2);
  const k = scores[0].length;
  const n = scores.length;
  if (!Number.isInteger(control) || control < 0 || control >= k) {
    throw new Error(`${fn}: control must be a column index in 0..${k - 1}, got ${control}`);
  }
  const alpha = options.alpha ?? 0.05;
  checkLevel(fn, 'alpha', alpha);
  const ranks = rankRows(scores, options.higherIsBetter ?? true);
  const average = (j: number) => ranks.reduce((s, r) => s + r[j], 0) / n;
  const se = rankDifferenceSE(k, n);
  const others = Array.from({ length: k }, (_, j) => j).filter((j) => j !== control);
  const rows = others.map((j) => {
    const rankDifference = average(j) - average(control);
    const z = rankDifference / se;
    return { method: j, rankDifference, z, pValue: normalPValue(z, 'two-sided') };
  });
  const adjusted = holm(rows.map((r) => r.pValue));
  return rows.map((r, i) => ({ ...r, adjustedPValue: adjusted[i], reject: adjusted[i] <= alpha }));
}
