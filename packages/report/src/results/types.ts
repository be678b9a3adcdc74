/**
 * What the report reads from a results directory. The format itself (job coordinates, budgets,
 * columns, job records, manifest) is `@udtl/results`, which the runner writes through.
 */
import type { Job, JobRecord, PrimaryMetric, RunManifest } from '@udtl/results';

export { compareBudgets, formatBudget, PRIMARY_METRICS, type Budget, type FoldId, type Job, type JobRecord, type PrimaryMetric, type RunManifest } from '@udtl/results';

/** One line of `results.csv` (long format: one metric per line). */
export interface ResultRow extends Job {
  metric: string;
  value: number;
}

/** One line of `predictions.csv`. */
export interface PredictionRow extends Job {
  sampleId: string;
  truth: string;
  pred: string;
  /** Class → probability from the row's non-empty `p_<class>` cells; absent when it has none. */
  probabilities?: Readonly<Record<string, number>>;
  /** Its data row in predictions.csv (1 = first line after the header), for errors that name it. */
  dataRow?: number;
}

/** The decision settings a run declares in its config; older runs lack them and get the defaults. */
export interface DecisionSettings {
  primaryMetric: PrimaryMetric;
  /** Smallest gain of interest δ for "better than", in points (default 1). */
  smallestGainPoints: number;
  /** Non-inferiority margin for "close to", in points (default 2). */
  marginPoints: number;
}

export const DEFAULT_DECISION: DecisionSettings = { primaryMetric: 'balanced_accuracy', smallestGainPoints: 1, marginPoints: 2 };

/** Everything read from one results directory, plus what was wrong with it. */
export interface RunData {
  dir: string;
  results: ResultRow[];
  predictions: PredictionRow[];
  jobs: JobRecord[];
  /** As read: older or interrupted runs lack fields. */
  manifest?: Partial<RunManifest>;
  /** Plain-language problems found while reading (missing files, skipped lines, interrupted run). */
  warnings: string[];
}
