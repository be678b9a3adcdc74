import { describe, expect, it } from 'vitest';
import { learnerRejectionRate, monteCarloSE, rejectionRate, type Design, type NoiseModel } from '../src/stats/index.js';

/*
 * Seeded Monte-Carlo calibration of the report's test (fold means of the draws → corrected
 * repeated k-fold t, two-sided α = 0.05) for every design the config can express. Under Δ = 0 the
 * false-positive rate must be ≤ 0.05 + 2 Monte-Carlo standard errors; the power at a 3-point
 * effect is printed (it depends on the assumed noise, so it is recorded, not asserted).
 * Noise in points; "brain MRI-like": a fold-level sd of 3 points gives the 9–14 point wide 5-fold
 * intervals measured on brain MRI, plus 2 points per labelled draw.
 */
const DESIGNS: Design[] = [
  { name: 'k-fold (5 folds)', folds: 5, repeats: 1, draws: 1 },
  { name: 'k-fold (10 folds)', folds: 10, repeats: 1, draws: 1 },
  { name: 'repeated k-fold (5 × 3)', folds: 5, repeats: 3, draws: 1 },
  { name: 'label-budget draws (5 folds × 3 draws)', folds: 5, repeats: 1, draws: 3 },
  { name: 'repeats and draws (5 × 2 × 3)', folds: 5, repeats: 2, draws: 3 },
];
const NOISE: Record<string, NoiseModel> = {
  'brain MRI-like': { foldSd: 3, drawSd: 2 },
  'fold-dominated': { foldSd: 3, drawSd: 0.5 },
};
const RUNS = 4000;
const bound = 0.05 + 2 * monteCarloSE(0.05, RUNS);

describe('calibration by simulation (seeded)', () => {
  const table: string[] = [];
  for (const [noiseName, noise] of Object.entries(NOISE)) {
    for (const [i, design] of DESIGNS.entries()) {
      it(`${design.name}, ${noiseName}: false-positive rate ≤ ${bound.toFixed(4)}`, () => {
        const fpr = rejectionRate(design, noise, { effect: 0, runs: RUNS, seed: 100 + i });
        const power = rejectionRate(design, noise, { effect: 3, runs: 2000, seed: 200 + i });
        table.push(`${design.name.padEnd(40)} ${noiseName.padEnd(15)} FPR ${fpr.toFixed(4)} ± ${monteCarloSE(fpr, RUNS).toFixed(4)}   power at 3 points ${power.toFixed(3)}`);
        expect(fpr).toBeLessThanOrEqual(bound);
        expect(power).toBeGreaterThan(fpr);
      });
    }
  }

  it('is not merely conservative: with no draw noise the 5-fold test holds its level', () => {
    const fpr = rejectionRate(DESIGNS[0], { foldSd: 3, drawSd: 0 }, { effect: 0, runs: RUNS, seed: 7 });
    expect(fpr).toBeGreaterThanOrEqual(0.05 - 3 * monteCarloSE(0.05, RUNS));
    expect(fpr).toBeLessThanOrEqual(bound);
  });

  it('can fail: counting each draw as a unit (draws share the fold’s test set) exceeds the bound', () => {
    const fpr = rejectionRate(DESIGNS[3], NOISE['fold-dominated'], { effect: 0, runs: RUNS, seed: 8, analysis: 'pooled-replicates' });
    table.push(`${'draws pooled as units (wrong), 5 × 3'.padEnd(40)} ${'fold-dominated'.padEnd(15)} FPR ${fpr.toFixed(4)}`);
    expect(fpr).toBeGreaterThan(bound);
    console.log(`calibration (α = 0.05, ${RUNS} null runs per row):\n${table.join('\n')}`);
  });

  it('model-free check: real nearest-centroid learners with paired 5-label draws stay within the bound', () => {
    const runs = 400;
    const fpr = learnerRejectionRate(DESIGNS[3], { samples: 200, features: 10, separation: 0.6, budget: 5, effect: 0 }, { runs, seed: 9 });
    console.log(`learner simulation, ${DESIGNS[3].name}: FPR ${fpr.toFixed(4)} (${runs} runs)`);
    expect(fpr).toBeLessThanOrEqual(0.05 + 2 * monteCarloSE(0.05, runs));
  });
});
