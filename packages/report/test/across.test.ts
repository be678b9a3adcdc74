import { describe, expect, it } from 'vitest';
import { compareAcrossDatasets, sampleSizeSentence } from '../src/across.js';
import { cdChart, cdCliques } from '../src/charts/cd.js';
import type { Summary } from '../src/summary.js';

const methods = ['zero-bias-cae', 'transfer-learned', 'fine-tuned', 'random-backbone'];
// Rows: d0 at 5/class, d0 at all, d1 at 5, d1 at all, d2 at 5, d2 at all.
const means = [
  [0.7, 0.72, 0.6, 0.4],
  [0.88, 0.84, 0.92, 0.49],
  [0.66, 0.61, 0.58, 0.52],
  [0.85, 0.91, 0.9, 0.63],
  [0.74, 0.7, 0.71, 0.41],
  [0.88, 0.84, 0.86, 0.62],
];
const summaries: Summary[] = means.flatMap((row, i) =>
  row.map((mean, j) => ({ dataset: `d${Math.floor(i / 2)}`, method: methods[j], budget: i % 2 ? ('all' as const) : 5, protocol: 'cv' as const, metric: 'balanced_accuracy', n: 5, mean })),
);

describe('compareAcrossDatasets over dataset × budget blocks', () => {
  const across = compareAcrossDatasets(summaries, { control: 'zero-bias-cae', metric: 'balanced_accuracy' });

  it('ranks within each block and tests the average ranks (scipy 1.17 friedmanchisquare and f.sf as reference)', () => {
    expect(across.datasets).toEqual([{ id: 'd0', budget: 5 }, { id: 'd0', budget: 'all' }, { id: 'd1', budget: 5 }, { id: 'd1', budget: 'all' }, { id: 'd2', budget: 5 }, { id: 'd2', budget: 'all' }]);
    expect(across.nDatasets).toBe(3);
    expect(across.ranks[0]).toEqual([2, 1, 3, 4]);
    expect(across.friedman!.averageRanks).toEqual([10 / 6, 13 / 6, 13 / 6, 4].map((r) => expect.closeTo(r, 12)));
    // stats.friedmanchisquare(*M.T) -> 11.400000000000006, p 0.009748366061536895
    expect(across.friedman!.statistic).toBeCloseTo(11.4, 9);
    expect(across.friedman!.pValue).toBeCloseTo(0.009748366061536895, 9);
    // F = (N-1)χ²/(N(k-1)-χ²) = 8.636…; stats.f.sf(F, 3, 15) -> 0.0014380482698313627
    expect(across.friedman!.imanDavenport.statistic).toBeCloseTo(8.636363636363647, 9);
    expect(across.friedman!.imanDavenport.pValue).toBeCloseTo(0.0014380482698313627, 8);
    // studentized_range.ppf(0.95, 4, inf)/√2 = 2.569 (Demšar Table 5a) × sqrt(4·5/(6·6))
    expect(across.cd).toBeCloseTo(1.9148432265902373, 4);
  });

  it('says the blocks are not independent, gives the full-budget-only test, and that N is too small', () => {
    // Full budgets only: friedmanchisquare -> 5.8; Iman–Davenport p = f.sf(…, 3, 6) = 0.08411202166683758
    expect(across.fullBudgetOnly!.statistic).toBeCloseTo(5.8, 9);
    expect(across.fullBudgetOnly!.imanDavenport.pValue).toBeCloseTo(0.08411202166683758, 8);
    const text = across.notes.join(' ');
    expect(text).toMatch(/6 blocks come from 3 datasets.*not independent.*optimistic.*N = 3 independent blocks\): Iman–Davenport p = 0\.084/);
    expect(text).toMatch(/N is too small for these rank tests to mean much: 3 independent dataset\(s\), fewer than the 10/);
    expect(across.vsControl!.map((v) => v.method)).toEqual(['transfer-learned', 'fine-tuned', 'random-backbone']);
    expect(across.vsControl![2].rankDifference).toBeCloseTo(4 - 10 / 6, 12);
  });

  it('leaves out a block where a compared method is missing, and a method missing at a full budget', () => {
    const noFt5 = compareAcrossDatasets(summaries.filter((s) => !(s.dataset === 'd1' && s.budget === 5 && s.method === 'fine-tuned')), { control: 'zero-bias-cae', metric: 'balanced_accuracy' });
    expect(noFt5.methods).toEqual(methods);
    expect(noFt5.datasets).toHaveLength(5);
    expect(noFt5.notes.join(' ')).toMatch(/1 dataset × budget block\(s\) left out/);
    const noFtAll = compareAcrossDatasets(summaries.filter((s) => !(s.dataset === 'd1' && s.budget === 'all' && s.method === 'fine-tuned')), { control: 'zero-bias-cae', metric: 'balanced_accuracy' });
    expect(noFtAll.methods).not.toContain('fine-tuned');
    expect(noFtAll.datasets).toHaveLength(6);
    const oneDataset = compareAcrossDatasets(summaries.filter((s) => s.dataset === 'd0'), { control: 'zero-bias-cae', metric: 'balanced_accuracy' });
    expect(oneDataset.friedman).toBeUndefined();
    expect(oneDataset.notes.join(' ')).toMatch(/at least 2 datasets and 2 methods.*have 1 dataset\(s\) \(2 dataset × budget block\(s\)\)/);
  });

  it('with enough datasets the sentence says the guidance is met', () => {
    expect(sampleSizeSentence(12, 36, 5, 1.02, 0.05)).toMatch(/^N = 12 datasets meets Demšar's \(2006\) guidance/);
  });
});

describe('critical-difference diagram of the ranking', () => {
  it('joins methods closer than the CD and labels N', () => {
    const across = compareAcrossDatasets(summaries, { control: 'zero-bias-cae', metric: 'balanced_accuracy' });
    const ranks = across.methods.map((method, j) => ({ method, rank: across.friedman!.averageRanks[j] }));
    // Ranks 1.67, 2.17, 2.17, 4.00 with CD 1.91: 4.00 − 1.67 = 2.33 > CD splits the best from the worst,
    // 4.00 − 2.17 = 1.83 < CD joins the middle two with random-backbone.
    expect(cdCliques(ranks, across.cd!)).toEqual([['zero-bias-cae', 'transfer-learned', 'fine-tuned'], ['transfer-learned', 'fine-tuned', 'random-backbone']]);
    const spec = JSON.stringify(cdChart({ ranks, cd: across.cd!, nDatasets: across.datasets.length, alpha: 0.05 }));
    expect(spec).toContain('N = 6 dataset × budget blocks');
  });
});
