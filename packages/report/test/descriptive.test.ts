import { describe, expect, it } from 'vitest';
import { mean, quantile, sd, variance } from '../src/stats/index.js';
import { mulberry32 } from '../src/stats/random.js';

/** The hand-written versions the module used before it moved to simple-statistics (second implementation). */
const naive = {
  mean: (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length,
  variance: (v: number[]) => { const m = naive.mean(v); return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1); },
  quantile: (v: number[], p: number) => {
    const s = [...v].sort((a, b) => a - b);
    const h = (s.length - 1) * p, lo = Math.floor(h), hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (h - lo) * (s[hi] - s[lo]);
  },
};

describe('descriptive statistics through simple-statistics', () => {
  // NumPy 2.4: x.mean(), x.var(ddof=1), x.std(ddof=1), np.quantile(x, p) (linear = type 7).
  const x = [0.82, 0.85, 0.79, 0.88, 0.84, 1e-9, 3.5, -2.25];
  it('matches NumPy', () => {
    expect(mean(x)).toBeCloseTo(0.678750000125, 14);
    expect(variance(x)).toBeCloseTo(2.4465553569489282, 14);
    expect(sd(x)).toBeCloseTo(1.5641468463507282, 14);
    const ps = [0, 0.1, 0.25, 0.5, 0.9, 1];
    const ref = [-2.25, -0.6749999992999999, 0.59250000025, 0.83, 1.6659999999999995, 3.5];
    ps.forEach((p, i) => expect(quantile(x, p)).toBeCloseTo(ref[i], 13));
  });

  it('agrees with the former hand-written versions to rounding on random data', () => {
    const rand = mulberry32(3);
    for (let trial = 0; trial < 50; trial++) {
      const v = Array.from({ length: 2 + Math.floor(rand() * 40) }, () => (rand() - 0.3) * 10 ** Math.floor(rand() * 4));
      expect(Math.abs(mean(v) - naive.mean(v))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(naive.mean(v))));
      expect(Math.abs(variance(v) - naive.variance(v))).toBeLessThanOrEqual(1e-10 * Math.max(1, naive.variance(v)));
      for (const p of [0, 0.05, 0.5, 0.975, 1]) expect(quantile(v, p)).toBe(naive.quantile(v, p));
    }
  });

  it('keeps its own input checks (simple-statistics would return NaN or throw without the name)', () => {
    expect(() => mean([])).toThrow(/mean: values has 0 value\(s\); at least 1 are needed/);
    expect(() => variance([1, NaN])).toThrow(/variance: values\[1\] is NaN/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/p must lie in \[0, 1\], got 1.5/);
    expect(variance([0.1, 0.1, 0.1, 0.1])).toBe(0);
  });
});
