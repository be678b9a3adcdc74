import { mean, sd, tQuantile } from './stats/index.js';
import { compareBudgets, type Budget, type ResultRow } from './results/types.js';

/** 'cv': k-fold folds; 'official': a dataset's own train/test split (one score per job). */
export type Protocol = 'cv' | 'official';

export const protocolOf = (fold: ResultRow['fold']): Protocol => (fold === 'official' ? 'official' : 'cv');

/** One cell of the results table: a metric of one method on one dataset at one budget. */
export interface Summary {
  dataset: string;
  method: string;
  budget: Budget;
  protocol: Protocol;
  metric: string;
  /** Number of scores: folds × repeats × seeds. */
  n: number;
  mean: number;
  /** Undefined with a single score. */
  sd?: number;
  ciLow?: number;
  ciHigh?: number;
}

/** Metrics that live in [0, 1]. */
export const BOUNDED_METRICS = new Set(['accuracy', 'balanced_accuracy', 'macro_f1', 'auc']);

/** Distinct cross-validation folds per dataset (k of k-fold). */
export function foldsPerDataset(rows: ResultRow[]): Map<string, number> {
  const folds = new Map<string, Set<number>>();
  for (const r of rows) if (r.fold !== 'official') (folds.get(r.dataset) ?? folds.set(r.dataset, new Set()).get(r.dataset)!).add(r.fold);
  return new Map([...folds].map(([d, s]) => [d, s.size]));
}

/**
 * Mean, sd and a 95% CI of the mean for every dataset × method × budget × protocol × metric.
 * Cross-validation scores share training data, so the CI uses Nadeau & Bengio's corrected
 * variance (1/J + 1/(k-1))·s² over the J fold means (seeds and labelled draws of one fold ×
 * repeat averaged first, as the paired test does: they share the fold's test set), the same
 * correction as the corrected t-test; the naive s²/J would be too narrow. sd is over every score.
 * Bounds of [0, 1] metrics are clipped to [0, 1].
 */
export function summarize(rows: ResultRow[]): Summary[] {
  const k = foldsPerDataset(rows);
  const groups = new Map<string, { key: Omit<Summary, 'n' | 'mean'>; values: number[]; units: Map<string, number[]> }>();
  for (const r of rows) {
    const protocol = protocolOf(r.fold);
    const id = [r.dataset, r.method, r.budget, protocol, r.metric].join('\u0000');
    const g = groups.get(id) ?? groups.set(id, { key: { dataset: r.dataset, method: r.method, budget: r.budget, protocol, metric: r.metric }, values: [], units: new Map() }).get(id)!;
    g.values.push(r.value);
    const unit = protocol === 'cv' ? `${r.fold}|${r.repeat}` : `${r.seed}|${r.draw ?? 0}`;
    (g.units.get(unit) ?? g.units.set(unit, []).get(unit)!).push(r.value);
  }
  const out: Summary[] = [];
  for (const { key, values, units } of groups.values()) {
    const n = values.length;
    const s: Summary = { ...key, n, mean: mean(values) };
    if (n >= 2) s.sd = sd(values);
    const unitMeans = [...units.values()].map((v) => mean(v));
    const j = unitMeans.length;
    if (j >= 2) {
      const folds = k.get(key.dataset) ?? 0;
      const factor = 1 / j + (key.protocol === 'cv' && folds >= 2 ? 1 / (folds - 1) : 0);
      const centre = mean(unitMeans);
      const half = tQuantile(0.975, j - 1) * Math.sqrt(factor) * sd(unitMeans);
      // Scores are proportions: a bound outside [0, 1] carries no information, so it is clipped.
      const bounded = BOUNDED_METRICS.has(key.metric);
      s.ciLow = bounded ? Math.max(0, centre - half) : centre - half;
      s.ciHigh = bounded ? Math.min(1, centre + half) : centre + half;
    }
    out.push(s);
  }
  return out.sort(
    (a, b) => a.dataset.localeCompare(b.dataset) || a.protocol.localeCompare(b.protocol) || compareBudgets(a.budget, b.budget) || a.method.localeCompare(b.method) || a.metric.localeCompare(b.metric),
  );
}

/** The budget a dataset's headline numbers use: 'all' when run, else the largest count. */
export function fullBudget(budgets: Iterable<Budget>): Budget | undefined {
  return [...budgets].sort(compareBudgets).at(-1);
}
