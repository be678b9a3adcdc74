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

/** Stable text form of a budget (as written in the CSVs). */
export const budgetLabel = (b: Budget): string => String(b);

/** Budgets in reading order: increasing counts, then 'all'. */
export function compareBudgets(a: Budget, b: Budget): number {
  if (a === b) return 0;
  if (a === 'all') return 1;
  if (b === 'all') return -1;
  return a - b;
}
