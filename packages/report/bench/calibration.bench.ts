/**
 * Calibration of the report's paired test (fold means of the draws → corrected repeated k-fold t,
 * two-sided α = 0.05) for every design the config can express, with more Monte-Carlo runs than
 * the test suite affords. Two simulations:
 *  1. the variance-component model (fold-shared correlation ρ = 1/k, fold and draw noise), with
 *     the power at a 3-point effect and, for contrast, the wrong analysis that pools draws;
 *  2. real learners (nearest-centroid on simulated Gaussian data, stratified folds, paired
 *     labelled draws), where the correlation comes from the data, not from ρ.
 * Run: pnpm --filter @udtl/report bench:calibration
 */
import { learnerRejectionRate, monteCarloSE, rejectionRate, type Design, type NoiseModel } from '../src/stats/index.js';

const designs: Design[] = [
  { name: 'k-fold (5)', folds: 5, repeats: 1, draws: 1 },
  { name: 'k-fold (10)', folds: 10, repeats: 1, draws: 1 },
  { name: 'repeated k-fold (5 × 3)', folds: 5, repeats: 3, draws: 1 },
  { name: 'repeated k-fold (5 × 10)', folds: 5, repeats: 10, draws: 1 },
  { name: 'budget draws (5 × 1 × 3)', folds: 5, repeats: 1, draws: 3 },
  { name: 'repeats + draws (5 × 2 × 3)', folds: 5, repeats: 2, draws: 3 },
];
const noises: [string, NoiseModel][] = [
  ['brain MRI-like (fold sd 3, draw sd 2)', { foldSd: 3, drawSd: 2 }],
  ['fold-dominated (fold sd 3, draw sd 0.5)', { foldSd: 3, drawSd: 0.5 }],
];
const NULL_RUNS = Number(process.env.UDTL_CAL_RUNS ?? 20000);
const POWER_RUNS = 5000;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(6);

console.log(`1. Variance-component model: α = 0.05, ${NULL_RUNS} null runs (FPR bound ${pct(0.05 + 2 * monteCarloSE(0.05, NULL_RUNS))}), ${POWER_RUNS} runs at Δ = 3 points`);
console.log(`${'design'.padEnd(30)}${'noise'.padEnd(42)}   FPR ± MCSE      power@3   FPR if draws pooled (wrong)`);
for (const [noiseName, noise] of noises) {
  for (const [i, d] of designs.entries()) {
    const fpr = rejectionRate(d, noise, { effect: 0, runs: NULL_RUNS, seed: 1000 + i });
    const power = rejectionRate(d, noise, { effect: 3, runs: POWER_RUNS, seed: 2000 + i });
    const pooled = d.draws > 1 ? pct(rejectionRate(d, noise, { effect: 0, runs: NULL_RUNS, seed: 1000 + i, analysis: 'pooled-replicates' })) : '     —';
    console.log(`${d.name.padEnd(30)}${noiseName.padEnd(42)} ${pct(fpr)} ± ${(100 * monteCarloSE(fpr, NULL_RUNS)).toFixed(1)}%   ${pct(power)}    ${pooled}`);
  }
}

const LEARNER_RUNS = Number(process.env.UDTL_CAL_LEARNER_RUNS ?? 2000);
console.log(`\n2. Nearest-centroid learners on simulated data (200 images, 2 × 10 features, separation 0.6 sd): α = 0.05, ${LEARNER_RUNS} null runs (FPR bound ${pct(0.05 + 2 * monteCarloSE(0.05, LEARNER_RUNS))})`);
console.log(`${'design'.padEnd(30)}${'labels per class'.padEnd(18)}   FPR ± MCSE      FPR if draws pooled (wrong)   seconds`);
for (const budget of [5, 80]) {
  for (const [i, d] of designs.entries()) {
    if (d.repeats > 3 || d.folds !== 5) continue;
    if (budget === 80 && d.draws > 1) continue; // 80 = every training label: draws would be identical
    const t0 = Date.now();
    const scenario = { samples: 200, features: 10, separation: 0.6, budget, effect: 0 };
    const fpr = learnerRejectionRate(d, scenario, { runs: LEARNER_RUNS, seed: 3000 + i });
    const pooled = d.draws > 1 ? pct(learnerRejectionRate(d, scenario, { runs: LEARNER_RUNS, seed: 3000 + i, analysis: 'pooled-replicates' })) : '     —';
    console.log(`${d.name.padEnd(30)}${String(budget === 80 ? '80 (all)' : budget).padEnd(18)} ${pct(fpr)} ± ${(100 * monteCarloSE(fpr, LEARNER_RUNS)).toFixed(1)}%   ${pooled}                        ${((Date.now() - t0) / 1000).toFixed(1)}`);
  }
}
