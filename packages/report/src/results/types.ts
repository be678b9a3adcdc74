/** What the report reads from a results directory (written by the experiment runner). */

/** Labels per class, or every training label. */
export type Budget = number | 'all';
/** Fold index of a k-fold, or 'official' for a dataset's own train/test split. */
export type FoldId = number | 'official';

/** The job a row belongs to. */
export interface JobCoords {
  dataset: string;
  method: string;
  fold: FoldId;
  repeat: number;
  budget: Budget;
  seed: number;
  /** Independent labelled draw within the fold (config `draws`); absent in older runs, meaning 0. */
  draw?: number;
}

/** One line of `results.csv` (long format: one metric per line). */
export interface ResultRow extends JobCoords {
  metric: string;
  value: number;
}

/** One line of `predictions.csv` (class probabilities are not kept: metrics come from results.csv). */
export interface PredictionRow extends JobCoords {
  sampleId: string;
  truth: string;
  pred: string;
}

/** One line of `jobs.jsonl`. */
export interface JobRecord extends JobCoords {
  key: string;
  status: 'ok' | 'failed';
  error?: string;
  params?: Record<string, unknown>;
  chosen?: Record<string, unknown>;
  fitSeconds?: number;
  predictSeconds?: number;
}

/** `manifest.json`. Every field is optional here: an interrupted run may have written only part. */
export interface RunManifest {
  runId?: string;
  configHash?: string;
  config?: Record<string, unknown>;
  gitCommit?: string;
  backend?: { name?: string; gpu?: boolean; engine?: string };
  versions?: Record<string, unknown>;
  datasets?: { id: string; contentHash?: string; nSamples?: number; classes?: string[]; dropped?: unknown }[];
  weights?: { backbone: string; hash?: string }[];
  machine?: { cores?: number; memoryGiB?: number; platform?: string; cpuModel?: string };
  startedAt?: string;
  endedAt?: string;
  wallSeconds?: number;
  jobs?: { total?: number; done?: number; failed?: number };
  failures?: { job: string; error: string }[];
  complete?: boolean;
}

/** Metrics in [0, 1] a run can make primary (config `primaryMetric`). */
export const PRIMARY_METRICS = ['balanced_accuracy', 'accuracy', 'macro_f1', 'auc'] as const;
export type PrimaryMetric = (typeof PRIMARY_METRICS)[number];

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
  manifest?: RunManifest;
  /** Plain-language problems found while reading (missing files, skipped lines, interrupted run). */
  warnings: string[];
}

/** Budgets in reading order: increasing counts, then 'all'. */
export function compareBudgets(a: Budget, b: Budget): number {
  if (a === b) return 0;
  if (a === 'all') return 1;
  if (b === 'all') return -1;
  return a - b;
}
