import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../src/results/types.js';
import { compareWithControl } from '../src/significance.js';
import { assessClaims, decideClaim, type ClaimVerdict } from '../src/verdict.js';

const pt = (x: number) => x / 100;
const T = { smallestGain: pt(1), margin: pt(2) };

describe('decideClaim: outcomes written from the rule’s definition (points → metric units)', () => {
  // Better than: reproduces iff the CI lies above 0; does not iff its upper bound < δ; else inconclusive.
  it.each([
    ['CI +0.5..+4 lies above 0', 0.5, 4, 'reproduces'],
    ['CI +0.2..+0.8 lies above 0 (a gain smaller than δ still reproduces)', 0.2, 0.8, 'reproduces'],
    ['CI −3..+0.8: upper bound below δ = 1', -3, 0.8, 'does not reproduce'],
    ['CI −6..−2: below 0, hence below δ', -6, -2, 'does not reproduce'],
    ['CI −1..+3 holds 0 and δ', -1, 3, 'inconclusive'],
    ['CI −0.5..+1 reaches δ exactly: not below δ', -0.5, 1, 'inconclusive'],
    ['CI 0..+5 touches 0: not above it', 0, 5, 'inconclusive'],
  ] as const)('better: %s → %s', (_, low, high, outcome) => {
    expect(decideClaim('better', pt(low), pt(high), T)).toBe(outcome);
  });

  // Close to (non-inferiority, margin 2): reproduces iff lower bound > −2; does not iff upper bound < −2.
  it.each([
    ['CI −5..+1 with margin 2 (the issue’s example)', -5, 1, 'inconclusive'],
    ['CI −1.5..+3: lower bound above −2', -1.5, 3, 'reproduces'],
    ['CI −1.9..−0.1: a significant loss smaller than the margin is still non-inferior', -1.9, -0.1, 'reproduces'],
    ['CI −6..−2.5: upper bound below −2', -6, -2.5, 'does not reproduce'],
    ['CI −2..+1: lower bound equal to −2 is not above it', -2, 1, 'inconclusive'],
    ['CI −4..−2: upper bound equal to −2 is not below it', -4, -2, 'inconclusive'],
  ] as const)('close: %s → %s', (_, low, high, outcome) => {
    expect(decideClaim('close', pt(low), pt(high), T)).toBe(outcome);
  });

  it('the thresholds come from the config: a wider margin turns −5..+1 into non-inferior', () => {
    expect(decideClaim('close', pt(-5), pt(1), { smallestGain: pt(1), margin: pt(6) })).toBe('reproduces');
    expect(decideClaim('better', pt(-1), pt(2.5), { smallestGain: pt(3), margin: pt(2) })).toBe('does not reproduce');
    expect(() => decideClaim('better', 0.1, 0.05)).toThrow(/\[0.1, 0.05\] is not an interval/);
  });
});

/*
 * Hand-made 5-fold scores on the primary metric (balanced accuracy) for two datasets with the same
 * numbers, so that each claim's family holds m = 2 cells and the printed interval is the 97.5% one.
 * zero-bias-cae A, transfer-learned B, fine-tuned F, pixel-cae P (P is its own family).
 * Reference: Python 3, SciPy 1.17.1:
 *   d = np.round(A - X, 12); se = sqrt((1/5 + 1/4) * d.var(ddof=1)); p = 2*stats.t.sf(|d.mean()/se|, 4)
 *   CI = d.mean() ± stats.t.ppf(1 - 0.05/(2*2), 4) * se
 *   MDD = (stats.t.ppf(1 - 0.05/(2*2), 4) + stats.t.ppf(0.8, 4)) * se
 */
const A = [0.82, 0.85, 0.79, 0.88, 0.84];
const B = [0.8, 0.82, 0.8, 0.84, 0.79];
const F = [0.84, 0.86, 0.83, 0.87, 0.85];
const P = [0.83, 0.84, 0.8, 0.87, 0.84];
const rows = (method: string, scores: number[], dataset: string, metric = 'balanced_accuracy'): ResultRow[] =>
  scores.map((value, fold) => ({ dataset, method, fold, repeat: 0, budget: 'all', seed: 0, metric, value }));
const cell = (dataset: string) => [...rows('zero-bias-cae', A, dataset), ...rows('transfer-learned', B, dataset), ...rows('fine-tuned', F, dataset), ...rows('pixel-cae', P, dataset)];
const handMade = [...cell('d1'), ...cell('d2')];
const by = (vs: ClaimVerdict[], dataset: string, baseline: string) => vs.find((v) => v.dataset === dataset && v.baseline === baseline)!;

describe('assessClaims on hand-made scores (SciPy reference)', () => {
  const comparisons = compareWithControl(handMade, [], { control: 'zero-bias-cae' });
  const verdicts = assessClaims(comparisons, { control: 'zero-bias-cae' });
  const tl = by(verdicts, 'd1', 'transfer-learned');
  const ft = by(verdicts, 'd1', 'fine-tuned');

  it('one Bonferroni family per claim across both cells: the 97.5% corrected interval', () => {
    expect(tl.familySize).toBe(2);
    expect(tl.confidenceLevel).toBeCloseTo(0.975, 12);
    expect(tl.meanDifference).toBeCloseTo(0.026, 12);
    expect(tl.ciLow).toBeCloseTo(-0.027981110010701575, 8);
    expect(tl.ciHigh).toBeCloseTo(0.07998111001070157, 8);
    expect(tl.pAdjusted).toBeCloseTo(2 * 0.16755322147892307, 8);
    expect(ft.ciLow).toBeCloseTo(-0.05659521805333392, 8);
    expect(ft.ciHigh).toBeCloseTo(0.028595218053333916, 8);
    expect(tl.power!.mdd).toBeCloseTo(0.06851284490517702, 8);
    expect(ft.power!.mdd).toBeCloseTo(0.0540618665976249, 8);
  });

  it('decisions follow the rule: CI −2.8..+8.0 inconclusive; close CI −5.7..+2.9 with margin 2 inconclusive', () => {
    expect(tl.outcome).toBe('inconclusive');
    expect(tl.sentence).toBe('Inconclusive: the interval holds both no gain and a gain of δ = 1 point over transfer-learned (Δ +2.6 points, 97.5% CI [−2.8, +8.0] (Bonferroni over 2 cells)).');
    expect(ft.outcome).toBe('inconclusive');
    expect(ft.sentence).toBe('Inconclusive: the interval holds both a loss of more than 2 points and one within 2 points of fine-tuned (Δ −1.4 points, 97.5% CI [−5.7, +2.9] (Bonferroni over 2 cells)).');
    // A 6-point margin: the lower bound −5.7 is above −6 → non-inferior.
    const wide = assessClaims(comparisons, { control: 'zero-bias-cae', thresholds: { smallestGain: 0.01, margin: 0.06 } });
    expect(by(wide, 'd1', 'fine-tuned').outcome).toBe('reproduces');
  });

  it('the verdict and the significance section print the same interval (same object, same family)', () => {
    const c = comparisons.find((x) => x.dataset === 'd1' && x.baseline === 'transfer-learned')!;
    expect([c.test!.ciLow, c.test!.ciHigh, c.test!.pAdjusted]).toEqual([tl.ciLow, tl.ciHigh, tl.pAdjusted]);
    // pixel-cae is no claim: its family is its own (m = 2 as well), it does not widen the claims' intervals.
    const p = comparisons.find((x) => x.dataset === 'd1' && x.baseline === 'pixel-cae')!;
    expect(p.test!.familySize).toBe(2);
  });

  it('a family spans the run: a third cell widens every interval of that claim', () => {
    const three = compareWithControl([...handMade, ...cell('d3')], [], { control: 'zero-bias-cae' });
    const v = by(assessClaims(three, { control: 'zero-bias-cae' }), 'd1', 'transfer-learned');
    expect(v.familySize).toBe(3);
    expect(v.confidenceLevel).toBeCloseTo(1 - 0.05 / 3, 12);
    expect(v.ciHigh! - v.ciLow!).toBeGreaterThan(tl.ciHigh! - tl.ciLow!);
  });
});

describe('not testable, said in those words with the reason', () => {
  const control = 'zero-bias-cae';
  it('a baseline within δ of 100% leaves no headroom (the cell then leaves the family)', () => {
    const ceiling = [...rows(control, [1, 0.995, 1, 0.99, 1], 'mednist'), ...rows('transfer-learned', [1, 1, 0.995, 1, 0.995], 'mednist')];
    const vs = assessClaims(compareWithControl([...ceiling, ...cell('d1')], [], { control }), { control });
    const v = by(vs, 'mednist', 'transfer-learned');
    expect(v.outcome).toBe('not testable');
    expect(v.sentence).toBe('Not testable: transfer-learned scores 99.8% balanced accuracy, leaving 0.2 points of headroom, less than the smallest gain of interest δ = 1 point.');
    expect(v.ciLow).toBeUndefined();
    expect(by(vs, 'd1', 'transfer-learned').familySize).toBe(1);
  });

  it('all-zero and constant non-zero differences: no interval, no t = ±∞', () => {
    const zero = [...rows(control, A, 'z'), ...rows('transfer-learned', A, 'z')];
    const constant = [...rows(control, A, 'c'), ...rows('transfer-learned', A.map((a) => a - 0.03), 'c')];
    const vs = assessClaims(compareWithControl([...zero, ...constant], [], { control }), { control });
    expect(by(vs, 'z', 'transfer-learned')).toMatchObject({ outcome: 'not testable', sentence: 'Not testable: the paired differences have no variance (every fold gives Δ = 0.0 points), so no interval can be formed.' });
    expect(by(vs, 'c', 'transfer-learned')).toMatchObject({ outcome: 'not testable', sentence: 'Not testable: the paired differences have no variance (every fold gives Δ = 3.0 points), so no interval can be formed.' });
    expect(by(vs, 'c', 'transfer-learned').pAdjusted).toBeUndefined();
  });

  it('one fold: not testable; an absent baseline: not run', () => {
    const one = [...rows(control, [0.8], 'o'), ...rows('transfer-learned', [0.7], 'o')];
    const vs = assessClaims(compareWithControl(one, [], { control }), { control });
    expect(by(vs, 'o', 'transfer-learned').sentence).toBe('Not testable: 1 paired fold(s) from 1 fold index(es): the corrected t needs at least 2 folds.');
    expect(by(vs, 'o', 'fine-tuned')).toMatchObject({ outcome: 'not run', sentence: 'Not assessed: fine-tuned has no results for this dataset and budget.' });
  });

  it('rejects thresholds outside (0, 1) metric units', () => {
    expect(() => assessClaims([], { control, thresholds: { smallestGain: 1, margin: 0.02 } })).toThrow(/smallestGain and margin must lie in \(0, 1\)/);
  });
});

describe('the primary metric decides; the others are reported beside it', () => {
  it('accuracy differences do not change a balanced-accuracy verdict, and are shown', () => {
    const control = 'zero-bias-cae';
    const data = [...cell('d1'), ...rows(control, [0.9, 0.9, 0.9, 0.9, 0.91], 'd1', 'accuracy'), ...rows('transfer-learned', [0.5, 0.5, 0.5, 0.5, 0.5], 'd1', 'accuracy')];
    const comparisons = compareWithControl(data, [], { control });
    const c = comparisons.find((x) => x.baseline === 'transfer-learned')!;
    expect(c.metric).toBe('balanced_accuracy');
    expect(c.meanDifference).toBeCloseTo(0.026, 12);
    expect(c.otherDifferences.accuracy).toBeCloseTo(0.402, 12);
    const onAccuracy = compareWithControl(data, [], { control, metric: 'accuracy' }).find((x) => x.baseline === 'transfer-learned')!;
    expect(onAccuracy.test!.ciLow).toBeGreaterThan(0);
  });
});
