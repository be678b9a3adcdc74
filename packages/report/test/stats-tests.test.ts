/**
 * Two-sample tests against scipy 1.10.1 (Debian python3-scipy) and R 4.2.2. Each reference value
 * sits next to the snippet that produced it. jstat's incomplete beta stops its continued fraction
 * at 3e-7 per step, so t/F p-values are compared to 1e-8 relative; everything else tighter.
 */
import { describe, expect, it } from 'vitest';
import {
  correctedResampledTTest,
  holm,
  mcnemar,
  mcnemarCounts,
  pairedTTest,
  wilcoxonNullPmf,
  wilcoxonSignedRank,
} from '../src/stats/index.js';

const rel = (actual: number, expected: number, tol: number) =>
  expect(Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300)).toBeLessThan(tol);

// Ten folds of two methods' accuracies (made-up but realistic).
const x = [0.81, 0.79, 0.84, 0.77, 0.8, 0.83, 0.78, 0.82, 0.85, 0.79];
const y = [0.78, 0.8, 0.8, 0.75, 0.77, 0.8, 0.79, 0.78, 0.81, 0.76];

describe('pairedTTest', () => {
  it('matches scipy.stats.ttest_rel for every alternative', () => {
    // for alt in ['two-sided','less','greater']: stats.ttest_rel(x, y, alternative=alt)
    const ref = {
      'two-sided': 0.003110428310385856,
      less: 0.998444785844807,
      greater: 0.001555214155192928,
    } as const;
    for (const alternative of ['two-sided', 'less', 'greater'] as const) {
      const r = pairedTTest(x, y, { alternative });
      expect(r.statistic).toBeCloseTo(3.9999999999999996, 12);
      expect(r.df).toBe(9);
      rel(r.pValue, ref[alternative], 1e-7);
    }
    expect(pairedTTest(y, x).statistic).toBeCloseTo(-4, 12);
  });
});

describe('correctedResampledTTest', () => {
  const d = x.map((v, i) => v - y[i]);

  it('with testTrainRatio 0 is the one-sample t-test of the differences (scipy ttest_1samp)', () => {
    // stats.ttest_1samp(d, 0) -> (3.9999999999999996, 0.003110428310385856)
    const r = correctedResampledTTest(d, { testTrainRatio: 0 });
    expect(r.statistic).toBeCloseTo(4, 12);
    rel(r.pValue, 0.003110428310385856, 1e-7);
  });

  it("applies Nadeau & Bengio's variance factor 1/J + n2/n1 (10-fold: 1/9), df = J - 1", () => {
    // Second implementation, numpy/scipy 1.10.1: J = 10; tc = d.mean() / np.sqrt((1/J + 1/9) * d.var(ddof=1))
    //   -> 2.7529888064467407; 2 * stats.t.sf(abs(tc), J-1) -> 0.022367189680572108;
    //   stats.t.sf(tc, J-1) -> 0.011183594840286054
    const r = correctedResampledTTest(d, { testTrainRatio: 1 / 9 });
    expect(r.statistic).toBeCloseTo(2.7529888064467407, 12);
    expect(r.df).toBe(9);
    rel(r.pValue, 0.022367189680572108, 1e-7);
    rel(correctedResampledTTest(d, { testTrainRatio: 1 / 9, alternative: 'greater' }).pValue, 0.011183594840286054, 1e-7);
    // The correction can only widen: less evidence than the naive test.
    expect(r.pValue).toBeGreaterThan(pairedTTest(x, y).pValue);
  });

  it('rejects a missing or negative testTrainRatio with a clear message', () => {
    expect(() => correctedResampledTTest(d, {} as never)).toThrow(/testTrainRatio/);
    expect(() => correctedResampledTTest(d, { testTrainRatio: -1 })).toThrow(/testTrainRatio.*-1/);
  });
});

describe('wilcoxonSignedRank', () => {
  // Darwin's corn data from scipy's docstring (Cureton via Hollander & Wolfe).
  const corn = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

  it('exact p-values match scipy (n = 15, no ties)', () => {
    // stats.wilcoxon(corn) -> (24.0, 0.041259765625); alternative='greater' -> (96.0, 0.0206298828125);
    // alternative='less' -> (96.0, 0.982330322265625)
    const two = wilcoxonSignedRank(corn);
    expect([two.statistic, two.method]).toEqual([24, 'exact']);
    expect(two.pValue).toBeCloseTo(0.041259765625, 14);
    const greater = wilcoxonSignedRank(corn, null, { alternative: 'greater' });
    expect(greater.statistic).toBe(96);
    expect(greater.pValue).toBeCloseTo(0.0206298828125, 14);
    expect(wilcoxonSignedRank(corn, null, { alternative: 'less' }).pValue).toBeCloseTo(0.982330322265625, 14);
  });

  it('normal approximation with and without continuity correction matches scipy', () => {
    // stats.wilcoxon(corn, mode='approx') -> (24.0, 0.04088813291185591)
    // ... correction=True -> 0.043772323763041174; correction=True, alternative='less' -> (96.0, 0.9809166843332187)
    rel(wilcoxonSignedRank(corn, null, { mode: 'approx' }).pValue, 0.04088813291185591, 1e-9);
    rel(wilcoxonSignedRank(corn, null, { mode: 'approx', correction: true }).pValue, 0.043772323763041174, 1e-9);
    const less = wilcoxonSignedRank(corn, null, { mode: 'approx', correction: true, alternative: 'less' });
    expect(less.statistic).toBe(96);
    rel(less.pValue, 0.9809166843332187, 1e-9);
  });

  // n = 20 differences with three zeros and many ties: 'auto' goes to the normal approximation.
  const dz = [0.02, -0.01, 0, 0.03, 0.02, 0, -0.02, 0.05, 0.01, 0.04, 0.02, -0.03, 0.06, 0, 0.01, 0.03, -0.01, 0.02, 0.07, 0.04];

  it("zero methods × correction × alternative (ties, zeros) match scipy's tie-corrected approximation", () => {
    // for zm in ['wilcox','pratt','zsplit']: for corr in [False, True]: for alt in ['two-sided','greater']:
    //   stats.wilcoxon(dz, zero_method=zm, correction=corr, mode='approx', alternative=alt)
    const ref: [string, boolean, 'two-sided' | 'greater', number, number][] = [
      ['wilcox', false, 'two-sided', 23, 0.010924788584147303],
      ['wilcox', false, 'greater', 130, 0.0054623942920736515],
      ['wilcox', true, 'two-sided', 23, 0.011691897594450513],
      ['wilcox', true, 'greater', 130, 0.005845948797225256],
      ['pratt', false, 'two-sided', 35, 0.011898867237542902],
      ['pratt', false, 'greater', 169, 0.005949433618771451],
      ['pratt', true, 'two-sided', 35, 0.012547523533412156],
      ['pratt', true, 'greater', 169, 0.006273761766706078],
      ['zsplit', false, 'two-sided', 38, 0.012078935602581223],
      ['zsplit', false, 'greater', 172, 0.006039467801290612],
      ['zsplit', true, 'two-sided', 38, 0.012734836071023407],
      ['zsplit', true, 'greater', 172, 0.0063674180355117035],
    ];
    for (const [zeroMethod, correction, alternative, statistic, p] of ref) {
      const r = wilcoxonSignedRank(dz, null, { zeroMethod: zeroMethod as never, correction, alternative, mode: 'approx' });
      expect(r.statistic).toBe(statistic);
      rel(r.pValue, p, 1e-9);
    }
    // R 4.2.2: wilcox.test(dz, exact=FALSE, correct=TRUE) -> V = 130, p = 0.011691897594450515
    const auto = wilcoxonSignedRank(dz, null, { correction: true });
    expect(auto.method).toBe('approx');
    rel(auto.pValue, 0.011691897594450515, 1e-9);
  });

  it('two-sample form equals the one-sample form on x - y', () => {
    const a = corn.map((v) => v + 100);
    const b = corn.map(() => 100);
    expect(wilcoxonSignedRank(a, b)).toEqual(wilcoxonSignedRank(corn));
  });

  it("exact mode with ties rounds R+ conservatively (scipy >= 1.13 rule)", () => {
    // Second implementation on scipy 1.10.1's exact null: pmf = _get_wilcoxon_distr(12) (probabilities);
    // rp = 59.5; p = min(1, 2*min(pmf[floor(rp):].sum(), pmf[:ceil(rp)+1].sum())) -> 0.12939453125
    const dt = [1, 2, -2, 3, -4, 5, 6, 6, 7, 8, -9, 10];
    const r = wilcoxonSignedRank(dt, null, { mode: 'exact' });
    expect(r.rPlus).toBe(59.5);
    expect(r.pValue).toBeCloseTo(0.12939453125, 14);
    expect(wilcoxonSignedRank(dt, null, { mode: 'exact', alternative: 'less' }).pValue).toBeCloseTo(0.953857421875, 14);
    expect(wilcoxonSignedRank(dt, null, { mode: 'exact', alternative: 'greater' }).pValue).toBeCloseTo(0.064697265625, 14);
  });

  it("'auto' with ties or zeros and n <= 13 runs the exact sign-flip permutation test", () => {
    // Brute force in Python (itertools.product over all 2^n sign vectors, ranks from stats.rankdata,
    // R+ recomputed per flip; zsplit adds half the zero ranks; p_less = mean(null <= obs), p_greater =
    // mean(null >= obs), two-sided = min(1, 2 min)):
    //   wilcox: 39.5 -> two-sided 0.05078125, greater 0.025390625
    //   pratt: 53.5 -> 0.05859375, 0.029296875;  zsplit: 55.0 -> 0.05859375, 0.029296875
    const dp = [0.03, -0.01, 0, 0.02, 0.02, 0.05, -0.02, 0.04, 0, 0.01, 0.06];
    const ref = [
      ['wilcox', 39.5, 0.05078125, 0.025390625],
      ['pratt', 53.5, 0.05859375, 0.029296875],
      ['zsplit', 55.0, 0.05859375, 0.029296875],
    ] as const;
    for (const [zeroMethod, rPlus, two, greater] of ref) {
      const r = wilcoxonSignedRank(dp, null, { zeroMethod });
      expect(r.method).toBe('permutation');
      expect(r.rPlus).toBe(rPlus);
      expect(r.pValue).toBeCloseTo(two, 14);
      expect(wilcoxonSignedRank(dp, null, { zeroMethod, alternative: 'greater' }).pValue).toBeCloseTo(greater, 14);
    }
  });

  it("'auto' picks exact for n <= 50 without ties and the approximation above 50", () => {
    const distinct = Array.from({ length: 51 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1));
    expect(wilcoxonSignedRank(distinct.slice(0, 50)).method).toBe('exact');
    expect(wilcoxonSignedRank(distinct).method).toBe('approx');
    expect(wilcoxonSignedRank(dz.slice(0, 14)).method).toBe('approx'); // ties, n = 14 > 13
  });

  it('exact null distribution: first probabilities for n = 10 as scipy, sums to 1, symmetric', () => {
    // from scipy.stats._hypotests import _get_wilcoxon_distr; list(_get_wilcoxon_distr(10)[:12]) -> below, len 56
    const ref = [0.0009765625, 0.0009765625, 0.0009765625, 0.001953125, 0.001953125, 0.0029296875, 0.00390625,
      0.0048828125, 0.005859375, 0.0078125, 0.009765625, 0.0107421875];
    const pmf = wilcoxonNullPmf(10);
    expect(pmf.length).toBe(56);
    expect(Array.from(pmf.slice(0, 12))).toEqual(ref);
    expect(pmf.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    for (let i = 0; i < 56; i++) expect(pmf[i]).toBe(pmf[55 - i]);
  });
});

describe('mcnemar', () => {
  it("chi-square with continuity correction on [[794, 86], [150, 570]] matches R's mcnemar.test", () => {
    // R 4.2.2: mcnemar.test(matrix(c(794,86,150,570),2)) -> 16.817796610169491, p 4.1145622813459436e-05
    const r = mcnemar({ b: 86, c: 150 }, { exact: false });
    expect(r.statistic).toBeCloseTo(16.817796610169491, 12);
    rel(r.pValue, 4.1145622813459436e-05, 1e-6);
    expect(r.df).toBe(1);
    // correct=FALSE -> 17.35593220338983, 3.0992934410452182e-05
    const plain = mcnemar({ b: 86, c: 150 }, { exact: false, correction: false });
    expect(plain.statistic).toBeCloseTo(17.35593220338983, 12);
    rel(plain.pValue, 3.0992934410452182e-05, 1e-6);
    // b = c: R applies no correction -> statistic 0, p 1
    expect(mcnemar({ b: 5, c: 5 }, { exact: false })).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it('exact binomial version (default): b = 1, c = 9 gives p = 0.021484375', () => {
    // scipy: stats.binomtest(1, 10, 0.5).pvalue -> 0.021484375; binomtest(86, 236).pvalue -> 3.715936139571387e-05
    const r = mcnemar({ b: 1, c: 9 });
    expect(r.exact).toBe(true);
    expect(r.pValue).toBeCloseTo(0.021484375, 12);
    expect(mcnemar({ b: 9, c: 1 }).pValue).toBeCloseTo(0.021484375, 12);
    rel(mcnemar({ b: 86, c: 150 }).pValue, 3.715936139571387e-5, 1e-6);
    expect(mcnemar({ b: 0, c: 0 }).pValue).toBe(1);
    expect(mcnemar({ b: 3, c: 3 }).pValue).toBe(1);
  });

  it('counts discordant pairs from predictions, and rejects bad counts', () => {
    const truth = [0, 1, 1, 0, 2, 2, 1];
    const a = [0, 1, 0, 0, 2, 1, 1]; // wrong at 2, 5
    const b = [0, 0, 1, 1, 2, 1, 0]; // wrong at 1, 3, 5, 6
    expect(mcnemarCounts(truth, a, b)).toEqual({ b: 3, c: 1 });
    expect(() => mcnemarCounts(truth, a, b.slice(1))).toThrow(/truth 7, predictionsA 7, predictionsB 6/);
    expect(() => mcnemar({ b: -1, c: 2 })).toThrow(/b must be a non-negative integer, got -1/);
    expect(() => mcnemar({ b: 1.5, c: 2 })).toThrow(/b must be/);
    expect(() => mcnemar({ b: 1, c: NaN })).toThrow(/c must be .* got NaN/);
  });
});

describe('holm', () => {
  it("matches R's p.adjust(method = 'holm') in the input order", () => {
    // R 4.2.2: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2), 'holm') -> 0.04 0.09 0.09 0.025 0.2
    const adjusted = holm([0.01, 0.04, 0.03, 0.005, 0.2]);
    [0.04, 0.09, 0.09, 0.025, 0.2].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 14));
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
    expect(holm([])).toEqual([]);
    expect(() => holm([0.1, 1.2])).toThrow(/pValues\[1\] = 1.2 is not a probability/);
    expect(() => holm([0.1, NaN])).toThrow(/pValues\[1\] is NaN/);
  });
});
