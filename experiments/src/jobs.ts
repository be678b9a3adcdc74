import { createHash } from 'node:crypto';
import type { LabelBudget } from '@udtl/datasets';
import { jobKey, type Budget, type FoldId, type Job } from '@udtl/results';

/** A budget and draw of one group. */
export interface JobCell {
  budget: Budget;
  draw: number;
}

/**
 * Jobs that share a fold and method run together (every budget and draw), so the unsupervised
 * stage, which depends on the fold's training images only, is trained once.
 */
export interface JobGroup {
  dataset: string;
  method: string;
  fold: FoldId;
  repeat: number;
  seed: number;
  cells: JobCell[];
}

/** The (budget, draw) cells of a fold: every budget in draw 0, then each budget below 'all' in draws 1 … draws − 1. */
export function jobCells(budgets: Budget[], draws: number): JobCell[] {
  if (!Number.isInteger(draws) || draws < 1) throw new Error(`draws must be an integer ≥ 1, got ${draws}`);
  const cells: JobCell[] = budgets.map((budget) => ({ budget, draw: 0 }));
  for (let draw = 1; draw < draws; draw++) for (const budget of budgets) if (budget !== 'all') cells.push({ budget, draw });
  return cells;
}

/** File-system safe, stable id of a job. */
export function jobFileId(job: Job): string {
  const readable = `${job.dataset}_${job.method}_f${job.fold}_r${job.repeat}_b${job.budget}_s${job.seed}${job.draw ? `_d${job.draw}` : ''}`.replace(/[^A-Za-z0-9._-]/g, '-');
  return `${readable}_${createHash('sha256').update(jobKey(job)).digest('hex').slice(0, 8)}`;
}

/** The splitter's form of a results budget. */
export function toLabelBudget(budget: Budget): LabelBudget {
  return budget === 'all' ? 'all' : { perClass: budget };
}

export function groupJobs({ cells, ...rest }: JobGroup): Job[] {
  return cells.map(({ budget, draw }) => ({ ...rest, budget, draw }));
}
