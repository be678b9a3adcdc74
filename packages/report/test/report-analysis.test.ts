import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareAcrossDatasets } from '../src/across.js';
import { readRun } from '../src/results/read.js';
import type { RunData } from '../src/results/types.js';
import { compareWithControl } from '../src/significance.js';
import { summarize, type Summary } from '../src/summary.js';

/*
 * A hand-made 5-fold run: zero-bias-cae (A), transfer-learned (B), random-backbone (C), accuracy
 *   A = [0.82, 0.85, 0.79, 0.88, 0.84], B = [0.80, 0.82, 0.80, 0.84, 0.79], C = [0.60, 0.66, 0.58, 0.70, 0.61]
 * and 10 test images on fold 0: A right on 0-7, B right on 0-3 and 8-9, C right on 0-1.
 * Reference values below were produced with Python 3 / SciPy 1.17.1 (jstat-based quantiles and
 * p-values agree to ~1e-9, hence 8-digit tolerances there):
 *   d = round(A - X, 12); se = sqrt((1/5 + 1/4) * d.var(ddof=1)); t = d.mean()/se;
 *   p = 2*stats.t.sf(|t|, 4); CI = d.mean() ± stats.t.ppf(0.975, 4)*se; stats.wilcoxon(d);
 *   Holm by hand (sorted p, (m-j)·p, running max); stats.binomtest(min(b,c), b+c, 0.5).pvalue;
 *   summary CI of A: A.mean() ± stats.t.ppf(0.975, 4)*sqrt(1/5 + 1/4)*A.std(ddof=1).
 */
const A = [0.82, 0.85, 0.79, 0.88, 0.84];
const B = [0.8, 0.82, 0.8, 0.84, 0.79];
const C = [0.6, 0.66, 0.58, 0.7, 0.61];

let dir: string;
let run: RunData;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'udtl-analysis-'));
  let results = 'dataset,method,fold,repeat,budget,seed,metric,value\n';
  const methods: [string, number[]][] = [['zero-bias-cae', A], ['transfer-learned', B], ['random-backbone', C]];
  for (const [method, scores] of methods) scores.forEach((v, fold) => (results += `d1,${method},${fold},0,all,0,accuracy,${v}\n`));
  let predictions = 'dataset,method,fold,repeat,budget,seed,sample_id,true,pred,p_x,p_y\n';
  const right: Record<string, (i: number) => boolean> = {
    'zero-bias-cae': (i) => i < 8,
    'transfer-learned': (i) => i < 4 || i >= 8,
    'random-backbone': (i) => i < 2,
  };
  for (const [method] of methods) for (let i = 0; i < 10; i++) predictions += `d1,${method},0,0,all,0,s${i},x,${right[method](i) ? 'x' : 'y'},,\n`;
  await writeFile(join(dir, 'results.csv'), results);
  await writeFile(join(dir, 'predictions.csv'), predictions);
  run = await readRun(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('summarize', () => {
  it('gives mean, sd and the Nadeau–Bengio corrected 95% CI (SciPy reference)', () => {
    const a = summarize(run.results).find((s) => s.method === 'zero-bias-cae')!;
    expect(a.n).toBe(5);
    expect(a.mean).toBeCloseTo(0.836, 12);
    expect(a.sd).toBeCloseTo(0.03361547262794322, 12);
    expect(a.ciLow).toBeCloseTo(0.7733913167829182, 8);
    expect(a.ciHigh).toBeCloseTo(0.8986086832170818, 8);
  });

  it('with draws, the CI is over fold means (draws share the fold), not over every draw', () => {
    // Each fold's two draws are A ± 0.01: fold means = A, so the CI equals the one without draws.
    const drawn = run.results.filter((r) => r.method === 'zero-bias-cae').flatMap((r) => [0, 1].map((draw) => ({ ...r, draw, value: r.value + (draw ? 0.01 : -0.01) })));
    const a = summarize(drawn)[0];
    expect(a.n).toBe(10);
    expect(a.ciLow).toBeCloseTo(0.7733913167829182, 8);
    expect(a.ciHigh).toBeCloseTo(0.8986086832170818, 8);
  });

  it('leaves sd and CI undefined for a single score and clips [0,1] metrics', () => {
    const rows = [
      { dataset: 'd', method: 'm', fold: 0, repeat: 0, budget: 'all' as const, seed: 0, metric: 'accuracy', value: 0.99 },
      { dataset: 'd', method: 'm', fold: 1, repeat: 0, budget: 'all' as const, seed: 0, metric: 'accuracy', value: 0.8 },
      { dataset: 'd', method: 'n', fold: 0, repeat: 0, budget: 'all' as const, seed: 0, metric: 'accuracy', value: 0.7 },
    ];
    const [m, n] = summarize(rows) as Summary[];
    expect(m.ciHigh).toBe(1);
    expect(m.ciLow).toBe(0);
    expect(n.n).toBe(1);
    expect(n.sd).toBeUndefined();
    expect(n.ciLow).toBeUndefined();
  });
});

describe('compareWithControl', () => {
  const opts = { control: 'zero-bias-cae', metric: 'accuracy' };
  it('corrected t with ratio 1/(k-1) on fold means; one cell → family of one, the plain 95% interval (SciPy reference)', () => {
    const cs = compareWithControl(run.results, run.predictions, opts);
    expect(cs.map((c) => c.baseline).sort()).toEqual(['random-backbone', 'transfer-learned']);
    const b = cs.find((c) => c.baseline === 'transfer-learned')!;
    const c = cs.find((c) => c.baseline === 'random-backbone')!;
    expect(b).toMatchObject({ nUnits: 5, folds: 5, repeats: 1, replicates: 1 });
    expect(b.meanDifference).toBeCloseTo(0.026, 12);
    expect(b.test!.statistic).toBeCloseTo(1.683562161419258, 9);
    expect(b.test!.pValue).toBeCloseTo(0.16755322147892307, 8);
    expect(b.test!.familySize).toBe(1);
    expect(b.test!.pAdjusted).toBe(b.test!.pValue);
    expect(b.test!.ciLow).toBeCloseTo(-0.016877877864805338, 8);
    expect(b.test!.ciHigh).toBeCloseTo(0.06887787786480534, 8);
    expect(c.test!.statistic).toBeCloseTo(14.80903418660554, 8);
    expect(c.test!.pValue).toBeCloseTo(0.00012104764218751577, 10);
  });

  it('Wilcoxon on the per-fold means; McNemar is not used on cross-validation folds', () => {
    const cs = compareWithControl(run.results, run.predictions, opts);
    const b = cs.find((c) => c.baseline === 'transfer-learned')!;
    const c = cs.find((c) => c.baseline === 'random-backbone')!;
    expect(b.wilcoxon!.statistic).toBe(1);
    expect(b.wilcoxon!.pValue).toBeCloseTo(0.125, 12);
    expect(c.wilcoxon!.pValue).toBeCloseTo(0.0625, 12);
    expect(b.mcnemar).toBeUndefined();
    // 5 folds: exact Wilcoxon cannot go below p = 2/32, so the report says it cannot reach 0.05.
    expect(b.notes.join(' ')).toMatch(/cannot reach p_adj < 0.05/);
  });

  it('states plain-language verdicts from the adjusted interval', () => {
    const cs = compareWithControl(run.results, run.predictions, opts);
    expect(cs.find((c) => c.baseline === 'random-backbone')!.verdict).toMatch(/^zero-bias-cae is better than random-backbone \(adjusted 95% CI \[\+\d+\.\d, \+\d+\.\d\] above 0; p_adj < 0.001\)$/);
    expect(cs.find((c) => c.baseline === 'transfer-learned')!.verdict).toBe(
      'no significant difference at this sample size (adjusted 95% CI [−1.7, +6.9] includes 0; p_adj = 0.168)',
    );
    // Swapping the roles flips the direction.
    const back = compareWithControl(run.results, run.predictions, { ...opts, control: 'random-backbone' });
    expect(back.find((c) => c.baseline === 'zero-bias-cae')!.verdict).toMatch(/^random-backbone is worse than zero-bias-cae/);
  });

  it('one fold: not testable, and why', () => {
    const oneFold = run.results.filter((r) => r.fold === 0);
    const [c] = compareWithControl(oneFold, run.predictions, opts);
    expect(c.test).toBeUndefined();
    expect(c.wilcoxon).toBeUndefined();
    expect(c.verdict).toBe('not testable: 1 paired fold(s) from 1 fold index(es): the corrected t needs at least 2 folds');
  });

  it('McNemar on one official split only, never on pooled seeds (scipy binomtest reference)', () => {
    const official = (seed: number) => run.predictions.filter((p) => p.fold === 0).map((p) => ({ ...p, fold: 'official' as const, seed }));
    const results = run.results.filter((r) => r.fold === 0).flatMap((r) => [0, 1].map((seed) => ({ ...r, fold: 'official' as const, seed })));
    const cs = compareWithControl(results, [...official(0), ...official(1)], opts);
    const b = cs.find((c) => c.baseline === 'transfer-learned')!;
    const c = cs.find((c) => c.baseline === 'random-backbone')!;
    // b = 4, c = 2 on seed 0 alone (pooling both seeds would give 8, 4).
    expect([b.mcnemar!.b, b.mcnemar!.c, c.mcnemar!.b, c.mcnemar!.c]).toEqual([4, 2, 6, 0]);
    expect(b.mcnemar!.pValue).toBeCloseTo(0.6875, 12);
    expect(c.mcnemar!.pValue).toBeCloseTo(0.03125, 12);
    expect(b.mcnemar!.split).toBe('seed 0, draw 0');
    expect(b.notes.join(' ')).toContain('McNemar on one split (seed 0, draw 0) of 2: pooling them would count each test image 2 times');
    expect(c.verdict).toBe('zero-bias-cae is better than random-backbone on this split (McNemar, p_adj = 0.031)');
    expect(b.test).toBeUndefined();
  });

  it('averages seeds and draws within a fold: the fold, not the replicate, is the unit', () => {
    const rows = run.results.flatMap((r) => [0, 1].map((draw) => ({ ...r, draw, value: r.value + (draw ? 0.01 : -0.01) * (r.method === 'zero-bias-cae' ? 1 : -1) })));
    const b = compareWithControl(rows, [], opts).find((c) => c.baseline === 'transfer-learned')!;
    expect(b).toMatchObject({ nUnits: 5, replicates: 2 });
    // The ±1-point draw effects cancel in each fold mean: the same test as without draws.
    expect(b.test!.statistic).toBeCloseTo(1.683562161419258, 9);
    expect(b.notes.join(' ')).toMatch(/2 replicates \(seeds × labelled draws\) per fold averaged/);
  });
});

describe('compareAcrossDatasets', () => {
  const means = [
    [0.88, 0.84, 0.92, 0.49],
    [0.85, 0.91, 0.9, 0.63],
    [0.88, 0.84, 0.86, 0.62],
  ];
  const methods = ['zero-bias-cae', 'transfer-learned', 'fine-tuned', 'random-backbone'];
  const summaries: Summary[] = means.flatMap((row, i) =>
    row.map((mean, j) => ({ dataset: `d${i}`, method: methods[j], budget: 'all' as const, protocol: 'cv' as const, metric: 'accuracy', n: 5, mean })),
  );

  it('Friedman, average ranks and Nemenyi CD (SciPy friedmanchisquare; Demšar 2006 Table 5a q = 2.569)', () => {
    const across = compareAcrossDatasets(summaries, { control: 'zero-bias-cae' });
    expect(across.friedman!.statistic).toBeCloseTo(5.8, 9);
    expect(across.friedman!.pValue).toBeCloseTo(0.1217566197112535, 9);
    expect(across.friedman!.averageRanks).toEqual([2, 7 / 3, 5 / 3, 4].map((r) => expect.closeTo(r, 12)));
    expect(across.cd).toBeCloseTo(2.569 * Math.sqrt((4 * 5) / (6 * 3)), 3);
    expect(across.vsControl!.map((v) => v.method)).toEqual(['transfer-learned', 'fine-tuned', 'random-backbone']);
    expect(across.notes.join(' ')).toMatch(/does not reject/);
  });

  it('declines with one dataset or one method and leaves out methods missing on a dataset', () => {
    expect(compareAcrossDatasets(summaries.filter((s) => s.dataset === 'd0'), { control: 'zero-bias-cae' }).notes.join(' ')).toMatch(/at least 2 datasets and 2 methods.*1 dataset/);
    const partial = compareAcrossDatasets(summaries.filter((s) => !(s.dataset === 'd2' && s.method === 'fine-tuned')), { control: 'zero-bias-cae' });
    expect(partial.methods).not.toContain('fine-tuned');
    expect(partial.notes[0]).toMatch(/left out.*fine-tuned/);
    expect(partial.friedman!.k).toBe(3);
  });
});
