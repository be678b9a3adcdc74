import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun } from '../src/results/read.js';
import type { ResultRow } from '../src/results/types.js';
import { compareWithControl } from '../src/significance.js';
import { writeSyntheticRun, type SyntheticOptions } from '../src/synthetic.js';
import { assessClaims, type ClaimVerdict } from '../src/verdict.js';

/*
 * Hand-made 5-fold accuracies: zero-bias-cae A, transfer-learned B, fine-tuned F and a third
 * baseline P (pixel-cae) that must NOT enter the verdict's Holm family.
 * Reference values: Python 3, SciPy 1.17.1, with
 *   d = np.round(A - X, 12); se = sqrt((1/5 + 1/4) * d.var(ddof=1)); t = d.mean()/se
 *   p = 2*stats.t.sf(|t|, 4); CI = d.mean() ± stats.t.ppf(0.975, 4)*se; d_z = d.mean()/d.std(ddof=1)
 *   stats.wilcoxon(d).pvalue; Holm by hand (sorted p, (m-j)·p, running max) over [p_B, p_F]
 *   (and over [p_B, p_F, p_P] to show the family matters).
 */
const A = [0.82, 0.85, 0.79, 0.88, 0.84];
const B = [0.8, 0.82, 0.8, 0.84, 0.79];
const F = [0.84, 0.86, 0.83, 0.87, 0.85];
const P = [0.83, 0.84, 0.8, 0.87, 0.84];
const rows = (method: string, scores: number[], dataset = 'd1'): ResultRow[] =>
  scores.map((value, fold) => ({ dataset, method, fold, repeat: 0, budget: 'all', seed: 0, metric: 'accuracy', value }));
const handMade = [...rows('zero-bias-cae', A), ...rows('transfer-learned', B), ...rows('fine-tuned', F), ...rows('pixel-cae', P)];

describe('assessClaims on hand-made scores (SciPy reference)', () => {
  const [tl, ft] = assessClaims(handMade, { control: 'zero-bias-cae' });

  it('effect size: mean difference, corrected resampled t interval and Cohen’s d_z', () => {
    expect(tl.baseline).toBe('transfer-learned');
    expect(tl.nUnits).toBe(5);
    expect(tl.meanDifference).toBeCloseTo(0.026, 12);
    expect(tl.ciLow).toBeCloseTo(-0.016877877864805338, 8);
    expect(tl.ciHigh).toBeCloseTo(0.06887787786480534, 8);
    expect(tl.cohensDz).toBeCloseTo(1.1293678311839803, 10);
    expect(ft.meanDifference).toBeCloseTo(-0.014, 12);
    expect(ft.ciLow).toBeCloseTo(-0.04783391999448561, 8);
    expect(ft.ciHigh).toBeCloseTo(0.0198339199944856, 8);
    expect(ft.cohensDz).toBeCloseTo(-0.7706746355884525, 10);
  });

  it('p-values with Holm over the two claims only, not every baseline in the run', () => {
    expect(tl.tTest!.statistic).toBeCloseTo(1.683562161419258, 10);
    expect(tl.tTest!.pValue).toBeCloseTo(0.16755322147892307, 8);
    expect(ft.tTest!.pValue).toBeCloseTo(0.3146428580335044, 8);
    expect(tl.tTest!.pHolm).toBeCloseTo(0.33510644, 7);
    expect(ft.tTest!.pHolm).toBeCloseTo(0.33510644, 7);
    expect(tl.wilcoxon!.pValue).toBeCloseTo(0.125, 10);
    expect(tl.wilcoxon!.pHolm).toBeCloseTo(0.25, 10);
    expect(ft.wilcoxon!.pHolm).toBeCloseTo(0.25, 10);
    // The significance section's family holds all three baselines: Holm there gives 0.503 / 0.629.
    const all = compareWithControl(handMade, [], { control: 'zero-bias-cae' });
    expect(all.find((c) => c.baseline === 'transfer-learned')!.tTest!.pHolm).toBeCloseTo(0.50265966, 7);
    expect(all.find((c) => c.baseline === 'fine-tuned')!.tTest!.pHolm).toBeCloseTo(0.62928572, 7);
  });

  it('sentences follow the stated rule', () => {
    // Not significant; CI reaches above +2 points → a gain is still possible.
    expect(tl.outcome).toBe('inconclusive');
    expect(tl.sentence).toBe('Inconclusive at this sample size: Δ +2.6 points over transfer-learned is not significant (p_holm = 0.335) and the 95% CI [−1.7, +6.9] still allows a gain of 2 points or more.');
    // Not significantly worse, mean −1.4 ≥ −2, CI [−4.8, +1.98] does not reach +2: "close" by the rule, with the caveat.
    expect(ft.outcome).toBe('reproduces');
    expect(ft.sentence).toBe('Reproduces: zero-bias-cae comes close to fine-tuned — not significantly worse (p_holm = 0.335) and Δ −1.4 points ≥ −2 points (95% CI [−4.8, +2.0]); the CI still allows a loss of up to 4.8 points.');
  });

  it('a wider margin changes "close" to inconclusive only through the stated rule', () => {
    const [, wide] = assessClaims(handMade, { control: 'zero-bias-cae', margin: 0.01 });
    // Δ −1.4 < −1 point and not significant.
    expect(wide.outcome).toBe('inconclusive');
    expect(wide.sentence).toMatch(/^Inconclusive at this sample size: Δ −1\.4 points/);
  });

  it('rejects a metric that is not a [0, 1] score and a bad margin', () => {
    expect(() => assessClaims(handMade, { control: 'zero-bias-cae', metric: 'fit_seconds' })).toThrow(/metric 'fit_seconds' is not a \[0, 1\] score; use one of accuracy/);
    expect(() => assessClaims(handMade, { control: 'zero-bias-cae', margin: 2 })).toThrow(/margin must be in \(0, 1\)/);
  });
});

describe('assessClaims on synthetic runs with controlled effects', () => {
  let root: string;
  beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-verdict-'))));
  afterAll(() => rm(root, { recursive: true, force: true }));

  // 2 classes × 1000 images, 5 folds → 200 test images per fold; correlated draws: Δ ≈ skill difference.
  const run = async (name: string, methods: SyntheticOptions['methods'], extra: SyntheticOptions = {}) => {
    const dir = join(root, name);
    await writeSyntheticRun(dir, { datasets: [{ id: 'ds', classes: ['a', 'b'], nSamples: 1000 }], methods, budgets: ['all'], correlated: true, ...extra });
    return assessClaims((await readRun(dir)).results, { control: 'zero-bias-cae' });
  };
  const by = (vs: ClaimVerdict[], baseline: string) => vs.find((v) => v.baseline === baseline)!;

  it('clear gain over transfer-learned → reproduces; equal to fine-tuned → close, reproduces', async () => {
    const vs = await run('gain', [{ id: 'zero-bias-cae', skill: 0.9 }, { id: 'transfer-learned', skill: 0.8 }, { id: 'fine-tuned', skill: 0.9 }]);
    expect(by(vs, 'transfer-learned').outcome).toBe('reproduces');
    expect(by(vs, 'transfer-learned').sentence).toMatch(/^Reproduces: zero-bias-cae is significantly better than transfer-learned \(Δ \+\d+\.\d points/);
    expect(by(vs, 'transfer-learned').meanDifference).toBeGreaterThan(0.07);
    expect(by(vs, 'fine-tuned').meanDifference).toBe(0);
    expect(by(vs, 'fine-tuned').outcome).toBe('reproduces');
    expect(by(vs, 'fine-tuned').sentence).toMatch(/comes close to fine-tuned/);
  });

  it('clear loss → does not reproduce, for both claims', async () => {
    const vs = await run('loss', [{ id: 'zero-bias-cae', skill: 0.75 }, { id: 'transfer-learned', skill: 0.85 }, { id: 'fine-tuned', skill: 0.9 }]);
    for (const v of vs) {
      expect(v.outcome, v.baseline).toBe('does not reproduce');
      expect(v.sentence).toMatch(new RegExp(`^Does not reproduce: zero-bias-cae is significantly worse than ${v.baseline} \\(Δ −`));
      expect(v.tTest!.pHolm).toBeLessThan(0.05);
    }
  });

  it('a tiny difference under large fold-to-fold noise → inconclusive at this sample size', async () => {
    const vs = await run('noisy', [
      { id: 'zero-bias-cae', skill: 0.84, foldSkills: [0.9, 0.76, 0.92, 0.78, 0.86] },
      { id: 'transfer-learned', skill: 0.84, foldSkills: [0.8, 0.88, 0.82, 0.86, 0.83] },
      { id: 'fine-tuned', skill: 0.84, foldSkills: [0.79, 0.9, 0.8, 0.88, 0.85] },
    ]);
    for (const v of vs) {
      expect(Math.abs(v.meanDifference!), v.baseline).toBeLessThan(0.02);
      expect(v.outcome, v.baseline).toBe('inconclusive');
      expect(v.sentence).toMatch(/^Inconclusive at this sample size: .*spans both a meaningful gain and a meaningful loss/);
    }
  });

  it('no gain at all, with enough precision → does not reproduce (the CI rules a gain out)', async () => {
    const vs = await run('tie', [{ id: 'zero-bias-cae', skill: 0.85 }, { id: 'transfer-learned', skill: 0.85 }]);
    const tl = by(vs, 'transfer-learned');
    expect(tl.meanDifference).toBe(0);
    expect(tl.outcome).toBe('does not reproduce');
    expect(tl.sentence).toBe('Does not reproduce: no significant gain over transfer-learned, and the 95% CI [±0.0, ±0.0] rules out a gain of 2 points or more (Δ ±0.0; p_holm = 1.000).');
    // fine-tuned absent: said so, not a crash; Holm then has a family of one.
    expect(by(vs, 'fine-tuned')).toMatchObject({ outcome: 'not run', sentence: 'Not assessed: fine-tuned has no results for this dataset and budget.' });
    expect(tl.notes).toContain('Holm over 1 comparison(s): the other baseline was not run here');
  });

  it('the proposed method absent → every claim "not run"; official-split rows never enter the verdict', async () => {
    const vs = await run('no-control', [{ id: 'transfer-learned', skill: 0.8 }, { id: 'fine-tuned', skill: 0.9 }], { official: true });
    expect(vs.map((v) => [v.baseline, v.outcome])).toEqual([['transfer-learned', 'not run'], ['fine-tuned', 'not run']]);
    expect(vs[0].sentence).toBe('Not assessed: zero-bias-cae has no results for this dataset and budget.');
    const official = await run('official-only', [{ id: 'zero-bias-cae', skill: 0.9 }, { id: 'transfer-learned', skill: 0.8 }], { official: true, folds: 1 });
    // One CV fold: no fold test; the official split (also present) is not used for it.
    expect(by(official, 'transfer-learned')).toMatchObject({ outcome: 'inconclusive', nUnits: 1 });
    expect(by(official, 'transfer-learned').sentence).toBe('Inconclusive at this sample size: 1 paired fold(s): the t and Wilcoxon tests need at least 2.');
  });
});
