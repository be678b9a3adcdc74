import { createHash } from 'node:crypto';
import type { LabelBudget } from '@udtl/datasets';

/** Budget as written in results: labels per class, or 'all'. */
export type BudgetLabel = number | 'all';

/** One cell of the grid: dataset × method × fold × repeat × budget × seed. */
export interface Job {
  dataset: string;
  /** The method's name in this experiment (its id unless the config renamed it). */
  method: string;
  /** Fold index, or 'official' for a dataset's own train/test split. */
  fold: number | 'official';
  repeat: number;
  budget: BudgetLabel;
  seed: number;
}

/** Jobs that share a fold's unlabelled pool and method run together, so the unsupervised stage is trained once. */
export interface JobGroup {
  dataset: string;
  method: string;
  fold: number | 'official';
  repeat: number;
  seed: number;
  budgets: BudgetLabel[];
}

export type JobStatus = 'ok' | 'failed';

/** Everything a finished job leaves behind: written atomically to `jobs/<id>.json`. */
export interface JobResult extends Job {
  key: string;
  status: JobStatus;
  error?: string;
  methodId: string;
  params: Record<string, unknown>;
  chosen: Record<string, unknown>;
  /** tfjs backend, GPU or not, and the engine that ran frozen backbones. */
  backend: { name: string; gpu: boolean; engine?: string };
  metrics: Record<string, number>;
  fitSeconds: number;
  predictSeconds: number;
  classNames: string[];
  predictions?: { ids: string[]; truth: number[]; proba: number[][] };
  finishedAt: string;
}

export function jobKey(job: Job): string {
  return [job.dataset, job.method, job.fold, job.repeat, job.budget, job.seed].join('|');
}

/** File-system safe, stable id of a job. */
export function jobFileId(job: Job): string {
  const readable = `${job.dataset}_${job.method}_f${job.fold}_r${job.repeat}_b${job.budget}_s${job.seed}`.replace(/[^A-Za-z0-9._-]/g, '-');
  return `${readable}_${createHash('sha256').update(jobKey(job)).digest('hex').slice(0, 8)}`;
}

export function toLabelBudget(budget: BudgetLabel): LabelBudget {
  return budget === 'all' ? 'all' : { perClass: budget };
}

export function groupJobs({ budgets, ...rest }: JobGroup): Job[] {
  return budgets.map((budget) => ({ ...rest, budget }));
}
