/**
 * Published values from Demšar, "Statistical Comparisons of Classifiers over Multiple Data Sets",
 * JMLR 7 (2006): Table 6 (AUC of four C4.5 variants on 14 datasets), the worked Wilcoxon, Friedman,
 * Nemenyi and Holm examples, and Table 5 (critical values). Tie-corrected Friedman values are from
 * scipy 1.10.1 / R 4.2.2 (snippets in comments).
 */
import { describe, expect, it } from 'vitest';
import {
  bonferroniDunnCriticalDifference,
  friedman,
  holmVersusControl,
  nemenyiCriticalDifference,
  roundTo,
  wilcoxonSignedRank,
} from '../src/stats/index.js';

const c45 = [0.763, 0.599, 0.954, 0.628, 0.882, 0.936, 0.661, 0.583, 0.775, 1, 0.94, 0.619, 0.972, 0.957];
const c45m = [0.768, 0.591, 0.971, 0.661, 0.888, 0.931, 0.668, 0.583, 0.838, 1, 0.962, 0.666, 0.981, 0.978];
// 13th cell printed as .975 but ranked as if just above .975: .9751 (see the brief).
const c45cf = [0.771, 0.59, 0.968, 0.654, 0.886, 0.916, 0.609, 0.563, 0.866, 1, 0.965, 0.614, 0.9751, 0.946];
const c45mcf = [0.798, 0.569, 0.967, 0.657, 0.898, 0.931, 0.685, 0.625, 0.875, 1, 0.962, 0.669, 0.975, 0.97];
const table = c45.map((_, i) => [c45[i], c45m[i], c45cf[i], c45mcf[i]]);

describe('Demšar 2006 worked examples', () => {
  it('Wilcoxon C4.5+m vs C4.5: T = 12, z = -2.54, p ≈ 0.011 (zeros split, normal approximation)', () => {
    const d = roundTo(c45m.map((v, i) => v - c45[i]), 3);
    const r = wilcoxonSignedRank(d, null, { zeroMethod: 'zsplit', mode: 'approx' });
    expect(r.statistic).toBe(12);
    expect(r.rPlus).toBe(93);
    expect(r.z).toBeCloseTo(-2.54, 2);
    expect(r.pValue).toBeCloseTo(0.011, 3);
    // scipy 1.10.1: stats.wilcoxon(np.round(np.array(m) - np.array(c45), 3), zero_method='zsplit',
    //   mode='approx') -> (12.0, 0.01096849656422473)   (tie-corrected variance)
    expect(r.pValue).toBeCloseTo(0.01096849656422473, 12);
    expect(r.method).toBe('approx');
  });

  it('Friedman: average ranks 3.143 2.000 2.893 1.964, χ²F = 9.28, F_F = 3.69 (no tie correction)', () => {
    const r = friedman(table, { tieCorrection: false });
    expect(r.averageRanks.map((v) => Number(v.toFixed(3)))).toEqual([3.143, 2.0, 2.893, 1.964]);
    expect(r.statistic).toBeCloseTo(9.28, 2);
    expect(r.imanDavenport.statistic).toBeCloseTo(3.69, 2);
    expect(r.df).toBe(3);
    expect([r.imanDavenport.df1, r.imanDavenport.df2]).toEqual([3, 39]);
    expect(r.n).toBe(14);
    expect(r.k).toBe(4);
    // Demšar: F(3, 39) critical value at 0.05 is 2.85, so F_F = 3.69 rejects; scipy 1.10.1:
    // stats.f.sf(ff, 3, 39) with ff computed from the untied χ² gives ≈ 0.0197.
    expect(r.imanDavenport.pValue).toBeLessThan(0.05);
    expect(r.imanDavenport.pValue).toBeCloseTo(0.0197, 3);
  });

  it('Friedman with tie correction matches scipy and R', () => {
    // scipy 1.10.1: stats.friedmanchisquare(c45, m, cf, mcf) -> (10.228346456692925, 0.016721580328441323)
    // R 4.2.2: friedman.test(cbind(c45, m, cf, mcf)) -> 10.228346456692913, 0.016721580328441409
    // F_F from it: ff = 13 * chi / (42 - chi); stats.f.sf(ff, 3, 39) -> (4.1851301115241695, 0.011620659515310954)
    const r = friedman(table);
    expect(r.statistic).toBeCloseTo(10.228346456692925, 10);
    expect(r.pValue).toBeCloseTo(0.016721580328441323, 10);
    expect(r.imanDavenport.statistic).toBeCloseTo(4.1851301115241695, 10);
    // jstat's incomplete beta stops its continued fraction at 3e-7 per step: ~1e-8 relative here.
    expect(r.imanDavenport.pValue).toBeCloseTo(0.011620659515310954, 8);
  });

  it('Friedman ranks errors with higherIsBetter: false (same χ², mirrored ranks)', () => {
    const errors = table.map((row) => row.map((v) => 1 - v));
    const r = friedman(errors, { higherIsBetter: false, tieCorrection: false });
    expect(r.averageRanks.map((v) => Number(v.toFixed(3)))).toEqual([3.143, 2.0, 2.893, 1.964]);
  });

  it('Nemenyi critical difference for k = 4, N = 14, α = 0.05 is 1.25', () => {
    expect(nemenyiCriticalDifference(4, 14, 0.05)).toBeCloseTo(1.25, 2);
  });

  it('Nemenyi q_α matches R qtukey(1-α, k, Inf)/sqrt(2) to 1e-6 for k = 2..10 (Demšar Table 5a: q0.05 = 2.569 at k = 4)', () => {
    // R 4.2.2: sapply(2:10, function(k) qtukey(0.95, k, Inf) / sqrt(2))
    const r05 = [1.9599639847662103, 2.3437005879021418, 2.5690317774207276, 2.7277743825185543, 2.849705443271294,
      2.9483200607221756, 3.030878522595204, 3.1017304575085647, 3.1636837535027902];
    // R 4.2.2: sapply(2:10, function(k) qtukey(0.90, k, Inf) / sqrt(2))
    const r10 = [1.6448536269820513, 2.0522927305491994, 2.2913414969963037, 2.4595157644295171, 2.5885206021414437,
      2.6927321012596801, 2.7798836085299117, 2.8546064316726052, 2.9198888406470949];
    for (let k = 2; k <= 10; k++) {
      // CD / sqrt(k(k+1)/(6n)) with n = 1 isolates q_α.
      const q05 = nemenyiCriticalDifference(k, 1, 0.05) / Math.sqrt((k * (k + 1)) / 6);
      const q10 = nemenyiCriticalDifference(k, 1, 0.1) / Math.sqrt((k * (k + 1)) / 6);
      expect(Math.abs(q05 - r05[k - 2])).toBeLessThan(1e-6);
      expect(Math.abs(q10 - r10[k - 2])).toBeLessThan(1e-6);
    }
    expect(nemenyiCriticalDifference(4, 1, 0.05) / Math.sqrt(20 / 6)).toBeCloseTo(2.569, 3);
  });

  it('Bonferroni–Dunn q_α = z_{1-α/(2(k-1))} as scipy', () => {
    // scipy 1.10.1: [stats.norm.ppf(1 - a / (2 * (k - 1))) for k in range(2, 11)], a = 0.05 and 0.10.
    // (Demšar's Table 5b prints 2.724 for k = 9 at 0.05; the quantile is 2.734.)
    const q05 = [1.959963984540054, 2.241402727604947, 2.3939797998185104, 2.497705474412374, 2.5758293035489004,
      2.638257273476751, 2.690109527158867, 2.7343687865331767, 2.7729212946086634];
    const q10 = [1.6448536269514722, 1.959963984540054, 2.128045234184983, 2.241402727604947, 2.3263478740408408,
      2.3939797998185104, 2.44999766060273, 2.497705474412374, 2.539184813651313];
    for (let k = 2; k <= 10; k++) {
      const scale = Math.sqrt((k * (k + 1)) / 6);
      expect(bonferroniDunnCriticalDifference(k, 1, 0.05) / scale).toBeCloseTo(q05[k - 2], 9);
      expect(bonferroniDunnCriticalDifference(k, 1, 0.1) / scale).toBeCloseTo(q10[k - 2], 9);
    }
  });

  it("Holm against control C4.5: both +m variants differ, +cf does not (Demšar's §3.2.2 example)", () => {
    const rows = holmVersusControl(table, 0, { alpha: 0.05 });
    expect(rows.map((r) => r.method)).toEqual([1, 2, 3]);
    // z = (R_j - R_control) / sqrt(4·5 / (6·14)); ranks 2.000, 2.893, 1.964 vs 3.143
    expect(rows.map((r) => Number(r.z.toFixed(2)))).toEqual([-2.34, -0.51, -2.42]);
    expect(rows.map((r) => r.reject)).toEqual([true, false, true]);
    // scipy 1.10.1: R = mean of stats.rankdata(-row) per dataset; z = (R[1:] - R[0]) / sqrt(20 / 84);
    //   p = 2 * stats.norm.sf(abs(z)); R 4.2.2: p.adjust(p, 'holm')
    const z = [-2.3421601750764793, -0.5123475382979799, -2.4153526805476195];
    const p = [0.019172484755223106, 0.6084078002329985, 0.015719980210024593];
    const adjusted = [0.047159940630073782, 0.60840780023299845, 0.047159940630073782];
    rows.forEach((r, i) => {
      expect(r.z).toBeCloseTo(z[i], 12);
      expect(r.pValue).toBeCloseTo(p[i], 9);
      expect(r.adjustedPValue).toBeCloseTo(adjusted[i], 9);
    });
    expect(holmVersusControl(table, 0, { alpha: 0.04 }).map((r) => r.reject)).toEqual([false, false, false]);
  });
});
