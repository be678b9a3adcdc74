import { createHash } from 'node:crypto';
import type { LabelBudget } from '@udtl/datasets';

/** Budget as written in results: labels per class, or 'all'. */
export type BudgetLabel = number | 'all';

/** One cell of the grid: dataset × method × fold × repeat × budget × seed × draw. */
export interface Job {
  dataset: string;
  /** The method's name in this experiment (its id unless the config renamed it). */
  method: string;
  /** Fold index, or 'official' for a dataset's own train/test split. */
  fold: number | 'official';
  repeat: number;
  budget: BudgetLabel;
  seed: number;
  /**
   * Which independent labelled draw of the fold (config `draws`; 0 without draws, and always 0 at
   * budget 'all'). Paired across methods: a fold × draw labels the same images for every method.
   */
  draw: number;
}

/** A budget and draw of one group. */
export interface JobCell {
  budget: BudgetLabel;
  draw: number;
}

/**
 * Jobs that share a fold and method run together (every budget and draw), so the unsupervised
 * stage, which depends on the fold's training images only, is trained once.
 */
export interface JobGroup {
  dataset: string;
  method: string;
  fold: number | 'official';
  repeat: number;
  seed: number;
  cells: JobCell[];
}

/** The (budget, draw) cells of a fold: every budget in draw 0, then each budget below 'all' in draws 1 … draws − 1. */
export function jobCells(budgets: BudgetLabel[], draws: number): JobCell[] {
  if (!Number.isInteger(draws) || draws < 1) throw new Error(`draws must be an integer ≥ 1, got ${draws}`);
  const cells: JobCell[] = budgets.map((budget) => ({ budget, draw: 0 }));
  for (let draw = 1; draw < draws; draw++) for (const budget of budgets) if (budget !== 'all') cells.push({ budget, draw });
  return cells;
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
  /** tfjs backend, GPU or not, the engine that ran frozen backbones, and the native (oneDNN) kernels training used. */
  backend: JobBackend;
  metrics: Record<string, number>;
  fitSeconds: number;
  predictSeconds: number;
  classNames: string[];
  predictions?: { ids: string[]; truth: number[]; proba: number[][] };
  finishedAt: string;
}

/** Draw 0 adds nothing to the key, so results written before draws existed keep their keys. */
export function jobKey(job: Job): string {
  const key = [job.dataset, job.method, job.fold, job.repeat, job.budget, job.seed].join('|');
  return job.draw ? `${key}|d${job.draw}` : key;
}

/** A job key as people read it: "brain-tumor-mri transfer-learned · fold 0 · repeat 0 · 5/class · seed 2611 · draw 1". */
export function jobLabel(key: string): string {
  const [dataset, method, fold, repeat, budget, seed, draw] = key.split('|');
  if (seed === undefined) return key.replaceAll('|', ' ');
  const parts = [`${dataset} ${method}`, fold === 'official' ? 'official split' : `fold ${fold}`, `repeat ${repeat}`, budget === 'all' ? 'all labels' : `${budget}/class`, `seed ${seed}`];
  if (draw) parts.push(`draw ${draw.replace(/^d/, '')}`);
  return parts.join(' · ');
}

/** File-system safe, stable id of a job. */
export function jobFileId(job: Job): string {
  const readable = `${job.dataset}_${job.method}_f${job.fold}_r${job.repeat}_b${job.budget}_s${job.seed}${job.draw ? `_d${job.draw}` : ''}`.replace(/[^A-Za-z0-9._-]/g, '-');
  return `${readable}_${createHash('sha256').update(jobKey(job)).digest('hex').slice(0, 8)}`;
}

export function toLabelBudget(budget: BudgetLabel): LabelBudget {
  return budget === 'all' ? 'all' : { perClass: budget };
}

export function groupJobs({ cells, ...rest }: JobGroup): Job[] {
  return cells.map(({ budget, draw }) => ({ ...rest, budget, draw }));
}

/** What computed a job: recorded with every result and in the manifest. */
export interface JobBackend {
  name: string;
  gpu: boolean;
  engine?: string;
  /** 'onednn' when @udtl/native's kernels ran on the wasm backend. */
  native?: string;
  nativeKernels?: string[];
  nativeThreads?: number;
  /** webgpu: the adapter (device name, vendor, Dawn backend type, whether it is a software renderer). */
  adapter?: { name: string; vendor: string; architecture: string; description: string; backendType: string; featureLevel: string; software: boolean };
}
