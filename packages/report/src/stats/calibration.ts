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
