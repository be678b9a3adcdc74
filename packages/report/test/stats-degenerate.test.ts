/** Degenerate and invalid inputs: documented outcomes, or errors that name the value at fault. */
import { describe, expect, it } from 'vitest';
import {
  correctedResampledTTest,
  friedman,
  holmVersusControl,
  mean,
  nemenyiCriticalDifference,
  pairedEffectSize,
  pairedTTest,
  rankData,
  wilcoxonSignedRank,
} from '../src/stats/index.js';

const same = [0.8, 0.75, 0.9, 0.85];

describe('all differences zero', () => {
  it('t-tests: statistic 0, p = 1 (scipy gives NaN; we report "no evidence")', () => {
    expect(pairedTTest(same, same)).toMatchObject({ statistic: 0, pValue: 1, df: 3, meanDifference: 0 });
    expect(correctedResampledTTest([0, 0, 0, 0, 0], { testTrainRatio: 0.25 })).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it('a constant non-zero difference gives ±Infinity and p = 0 in its direction, as scipy', () => {
    const r = pairedTTest([1.5, 2.5, 3.5], [1, 2, 3]);
    expect(r.statistic).toBe(Infinity);
    expect(r.pValue).toBe(0);
    expect(pairedTTest([1.5, 2.5, 3.5], [1, 2, 3], { alternative: 'less' }).pValue).toBe(1);
    expect(pairedEffectSize([1.5, 2.5, 3.5], [1, 2, 3]).cohensDz).toBe(Infinity);
  });

  it('Wilcoxon: p = 1 for every zero method and mode', () => {
    for (const zeroMethod of ['wilcox', 'pratt', 'zsplit'] as const) {
      for (const mode of ['auto', 'exact', 'approx'] as const) {
        const r = wilcoxonSignedRank(same, same, { zeroMethod, mode });
        expect(r.pValue, `${zeroMethod}/${mode}`).toBe(1);
        expect(Number.isNaN(r.statistic)).toBe(false);
      }
    }
    expect(wilcoxonSignedRank([0, 0, 0]).nZero).toBe(3);
  });

  it('Friedman with every row fully tied: statistic 0, p = 1, average ranks (k+1)/2', () => {
    const r = friedman([[1, 1, 1], [0.5, 0.5, 0.5]]);
    expect(r).toMatchObject({ statistic: 0, pValue: 1, averageRanks: [2, 2, 2] });
    expect(r.imanDavenport.pValue).toBe(1);
  });

  it('Friedman with perfect agreement: Iman–Davenport F is infinite, p = 0', () => {
    const r = friedman([[3, 2, 1], [0.9, 0.8, 0.7], [5, 4, 3]], { tieCorrection: false });
    expect(r.statistic).toBeCloseTo(6, 12); // N(k-1): the maximum of χ²F
    expect(r.imanDavenport.statistic).toBe(Infinity);
    expect(r.imanDavenport.pValue).toBe(0);
  });
});

describe('too few values', () => {
  it('n < 2 is an error naming the count', () => {
    expect(() => pairedTTest([1], [2])).toThrow(/pairedTTest: x has 1 value\(s\); at least 2 are needed/);
    expect(() => correctedResampledTTest([0.1], { testTrainRatio: 0.25 })).toThrow(/differences has 1 value/);
    expect(() => pairedEffectSize([], [])).toThrow(/at least 2/);
    expect(() => wilcoxonSignedRank([], [])).toThrow(/at least 1/);
    expect(() => friedman([[1, 2, 3]])).toThrow(/scores has 1 row\(s\)/);
    expect(() => friedman([[1], [2]])).toThrow(/1 column\(s\)/);
    expect(() => mean([])).toThrow(/mean: values has 0 value/);
  });

  it('critical differences reject impossible k, n, alpha', () => {
    expect(() => nemenyiCriticalDifference(1, 10)).toThrow(/k \(number of methods\) must be an integer >= 2, got 1/);
    expect(() => nemenyiCriticalDifference(4, 0)).toThrow(/n \(number of datasets\).* got 0/);
    expect(() => nemenyiCriticalDifference(4, 10, 5)).toThrow(/alpha .* got 5/);
  });
});

describe('NaN, infinities and mismatched lengths', () => {
  it('NaN or Infinity anywhere is an error naming the argument and index', () => {
    expect(() => pairedTTest([1, NaN, 3], [1, 2, 3])).toThrow(/pairedTTest: x\[1\] is NaN/);
    expect(() => pairedTTest([1, 2, 3], [1, 2, Infinity])).toThrow(/y\[2\] is Infinity/);
    expect(() => correctedResampledTTest([0.1, NaN], { testTrainRatio: 0.25 })).toThrow(/differences\[1\] is NaN/);
    expect(() => wilcoxonSignedRank([1, 2, NaN])).toThrow(/wilcoxonSignedRank: x\[2\] is NaN/);
    expect(() => friedman([[1, 2], [3, NaN]])).toThrow(/friedman: scores\[1\]\[1\] is NaN/);
    expect(() => rankData([0, NaN])).toThrow(/values\[1\] is NaN/);
    expect(() => mean([1, undefined as unknown as number])).toThrow(/values\[1\] is undefined/);
  });

  it('paired inputs of different length are an error naming both lengths', () => {
    expect(() => pairedTTest([1, 2, 3], [1, 2])).toThrow(/x has 3 values, y has 2/);
    expect(() => wilcoxonSignedRank([1, 2], [1, 2, 3, 4])).toThrow(/x has 2 values, y has 4/);
    expect(() => pairedEffectSize([1, 2], [1])).toThrow(/x has 2 values, y has 1/);
    expect(() => friedman([[1, 2, 3], [1, 2]])).toThrow(/row 1 has 2 scores but row 0 has 3/);
  });

  it('unknown option values are errors listing the allowed ones', () => {
    expect(() => wilcoxonSignedRank([1, 2], null, { zeroMethod: 'drop' as never })).toThrow(
      /unknown zeroMethod 'drop'; expected one of wilcox, pratt, zsplit/,
    );
    expect(() => wilcoxonSignedRank([1, 2], null, { mode: 'asymptotic' as never })).toThrow(/exact, approx, auto/);
    expect(() => pairedTTest([1, 2], [2, 1], { alternative: 'two' as never })).toThrow(/two-sided, less, greater/);
    expect(() => holmVersusControl([[1, 2], [2, 1]], 2)).toThrow(/control must be a column index in 0..1, got 2/);
  });
});
