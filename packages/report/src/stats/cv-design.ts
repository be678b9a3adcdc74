/**
 * Paired comparison of two methods over a cross-validation design with k folds, r repeats and G
 * replicates per fold (independent labelled draws and/or seeds), and its power.
 *
 * The unit of the test is the fold: replicates of one fold × repeat share its test set and its
 * unlabelled pool, so they are averaged first, and the k·r fold means go through the corrected
 * repeated k-fold t-test (Nadeau & Bengio 2003; Bouckaert & Frank 2004):
 *   SE² = (1/(k·r) + n2/n1) · s²(fold means),  df = k·r − 1,  n2/n1 = 1/(k − 1).
 * With fold effect u (variance σ_b², correlation ρ = n2/n between folds) and independent draw
 * noise e (variance σ_w²), this SE² over-estimates the true variance of the grand mean by
 * ρ/(1−ρ)·σ_w²/G ≥ 0: valid (conservative) however little the labelled sets overlap. Treating the
 * k·r·G replicates as units instead shrinks SE with G while the shared test sets do not: liberal.
 */
import { mean, variance } from './descriptive.js';
import { tQuantile } from './distributions.js';
import { correctedResampledTTest } from './ttest.js';
import { checkLevel } from './validate.js';

/** One paired difference (method A − method B) of one job. */
export interface ReplicateDifference {
  fold: number;
  repeat: number;
  /** Which replicate of the fold (draw, seed): only needs to differ within a fold × repeat. */
  replicate: string;
  difference: number;
}

export interface FoldUnits {
  /** Mean difference of each fold × repeat, over its replicates. */
  means: number[];
  /** Distinct fold indices (k) and repeats (r) present. */
  folds: number;
  repeats: number;
  /** Replicates per fold × repeat (the smallest count, when they differ). */
  replicates: number;
  /** Pooled within-fold variance of the replicates (undefined with one replicate per fold). */
  withinVariance?: number;
}

/** Groups replicate differences by fold × repeat and averages each group. */
export function foldUnits(diffs: readonly ReplicateDifference[]): FoldUnits {
  const groups = new Map<string, number[]>();
  for (const d of diffs) {
    if (!Number.isFinite(d.difference)) throw new Error(`foldUnits: difference of fold ${d.fold}, repeat ${d.repeat}, replicate ${d.replicate} is ${d.difference}`);
    const key = `${d.repeat}|${d.fold}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(d.difference);
  }
  const keys = [...groups.keys()].sort();
  const values = keys.map((k) => groups.get(k)!);
  let ss = 0, dfWithin = 0;
  for (const v of values) if (v.length > 1) { ss += variance(v) * (v.length - 1); dfWithin += v.length - 1; }
  return {
    means: values.map((v) => mean(v)),
    folds: new Set(diffs.map((d) => d.fold)).size,
    repeats: new Set(diffs.map((d) => d.repeat)).size,
    replicates: values.length ? Math.min(...values.map((v) => v.length)) : 0,
    withinVariance: dfWithin > 0 ? ss / dfWithin : undefined,
  };
}

export interface CorrectedInterval {
  n: number;
  mean: number;
  standardError: number;
  df: number;
  statistic: number;
  /** Two-sided p-value of Δ = 0 (unadjusted). */
  pValue: number;
  confidenceLevel: number;
  low: number;
  high: number;
}

/**
 * Corrected repeated k-fold t interval and test of the fold means (at least two, not all equal:
 * callers say "not testable" before that). `confidenceLevel` is where a multiplicity adjustment
 * enters, e.g. 1 − α/m for Bonferroni over m comparisons.
 */
export function correctedInterval(foldMeans: readonly number[], folds: number, confidenceLevel: number): CorrectedInterval {
  const fn = 'correctedInterval';
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`${fn}: folds must be an integer ≥ 2, got ${folds}`);
  checkLevel(fn, 'confidenceLevel', confidenceLevel);
  const t = correctedResampledTTest(foldMeans, { testTrainRatio: 1 / (folds - 1) });
  if (!(t.standardError > 0)) throw new Error(`${fn}: the fold means have no variance (all ${foldMeans[0]}); no interval can be formed`);
  const half = tQuantile(1 - (1 - confidenceLevel) / 2, t.df) * t.standardError;
  return { n: t.n, mean: t.meanDifference, standardError: t.standardError, df: t.df, statistic: t.statistic, pValue: t.pValue, confidenceLevel, low: t.meanDifference - half, high: t.meanDifference + half };
}

/**
 * Smallest true difference that a two-sided test at level `alpha` (the adjusted one) detects with
 * the given power — i.e. whose interval then clears the decision threshold — from a standard
 * error with df degrees of freedom: (t_{1−α/2} + t_{power}) · SE (the usual normal-theory
 * approximation with t quantiles; it ignores the chance of a rejection in the wrong direction).
 */
export function minimumDetectableDifference(standardError: number, df: number, alpha: number, power = 0.8): number {
  checkLevel('minimumDetectableDifference', 'alpha', alpha);
  checkLevel('minimumDetectableDifference', 'power', power);
  if (!(standardError >= 0) || !(df >= 1)) throw new Error(`minimumDetectableDifference: needs standardError ≥ 0 and df ≥ 1, got ${standardError}, ${df}`);
  return (tQuantile(1 - alpha / 2, df) + tQuantile(power, df)) * standardError;
}

export interface DesignPlan {
  /** Smallest repeats (draws as run) whose MDD ≤ target; undefined when more than `limit` would be needed. */
  repeats?: number;
  /** Smallest replicates per fold (repeats as run) whose MDD ≤ target; undefined when unknown (one replicate) or beyond `limit`. */
  draws?: number;
  /** MDD with infinitely many repeats and draws: the n2/n1 term of the correction never averages away. */
  floor: number;
  /** False with one replicate per fold: the draw-level variance is then unknown. */
  drawVarianceKnown: boolean;
}

/**
 * How many repeats or draws would bring the MDD to `target`, projecting the variance of a fold
 * mean as σ_b² + σ_w²/G (σ_w² from the replicates within folds, σ_b² the rest of the observed
 * variance of fold means) into SE² = (1/(k·r) + 1/(k−1)) · (σ_b² + σ_w²/G), df = k·r − 1.
 */
export function planDesign(units: FoldUnits, target: number, alpha: number, power = 0.8, limit = 100): DesignPlan {
  const { folds: k, repeats: r, replicates: g } = units;
  if (units.means.length < 2 || k < 2) throw new Error('planDesign: needs at least 2 fold means from k ≥ 2 folds');
  const observed = variance(units.means);
  const within = units.withinVariance;
  const between = within === undefined ? observed : Math.max(0, observed - within / g);
  const mdd = (rr: number, gg: number) => {
    const perFold = between + (within ?? 0) / gg;
    const se = Math.sqrt((1 / (k * rr) + 1 / (k - 1)) * perFold);
    return minimumDetectableDifference(se, k * rr - 1, alpha, power);
  };
  const search = (f: (n: number) => number) => {
    for (let n = 1; n <= limit; n++) if (f(n) <= target) return n;
    return undefined;
  };
  const z = tQuantile(1 - alpha / 2, 1e6) + tQuantile(power, 1e6);
  return {
    repeats: search((rr) => mdd(rr, g)),
    draws: within === undefined ? undefined : search((gg) => mdd(r, gg)),
    floor: z * Math.sqrt(between / (k - 1)),
    drawVarianceKnown: within !== undefined,
  };
}
