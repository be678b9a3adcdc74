import { describe, expect, it } from 'vitest';
import { jobKey, PRIMARY_METRICS, type Job } from '@udtl/results';
import { parseConfig } from '../src/config.js';
import { groupJobs, jobCells, jobFileId } from '../src/jobs.js';

const minimal = { name: 'x', datasets: ['mednist-tiny'], methods: ['transfer-learned'] };

describe('config: primary metric, decision settings, draws', () => {
  it('defaults: balanced accuracy, δ = 1 point, margin 2 points, one draw', () => {
    const c = parseConfig(minimal);
    expect([c.primaryMetric, c.smallestGain, c.nonInferiorityMargin, c.draws]).toEqual(['balanced_accuracy', 1, 2, 1]);
  });
  it('accepts every primary metric, and names a bad one', () => {
    for (const m of PRIMARY_METRICS) expect(parseConfig({ ...minimal, primaryMetric: m }).primaryMetric).toBe(m);
    expect(() => parseConfig({ ...minimal, primaryMetric: 'f2' })).toThrow(/primaryMetric/);
    expect(() => parseConfig({ ...minimal, draws: 0 })).toThrow(/draws/);
    expect(() => parseConfig({ ...minimal, smallestGain: -1 })).toThrow(/smallestGain/);
    expect(() => parseConfig({ ...minimal, nonInferiorityMargin: 0 })).toThrow(/nonInferiorityMargin/);
  });
});

describe('job cells and keys', () => {
  it('draw 0 holds every budget; later draws only the budgets below all', () => {
    expect(jobCells([5, 20, 'all'], 1)).toEqual([{ budget: 5, draw: 0 }, { budget: 20, draw: 0 }, { budget: 'all', draw: 0 }]);
    const cells = jobCells([5, 'all'], 3);
    expect(cells).toEqual([{ budget: 5, draw: 0 }, { budget: 'all', draw: 0 }, { budget: 5, draw: 1 }, { budget: 5, draw: 2 }]);
    expect(() => jobCells([5], 0)).toThrow(/draws must be an integer ≥ 1, got 0/);
  });
  it('a group expands to one job per cell, each with its draw', () => {
    const jobs = groupJobs({ dataset: 'd', method: 'm', fold: 1, repeat: 0, seed: 7, cells: jobCells([5, 'all'], 2) });
    expect(jobs.map((j) => [j.budget, j.draw])).toEqual([[5, 0], ['all', 0], [5, 1]]);
    expect(jobs.every((j) => j.seed === 7 && j.fold === 1)).toBe(true);
  });
  it('other draws get distinct job files', () => {
    const job: Job = { dataset: 'd', method: 'm', fold: 0, repeat: 0, budget: 5, seed: 0, draw: 0 };
    const files = new Set([0, 1, 2].map((draw) => jobFileId({ ...job, draw })));
    expect(files.size).toBe(3);
    expect(jobFileId({ ...job, draw: 2 })).toMatch(/_s0_d2_/);
    expect(jobFileId(job)).toMatch(/^d_m_f0_r0_b5_s0_[0-9a-f]{8}$/);
    expect(jobKey(job)).toBe('d|m|0|0|5|0');
  });
});
