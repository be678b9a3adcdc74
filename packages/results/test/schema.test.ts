import { describe, expect, it } from 'vitest';
import { compareBudgets, formatBudget, isBudget, jobKey, jobLabel, parseBudget, parseFold, type Budget, type Job } from '../src/index.js';

describe('label budget', () => {
  it('has one text form for people and one for files, and they round-trip', () => {
    expect(formatBudget(5)).toBe('5/class');
    expect(formatBudget('all')).toBe('all labels');
    for (const b of [1, 5, 200, 'all'] as Budget[]) expect(parseBudget(String(b))).toBe(b);
  });
  it('rejects what is not a budget, naming the place and the value', () => {
    for (const bad of ['0', '-3', '2.5', 'half', '', 'All']) expect(() => parseBudget(bad, 'results.csv data row 4')).toThrow(`results.csv data row 4: budget "${bad}" is not a whole number`);
    expect([5, 'all', 0, 2.5, -1, '5', null].map(isBudget)).toEqual([true, true, false, false, false, false, false]);
  });
  it('sorts counts upwards and all last', () => {
    expect((['all', 20, 2, 5] as Budget[]).sort(compareBudgets)).toEqual([2, 5, 20, 'all']);
  });
});

describe('job coordinates', () => {
  const job: Job = { dataset: 'd', method: 'm', fold: 0, repeat: 0, budget: 5, seed: 0, draw: 0 };
  it('draw 0 keeps the keys of runs made before draws; other draws get distinct keys', () => {
    expect(jobKey(job)).toBe('d|m|0|0|5|0');
    expect(jobKey({ ...job, draw: undefined } as unknown as Job)).toBe('d|m|0|0|5|0');
    expect(jobKey({ ...job, draw: 2 })).toBe('d|m|0|0|5|0|d2');
  });
  it('a key reads as fold, repeat, budget (in its one text form), seed and draw', () => {
    expect(jobLabel('brain-tumor-mri|transfer-learned|0|1|5|2611')).toBe('brain-tumor-mri transfer-learned · fold 0 · repeat 1 · 5/class · seed 2611');
    expect(jobLabel('breastmnist|fine-tuned|official|0|all|7|d2')).toBe('breastmnist fine-tuned · official split · repeat 0 · all labels · seed 7 · draw 2');
    expect(jobLabel('not-a-job-key')).toBe('not-a-job-key');
  });
  it('parses folds', () => {
    expect([parseFold('3'), parseFold('official')]).toEqual([3, 'official']);
    expect(() => parseFold('-1', 'row 2')).toThrow('row 2: fold "-1" is neither');
  });
});
