import { formatBudget, type Budget } from './budget.js';

/** Fold index of a k-fold, or 'official' for a dataset's own train/test split. */
export type FoldId = number | 'official';

/** One cell of the grid, the coordinates every row of the results carries: dataset × method × fold × repeat × budget × seed × draw. */
export interface Job {
  dataset: string;
  /** The method's name in this experiment (its id unless the config renamed it). */
  method: string;
  fold: FoldId;
  repeat: number;
  budget: Budget;
  seed: number;
  /**
   * Which independent labelled draw of the fold (config `draws`; 0 without draws, and always 0 at
   * budget 'all'). Paired across methods: a fold × draw labels the same images for every method.
   * Files written before draws existed lack it: readers take 0.
   */
  draw: number;
}

export function parseFold(text: string, where = 'fold'): FoldId {
  if (text === 'official') return 'official';
  if (!/^\d+$/.test(text)) throw new Error(`${where}: fold "${text}" is neither a non-negative integer nor "official"`);
  return Number(text);
}

/** A job's key in jobs.jsonl and the store. Draw 0 adds nothing, so results written before draws existed keep their keys. */
export function jobKey(job: Job): string {
  const key = [job.dataset, job.method, job.fold, job.repeat, job.budget, job.seed].join('|');
  return job.draw ? `${key}|d${job.draw}` : key;
}

/** A job key as people read it: "brain-tumor-mri transfer-learned · fold 0 · repeat 0 · 5/class · seed 2611 · draw 1". */
export function jobLabel(key: string): string {
  const [dataset, method, fold, repeat, budget, seed, draw] = key.split('|');
  if (seed === undefined) return key.replaceAll('|', ' ');
  const parts = [`${dataset} ${method}`, fold === 'official' ? 'official split' : `fold ${fold}`, `repeat ${repeat}`, formatBudget(budget === 'all' ? 'all' : Number(budget)), `seed ${seed}`];
  if (draw) parts.push(`draw ${draw.replace(/^d/, '')}`);
  return parts.join(' · ');
}
