/**
 * Model selection over feature configurations × C: the one procedure every linear-probe method
 * (zero-bias-cae and the baselines) uses, so each gets the same protocol and a comparable budget
 * of candidate configurations (`candidates` = configurations × C values, recorded per fit).
 */
import type { Matrix } from './matrix.js';
import { createClassifier, type ClassifierOptions } from './registry.js';
import { balancedAccuracy, selectC } from './select-c.js';

export interface FeatureCandidate {
  /** What distinguishes this configuration (recorded), e.g. `{ tap: 'out_relu' }`; `{}` = the base parameters. */
  config: Record<string, unknown>;
  /** Features of the labelled images (rows in label order). */
  X: Matrix;
  /** Features of the validation images, when selecting on a validation set. */
  Xval?: Matrix;
}

export interface SelectModelOptions {
  cCandidates: number[];
  /** Inner CV folds (ignored when a validation set is given). */
  folds: number;
  seed: number;
  classifier: Omit<ClassifierOptions, 'C'>;
  /** Labels of the validation images: select on them instead of inner CV (official splits). */
  validationLabels?: ArrayLike<number>;
  /** As selectC: the inner CV runs on a stratified subsample of at most this many rows. */
  maxSamples?: number;
}

export type SelectionProtocol = 'inner-cv' | 'validation' | 'fallback';

export interface ModelSelection {
  /** Index of the chosen configuration in the candidates. */
  index: number;
  config: Record<string, unknown>;
  C: number;
  protocol: SelectionProtocol;
  /** Candidate configurations tried: configurations × C values. */
  candidates: number;
  /** Balanced accuracy of every (configuration, C) on the inner CV or the validation set. */
  scores: { config: Record<string, unknown>; C: number; balancedAccuracy: number }[];
  /** Inner folds used (0 with a validation set or the fallback). */
  folds: number;
}

/**
 * Chooses the configuration and C with the best balanced accuracy, either by stratified inner CV on
 * the labelled rows (identical folds for every configuration: they depend on labels and seed only)
 * or on a given validation set (fit on all labelled rows). Ties go to the earlier configuration,
 * then to the smaller C. With too few labels for an inner CV the first configuration and selectC's
 * fallback C are taken.
 */
export function selectModel(candidates: FeatureCandidate[], labels: ArrayLike<number>, o: SelectModelOptions): ModelSelection {
  if (!candidates.length) throw new Error('selectModel: no candidate configurations');
  if (!o.cCandidates.length) throw new Error('selectModel: cCandidates must list at least one C');
  const total = candidates.length * o.cCandidates.length;
  const scores: ModelSelection['scores'] = [];
  let protocol: SelectionProtocol;
  let folds = 0;
  if (o.validationLabels) {
    protocol = 'validation';
    for (const { config, X, Xval } of candidates) {
      if (!Xval) throw new Error(`selectModel: configuration ${JSON.stringify(config)} has no validation features`);
      if (Xval.rows !== o.validationLabels.length) throw new Error(`selectModel: ${Xval.rows} validation rows for ${o.validationLabels.length} labels`);
      for (const C of o.cCandidates) {
        const predicted = createClassifier({ ...o.classifier, C }).fit(X, labels).predict(Xval);
        scores.push({ config, C, balancedAccuracy: balancedAccuracy(o.validationLabels, predicted) });
      }
    }
  } else {
    protocol = 'inner-cv';
    for (const { config, X } of candidates) {
      const s = selectC(X, labels, { candidates: o.cCandidates, folds: o.folds, seed: o.seed, classifier: o.classifier, maxSamples: o.maxSamples });
      if (s.folds === 0) {
        return { index: 0, config: candidates[0].config, C: s.C, protocol: 'fallback', candidates: total, scores: [], folds: 0 };
      }
      folds = s.folds;
      for (const { C, balancedAccuracy } of s.scores) scores.push({ config, C, balancedAccuracy });
    }
  }
  let best = 0;
  for (let i = 1; i < scores.length; i++) {
    const [a, b] = [scores[i], scores[best]];
    // Strictly better wins; on a tie the earlier configuration stays, and within it the smaller C.
    if (a.balancedAccuracy > b.balancedAccuracy || (a.balancedAccuracy === b.balancedAccuracy && a.config === b.config && a.C < b.C)) best = i;
  }
  const index = Math.floor(best / o.cCandidates.length);
  return { index, config: candidates[index].config, C: scores[best].C, protocol, candidates: total, scores, folds };
}

/** What a fitted model records of its selection in `chosen()` (JSON-safe). */
export function selectionRecord(s: ModelSelection): Record<string, unknown> {
  return {
    C: s.C,
    config: s.config,
    selection: s.protocol,
    candidates: s.candidates,
    innerFolds: s.folds,
    scores: s.scores.map((x) => ({ ...x, balancedAccuracy: Math.round(x.balancedAccuracy * 1e4) / 1e4 })),
  };
}
