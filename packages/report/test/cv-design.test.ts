import { describe, expect, it } from 'vitest';
import { correctedInterval, foldUnits, minimumDetectableDifference, planDesign, type ReplicateDifference } from '../src/stats/index.js';

/*
 * k = 3 folds × r = 2 repeats × G = 2 draws of paired differences. Reference: Python 3, NumPy 2.4,
 * SciPy 1.17.1 —
 *   means = per fold × repeat mean of the draws = [0.03, -0.01, 0.05, 0.015, 0.02, 0.03]
 *   se = sqrt((1/6 + 1/2) * means.var(ddof=1)); t = means.mean()/se; p = 2*stats.t.sf(|t|, 5)
 *   CI = means.mean() ± stats.t.ppf(0.975, 5) * se; within = mean of the per-fold var(ddof=1)
 */
const table: [number, number, number[]][] = [
  [0, 0, [0.05, 0.01]], [1, 0, [-0.02, 0.0]], [2, 0, [0.03, 0.07]],
  [0, 1, [0.04, -0.01]], [1, 1, [0.02, 0.02]], [2, 1, [0.06, 0.0]],
];
const diffs: ReplicateDifference[] = table.flatMap(([fold, repeat, ds]) => ds.map((difference, g) => ({ fold, repeat, replicate: String(g), difference })));

describe('foldUnits and the corrected repeated k-fold interval (SciPy reference)', () => {
  it('averages draws within each fold × repeat; pooled within-fold variance', () => {
    const u = foldUnits(diffs);
    expect(u).toMatchObject({ folds: 3, repeats: 2, replicates: 2 });
    [0.03, -0.01, 0.05, 0.015, 0.02, 0.03].forEach((m, i) => expect(u.means[i]).toBeCloseTo(m, 14));
    expect(u.withinVariance).toBeCloseTo(0.0008083333333333333, 14);
    expect(foldUnits(diffs.filter((d) => d.replicate === '0')).withinVariance).toBeUndefined();
  });

  it('SE² = (1/(k·r) + 1/(k−1))·s², df = k·r − 1', () => {
    const ci = correctedInterval(foldUnits(diffs).means, 3, 0.95);
    expect(ci.df).toBe(5);
    expect(ci.mean).toBeCloseTo(0.0225, 14);
    expect(ci.standardError).toBeCloseTo(0.016278820596099707, 12);
    expect(ci.statistic).toBeCloseTo(1.3821640128763903, 10);
    expect(ci.pValue).toBeCloseTo(0.22547866029932562, 8);
    expect(ci.low).toBeCloseTo(-0.019346040529916227, 8);
    expect(ci.high).toBeCloseTo(0.06434604052991623, 8);
  });

  it('refuses what it cannot test, naming the value', () => {
    expect(() => correctedInterval([0.01, 0.01, 0.01], 3, 0.95)).toThrow(/no variance \(all 0.01\)/);
    expect(() => correctedInterval([0.01, 0.02], 1, 0.95)).toThrow(/folds must be an integer ≥ 2, got 1/);
    expect(() => correctedInterval([0.01, 0.02], 2, 1)).toThrow(/confidenceLevel must lie strictly between 0 and 1, got 1/);
    expect(() => foldUnits([{ fold: 0, repeat: 0, replicate: '0', difference: NaN }])).toThrow(/fold 0, repeat 0, replicate 0 is NaN/);
  });
});

describe('power: minimum detectable difference and the design that reaches a target', () => {
  it('MDD = (t_{1−α/2,df} + t_{0.8,df})·SE (SciPy: se 0.015443445211480502, df 4)', () => {
    expect(minimumDetectableDifference(0.015443445211480502, 4, 0.05)).toBeCloseTo(0.05740961275928078, 8);
    expect(minimumDetectableDifference(0.015443445211480502, 4, 0.025)).toBeCloseTo(0.06851284490517702, 8);
    expect(() => minimumDetectableDifference(-1, 4, 0.05)).toThrow(/standardError ≥ 0/);
  });

  it('draws help until the fold-level variance dominates; the 1/(k−1) term sets a floor', () => {
    // Draws that agree within a fold: most of the variance is between folds.
    const tight: [number, number, number[]][] = [
      [0, 0, [0.05, 0.04]], [1, 0, [-0.02, -0.01]], [2, 0, [0.07, 0.06]],
      [0, 1, [0.03, 0.01]], [1, 1, [0.0, 0.01]], [2, 1, [0.06, 0.05]],
    ];
    const u = foldUnits(tight.flatMap(([fold, repeat, ds]) => ds.map((difference, g) => ({ fold, repeat, replicate: String(g), difference }))));
    // Projected: between = s² − within/2; MDD(r, G) = (t + t)·sqrt((1/(3r) + 1/2)(between + within/G)).
    const m = u.means.reduce((a, v) => a + v, 0) / 6;
    const s2 = u.means.reduce((a, v) => a + (v - m) ** 2, 0) / 5;
    const within = u.withinVariance!;
    const between = s2 - within / 2;
    expect(between).toBeGreaterThan(within);
    const floor = (1.959963984540054 + 0.8416212335729143) * Math.sqrt(between / 2);
    const target = 1.3 * floor;
    const plan = planDesign(u, target, 0.05);
    expect(plan.floor).toBeCloseTo(floor, 5);
    const mdd = (r: number, g: number) => minimumDetectableDifference(Math.sqrt((1 / (3 * r) + 1 / 2) * (between + within / g)), 3 * r - 1, 0.05);
    expect(plan.repeats).toBeDefined();
    expect(plan.repeats).toBeGreaterThan(2);
    expect(mdd(plan.repeats!, 2)).toBeLessThanOrEqual(target);
    expect(mdd(plan.repeats! - 1, 2)).toBeGreaterThan(target);
    // More draws alone cannot get there at 2 repeats: the between-fold part keeps the MDD above the target.
    expect(plan.draws).toBeUndefined();
    expect(mdd(2, 1000)).toBeGreaterThan(target);
    // A target below the floor cannot be reached by any number of repeats or draws.
    const unreachable = planDesign(u, plan.floor * 0.9, 0.05);
    expect(unreachable.repeats).toBeUndefined();
    expect(unreachable.draws).toBeUndefined();
  });
});
