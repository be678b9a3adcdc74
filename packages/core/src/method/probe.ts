/**
 * The classifier stage every feature method shares (zero-bias-cae, transfer-learned, pixel-cae,
 * random-backbone): scaled linear classifier, configuration and C chosen together by `selectModel`,
 * so the proposed method and each baseline get the same protocol and the same number of candidates.
 */
import type { ImageSet, LabelledSet } from '@udtl/datasets';
import { classProbabilities } from '../classifiers/classifier.js';
import type { Matrix } from '../classifiers/matrix.js';
import { createClassifier } from '../classifiers/registry.js';
import { selectModel, selectionRecord } from '../classifiers/select-model.js';
import type { FittedModel } from './contract.js';

/** The classifier-stage parameters (same names and defaults in every probe method). */
export type ProbeParams = {
  classifier: string;
  cCandidates: number[];
  innerFolds: number;
};

export interface ProbeCandidate {
  /** The grid entry this candidate stands for (recorded when chosen). */
  config: Record<string, unknown>;
  /** Feature vectors of any images (rows in `images.ids` order). */
  features(images: ImageSet): Promise<Matrix>;
  /** Extra values for chosen() when this candidate wins (JSON-safe). */
  chosen?(): Record<string, unknown>;
  /** Frees what the candidate holds (called for losers after selection, for the winner on dispose). */
  dispose?(): void;
}

export interface ProbeFitOptions {
  methodId: string;
  candidates: ProbeCandidate[];
  labelled: LabelledSet;
  /** Official validation split: selection on it instead of inner CV. */
  validation?: LabelledSet;
  params: ProbeParams;
  seed: number;
}

/** Select (configuration, C) inside the training data, fit the winner on every labelled image. */
export async function fitProbe(o: ProbeFitOptions): Promise<FittedModel> {
  const { labelled, validation, candidates } = o;
  const nClasses = labelled.classNames.length;
  const classifier = { kind: o.params.classifier, standardize: true, seed: o.seed };
  let winner: ProbeCandidate | undefined;
  try {
    const features = [];
    for (const c of candidates) {
      features.push({ config: c.config, X: await c.features(labelled.images), Xval: validation ? await c.features(validation.images) : undefined });
    }
    const selection = selectModel(features, labelled.labels, {
      cCandidates: o.params.cCandidates, folds: o.params.innerFolds, seed: o.seed, classifier, validationLabels: validation?.labels,
    });
    winner = candidates[selection.index];
    candidates.forEach((c) => c !== winner && c.dispose?.());
    const X = features[selection.index].X;
    const clf = createClassifier({ ...classifier, C: selection.C }).fit(X, labelled.labels);
    const chosen = { ...selectionRecord(selection), featureDim: X.cols, ...winner.chosen?.() };
    const model = winner;
    let disposed = false;
    return {
      predictProba: async (images) => {
        if (disposed) throw new Error(`${o.methodId}: predictProba called after dispose()`);
        return classProbabilities(clf, await model.features(images), nClasses);
      },
      chosen: () => structuredClone(chosen),
      dispose: () => {
        if (!disposed) model.dispose?.();
        disposed = true;
      },
    };
  } catch (err) {
    for (const c of candidates) if (!winner || c === winner) c.dispose?.();
    throw err;
  }
}
