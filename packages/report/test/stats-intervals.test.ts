/**
 * Intervals, effect sizes, descriptive helpers and distribution tails. References: Newcombe (1998,
 * Statistics in Medicine 17:857, Table I, score method) and R 4.2.2 for Wilson intervals; R's
 * t.test for the paired interval; scipy 1.10.1 / numpy 1.24.2 for the rest (snippets inline).
 */
import { describe, expect, it } from 'vitest';
import {
  binomialCdf,
  bootstrapCI,
  chiSquareSf,
  fSf,
  mean,
  mulberry32,
  normalQuantile,
  normalSf,
  pairedEffectSize,
  quantile,
  rankData,
  sd,
  tQuantile,
  tSf,
  wilsonInterval,
} from '../src/stats/index.js';

const rel = (actual: number, expected: number, tol: number) =>
  expect(Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300)).toBeLessThan(tol);

describe('wilsonInterval', () => {
  it("matches Newcombe 1998 Table I (4 decimals) and R's prop.test(correct = FALSE) to 1e-9", () => {
    // R 4.2.2: prop.test(x, n, correct = FALSE)$conf.int
    const ref: [number, number, number, number][] = [
      [81, 263, 0.25528851987827428, 0.36620957698280016], // Newcombe: 0.2553, 0.3662
      [15, 148, 0.062386399530736283, 0.160487241723308], // 0.0624, 0.1605
      [0, 20, 0, 0.1611251580528193], // 0.0000, 0.1611
      [1, 29, 0.006113214292762661, 0.17175521879320282], // 0.0061, 0.1718
      [29, 29, 0.88303020150025935, 1],
      [850, 1000, 0.82653134157319974, 0.87078992748691164],
    ];
    for (const [k, n, low, high] of ref) {
      const ci = wilsonInterval(k, n);
      expect(ci.estimate).toBe(k / n);
      expect(ci.low).toBeCloseTo(low, 9);
      expect(ci.high).toBeCloseTo(high, 9);
    }
    // prop.test(81, 263, correct = FALSE, conf.level = 0.9)$conf.int
    const ci90 = wilsonInterval(81, 263, 0.9);
    expect(ci90.low).toBeCloseTo(0.26331361718848145, 9);
    expect(ci90.high).toBeCloseTo(0.35656634960848815, 9);
  });

  it('rejects impossible counts and levels', () => {
    expect(() => wilsonInterval(5, 0)).toThrow(/trials is 0/);
    expect(() => wilsonInterval(6, 5)).toThrow(/successes \(6\) exceed trials \(5\)/);
    expect(() => wilsonInterval(2.5, 5)).toThrow(/successes must be a non-negative integer, got 2.5/);
    expect(() => wilsonInterval(2, 5, 95)).toThrow(/confidenceLevel .* got 95/);
  });
});

describe('pairedEffectSize', () => {
  it("mean difference interval matches R's t.test(paired = TRUE); d_z as numpy", () => {
    const x = [0.81, 0.79, 0.84, 0.77, 0.8, 0.83, 0.78, 0.82, 0.85, 0.79];
    const y = [0.78, 0.8, 0.8, 0.75, 0.77, 0.8, 0.79, 0.78, 0.81, 0.76];
    // R 4.2.2: t.test(x, y, paired = TRUE)$conf.int -> 0.01042705702321076 0.037572942976789196
    // numpy: d.mean() / d.std(ddof=1) -> 1.2649110640673518
    const e = pairedEffectSize(x, y);
    expect(e.meanDifference.estimate).toBeCloseTo(0.024, 12);
    expect(e.meanDifference.low).toBeCloseTo(0.01042705702321076, 9);
    expect(e.meanDifference.high).toBeCloseTo(0.037572942976789196, 9);
    expect(e.cohensDz).toBeCloseTo(1.2649110640673518, 10);
    expect(e.n).toBe(10);
  });
});

describe('bootstrapCI', () => {
  // Symmetric sample: the normal scores Φ⁻¹((i - 0.5) / 50).
  const sample = Array.from({ length: 50 }, (_, i) => normalQuantile((i + 0.5) / 50));
  const meanOf = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;

  it('is reproducible for a seed and changes with the seed', () => {
    const a = bootstrapCI(sample, meanOf, { seed: 7, nResamples: 500 });
    const b = bootstrapCI(sample, meanOf, { seed: 7, nResamples: 500 });
    const c = bootstrapCI(sample, meanOf, { seed: 8, nResamples: 500 });
    expect(a).toEqual(b);
    expect(c.low).not.toBe(a.low);
  });

  it('approaches the normal-theory interval mean ± z·σ̂/√n for a symmetric sample', () => {
    const ci = bootstrapCI(sample, meanOf, { seed: 1, nResamples: 20000 });
    const m = mean(sample);
    const sePlugIn = Math.sqrt(sample.reduce((s, v) => s + (v - m) ** 2, 0) / sample.length / sample.length);
    const half = 1.959963984540054 * sePlugIn;
    expect(ci.estimate).toBeCloseTo(m, 14);
    expect(Math.abs(ci.low - (m - half))).toBeLessThan(0.06 * half);
    expect(Math.abs(ci.high - (m + half))).toBeLessThan(0.06 * half);
    expect(Math.abs(ci.standardError - sePlugIn)).toBeLessThan(0.03 * sePlugIn);
  });

  it('covers the true mean of N(0, 1) samples about 95% of the time (400 samples of 30)', () => {
    const rng = mulberry32(123);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    let covered = 0;
    for (let t = 0; t < 400; t++) {
      const s = Array.from({ length: 30 }, gauss);
      const ci = bootstrapCI(s, meanOf, { seed: t, nResamples: 999 });
      if (ci.low <= 0 && 0 <= ci.high) covered++;
    }
    // Percentile intervals undercover slightly at n = 30 (≈ 93-94%); binomial sd at 400 ≈ 1.2%.
    expect(covered / 400).toBeGreaterThan(0.89);
    expect(covered / 400).toBeLessThan(0.98);
  });

  it('resamples whole records, so paired statistics keep their pairing', () => {
    const pairs = sample.map((v, i) => ({ a: v + 1, b: i % 2 }));
    const diffs = pairs.map((p) => p.a - p.b);
    const viaPairs = bootstrapCI(pairs, (r) => meanOf(r.map((p) => p.a - p.b)), { seed: 3, nResamples: 300 });
    const viaDiffs = bootstrapCI(diffs, meanOf, { seed: 3, nResamples: 300 });
    expect(viaPairs.low).toBeCloseTo(viaDiffs.low, 12);
    expect(viaPairs.high).toBeCloseTo(viaDiffs.high, 12);
  });

  it('reports a statistic that is not finite on a resample, and bad options', () => {
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const bad = (r: number[]) => (r.includes(1) ? 1 : NaN);
    expect(() => bootstrapCI(labels, bad, { seed: 0, nResamples: 200 })).toThrow(/statistic of resample \d+ is NaN/);
    expect(() => bootstrapCI([1], meanOf)).toThrow(/samples has 1 value/);
    expect(() => bootstrapCI(sample, meanOf, { nResamples: 0 })).toThrow(/nResamples must be a positive integer, got 0/);
    expect(() => bootstrapCI(sample, meanOf, { confidenceLevel: 1 })).toThrow(/confidenceLevel/);
  });
});

describe('descriptive helpers', () => {
  it('rankData averages ties like scipy.stats.rankdata', () => {
    // stats.rankdata([3,1,4,1,5,9,2,6,5,3,5])
    expect(rankData([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])).toEqual([4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8]);
  });

  it('quantile is numpy.quantile (linear); mean and sd (ddof = 1)', () => {
    // np.quantile([3,1,4,1,5,9,2,6], 0.025) -> 1.0; 0.9 -> 6.8999999999999995
    expect(quantile([3, 1, 4, 1, 5, 9, 2, 6], 0.025)).toBe(1);
    expect(quantile([3, 1, 4, 1, 5, 9, 2, 6], 0.9)).toBeCloseTo(6.9, 14);
    expect(quantile([3, 1, 4, 1, 5, 9, 2, 6], 1)).toBe(9);
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(() => sd([1])).toThrow(/at least 2/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/p must lie in \[0, 1\], got 1.5/);
  });
});

describe('distribution tails (jstat) against scipy', () => {
  it('t, chi-square, F, normal, binomial', () => {
    // stats.t.sf(2.5, 7), stats.t.sf(-1.2, 30), stats.chi2.sf(9.28, 3), stats.chi2.sf(40, 2),
    // stats.f.sf(3.69, 3, 39), stats.norm.sf(3.1), stats.norm.ppf(0.975), stats.t.ppf(0.975, 9),
    // stats.binom.cdf(4980, 10000, 0.5), stats.binom.cdf(3, 40, 0.5)
    rel(tSf(2.5, 7), 0.020496109292876437, 1e-7);
    rel(tSf(-1.2, 30), 0.8802348245551688, 1e-7);
    rel(chiSquareSf(9.28, 3), 0.025790724198756772, 1e-7);
    rel(chiSquareSf(40, 2), 2.0611536224385566e-9, 1e-6);
    rel(fSf(3.69, 3, 39), 0.019744099689488835, 1e-7);
    rel(normalSf(3.1), 0.0009676032132183563, 1e-9);
    rel(normalQuantile(0.975), 1.959963984540054, 1e-12);
    rel(tQuantile(0.975, 9), 2.2621571627409915, 1e-7);
    rel(binomialCdf(4980, 10000, 0.5), 0.34826929248839317, 1e-6); // incomplete beta at a = 5020: ~1e-7
    rel(binomialCdf(3, 40, 0.5), 9.732502803672105e-9, 1e-7);
  });
});
