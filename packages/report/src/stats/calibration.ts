/**
 * Monte-Carlo calibration of the paired cross-validation test: paired differences are generated
 * with the correlation structure of a design and the rejection rate of the decision is counted.
 *
 * Model of one difference (method A − method B, in points) of fold f, repeat r, replicate g:
 *   d = Δ + √ρ·σ_f·z₀ + √(1−ρ)·σ_f·z_{f,r} + σ_w·z_{f,r,g},   z ~ N(0, 1) independent,
 * z₀ shared by every fold of the run (training sets overlap: correlation ρ = n2/n = 1/k between
 * any two folds, of one repeat or of two, as Nadeau & Bengio and Bouckaert & Frank assume),
 * z_{f,r} what a fold adds (its test set and training set), z_{f,r,g} a labelled draw's own noise
 * (labelled sets of a small budget barely overlap, so draws are independent given the fold).
 */
import { correctedInterval, foldUnits, type ReplicateDifference } from './cv-design.js';
import { mulberry32 } from './random.js';

export interface Design {
  name: string;
  folds: number;
  repeats: number;
  /** Independent labelled draws (or seeds) per fold × repeat. */
  draws: number;
}

export interface NoiseModel {
  /** sd of a fold's difference from fold-level sources (test set, training set), in points. */
  foldSd: number;
  /** sd a labelled draw adds within a fold, in points. */
  drawSd: number;
  /** Correlation between folds; default 1/k. */
  rho?: number;
}

/** Seeded standard normals (Box–Muller on mulberry32). */
export function normalStream(seed: number): () => number {
  const u = mulberry32(seed);
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) { const s = spare; spare = undefined; return s; }
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const a = 2 * Math.PI * u();
    spare = r * Math.sin(a);
    return r * Math.cos(a);
  };
}

/** One simulated run of `design`: every replicate's paired difference. */
export function simulateDifferences(design: Design, noise: NoiseModel, effect: number, normal: () => number): ReplicateDifference[] {
  const rho = noise.rho ?? 1 / design.folds;
  const shared = Math.sqrt(rho) * noise.foldSd * normal();
  const out: ReplicateDifference[] = [];
  for (let repeat = 0; repeat < design.repeats; repeat++) {
    for (let fold = 0; fold < design.folds; fold++) {
      const foldEffect = effect + shared + Math.sqrt(1 - rho) * noise.foldSd * normal();
      for (let g = 0; g < design.draws; g++) out.push({ fold, repeat, replicate: String(g), difference: foldEffect + noise.drawSd * normal() });
    }
  }
  return out;
}

/** 'fold-means': the report's analysis. 'pooled-replicates': every replicate a unit (shown to be liberal). */
export type Analysis = 'fold-means' | 'pooled-replicates';

export interface CalibrationOptions {
  effect: number;
  runs: number;
  seed: number;
  /** Two-sided level of the interval (1 − alpha); default 0.05. */
  alpha?: number;
  analysis?: Analysis;
}

/**
 * Share of simulated runs whose (1 − α) corrected interval excludes 0 — under Δ = 0 the
 * false-positive rate, under Δ > 0 the power (rejections in the right direction only).
 */
export function rejectionRate(design: Design, noise: NoiseModel, options: CalibrationOptions): number {
  const alpha = options.alpha ?? 0.05;
  const normal = normalStream(options.seed);
  let rejected = 0;
  for (let i = 0; i < options.runs; i++) {
    const diffs = simulateDifferences(design, noise, options.effect, normal);
    const units = options.analysis === 'pooled-replicates' ? diffs.map((d) => d.difference) : foldUnits(diffs).means;
    const ci = correctedInterval(units, design.folds, 1 - alpha);
    if (options.effect > 0 ? ci.low > 0 : ci.low > 0 || ci.high < 0) rejected++;
  }
  return rejected / options.runs;
}

/** Monte-Carlo standard error of a rejection rate p estimated from n runs. */
export const monteCarloSE = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

/**
 * A model-free check of the same test: real learners on simulated data, so that the correlation
 * between folds comes from actual overlapping training sets and shared test sets, not from ρ.
 * Two classes, 2p Gaussian features (class means ±separation/2 on every feature, unit noise); method
 * A is a nearest-centroid classifier on features 0…p−1, method B the same on features p…2p−1
 * (B's separation is reduced by `effect` to make A better). Each run draws a fresh data set of
 * `samples` images, partitions it into k stratified folds `repeats` times, and in each fold draws
 * `draws` labelled sets of `budget` images per class from the training part (paired: both methods
 * get the same labelled images). The difference is in balanced accuracy, in points.
 */
export interface LearnerScenario {
  samples: number;
  features: number;
  separation: number;
  budget: number;
  /** Lower B's separation by this much (0: the null, both methods equally good). */
  effect: number;
}

export function simulateLearnerDifferences(design: Design, s: LearnerScenario, normal: () => number, uniform: () => number): ReplicateDifference[] {
  const p = s.features;
  const n = s.samples;
  const y = Array.from({ length: n }, (_, i) => i % 2);
  const x = y.map((c) => Float64Array.from({ length: 2 * p }, (_, j) => (c ? 0.5 : -0.5) * (j < p ? s.separation : s.separation - s.effect) + normal()));
  const shuffle = (a: number[]) => { for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(uniform() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; } return a; };
  const out: ReplicateDifference[] = [];
  for (let repeat = 0; repeat < design.repeats; repeat++) {
    const fold = new Int32Array(n);
    for (const c of [0, 1]) shuffle(y.flatMap((yy, i) => (yy === c ? [i] : []))).forEach((i, r) => (fold[i] = r % design.folds));
    for (let f = 0; f < design.folds; f++) {
      const test = y.flatMap((_, i) => (fold[i] === f ? [i] : []));
      const train = [0, 1].map((c) => y.flatMap((yy, i) => (fold[i] !== f && yy === c ? [i] : [])));
      for (let g = 0; g < design.draws; g++) {
        const labelled = train.map((ids) => shuffle([...ids]).slice(0, s.budget));
        const score = (offset: number) => {
          const centroid = labelled.map((ids) => Float64Array.from({ length: p }, (_, j) => ids.reduce((a, i) => a + x[i][offset + j], 0) / ids.length));
          const right = [0, 0], total = [0, 0];
          for (const i of test) {
            let d0 = 0, d1 = 0;
            for (let j = 0; j < p; j++) { d0 += (x[i][offset + j] - centroid[0][j]) ** 2; d1 += (x[i][offset + j] - centroid[1][j]) ** 2; }
            total[y[i]]++;
            if ((d1 < d0 ? 1 : 0) === y[i]) right[y[i]]++;
          }
          return 50 * (right[0] / total[0] + right[1] / total[1]);
        };
        out.push({ fold: f, repeat, replicate: String(g), difference: score(0) - score(p) });
      }
    }
  }
  return out;
}

/** Rejection rate of the report's test (fold means, corrected interval) on learner simulations. */
export function learnerRejectionRate(design: Design, scenario: LearnerScenario, options: Omit<CalibrationOptions, 'effect' | 'analysis'> & { analysis?: Analysis }): number {
  const alpha = options.alpha ?? 0.05;
  const normal = normalStream(options.seed);
  const uniform = mulberry32(options.seed ^ 0x9e3779b9);
  let rejected = 0, tested = 0;
  for (let i = 0; i < options.runs; i++) {
    const diffs = simulateLearnerDifferences(design, scenario, normal, uniform);
    const units = options.analysis === 'pooled-replicates' ? diffs.map((d) => d.difference) : foldUnits(diffs).means;
    if (units.every((u) => u === units[0])) continue; // not testable: no variance
    tested++;
    const ci = correctedInterval(units, design.folds, 1 - alpha);
    if (scenario.effect > 0 ? ci.low > 0 : ci.low > 0 || ci.high < 0) rejected++;
  }
  return rejected / Math.max(1, tested);
}
