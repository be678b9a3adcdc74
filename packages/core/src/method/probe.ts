/**
 * The classifier stage every feature method shares (zero-bias-cae, transfer-learned, pixel-cae,
 * random-backbone): scaled linear classifier, configuration and C chosen together by `selectModel`,
 * so the proposed method and each baseline get the same protocol and the same number of candidates.
 */
import type { ImageSet, LabelledSet } from '@udtl/datasets';
import { classProbabilities } from '../classifiers/classifier.js';
import type { Matrix } from '../classifiers/matrix.js';
import { createClassifier, listClassifiers } from '../classifiers/registry.js';
import { selectModel, selectionRecord } from '../classifiers/select-model.js';
import type { SelectionMetric } from '../classifiers/selection-metric.js';
import type { FittedModel } from './contract.js';
import { param, z } from './params.js';

/** The classifier-stage parameters (same names and defaults in every probe method). */
export type ProbeParams = {
  classifier: string;
  cCandidates: number[];
  innerFolds: number;
  /**
   * 'feature-dimension' (the default when absent): `cCandidates` are the C values for a
   * C_REFERENCE_DIM-dimensional feature vector, and a configuration with d features is offered
   * C·C_REFERENCE_DIM/d, so C·d, the regularisation that standardised features of any width feel,
   * is the same for every method. 'none': the listed values as they are.
   */
  cScaling?: CScaling;
};

export const C_SCALINGS = ['feature-dimension', 'none'] as const;
export type CScaling = (typeof C_SCALINGS)[number];

/**
 * Feature dimension at which the listed C values apply unchanged. Standardised rows have squared
 * norm ≈ d, and a linear SVM with C on x solves the same problem as C·d on x/√d, so fixing C·d makes
 * the grid neutral to the width of the features (320 transfer channels vs 1024–2048 CAE codes).
 */
export const C_REFERENCE_DIM = 1024;

/** The C values offered to a configuration with `dim` features. */
export function scaledCandidates(cCandidates: number[], dim: number, scaling: CScaling = 'feature-dimension'): number[] {
  if (!C_SCALINGS.includes(scaling)) throw new Error(`cScaling must be one of ${C_SCALINGS.join(', ')}, got ${JSON.stringify(scaling)}`);
  if (scaling === 'none') return [...cCandidates];
  if (!(dim >= 1)) throw new Error(`scaledCandidates: feature dimension must be ≥ 1, got ${dim}`);
  // Rounded to 4 significant digits so that recorded grids read cleanly.
  return cCandidates.map((c) => Number(((c * C_REFERENCE_DIM) / dim).toPrecision(4)));
}

/** The classifier-stage parameters with their rules and docs; `defaults` are the method's own. */
export function probeParams(defaults: { classifier: string; cCandidates: number[]; innerFolds: number; cScaling?: CScaling }) {
  return {
    classifier: z
      .string()
      .refine((kind) => listClassifiers().includes(kind), { error: () => `must be one of ${listClassifiers().join(', ')}` })
      .default(defaults.classifier)
      .describe("classifier on the features ('linear-svm' or 'logistic'), after a StandardScaler"),
    cCandidates: param
      .positiveList()
      .default(defaults.cCandidates)
      .describe('C values tried with every grid configuration (scored on the primary metric by inner stratified CV on the labelled set), scaled per cScaling'),
    innerFolds: param.wholeNumber(1).default(defaults.innerFolds).describe('inner CV folds'),
    cScaling: param
      .oneOf(C_SCALINGS)
      .default(defaults.cScaling ?? 'feature-dimension')
      .describe(`'feature-dimension': cCandidates are the C values for ${C_REFERENCE_DIM} features, scaled by ${C_REFERENCE_DIM}/d for d features (C·d fixed, the same rule as every probe method); 'none': used as listed`),
  };
}

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
  /** The experiment's primary metric (FitContext.primaryMetric); default balanced accuracy. */
  metric?: SelectionMetric;
  /**
   * Standardise features with a StandardScaler fitted on the labelled rows (default true). False
   * when the candidate's features are already standardised with statistics of a larger pool.
   */
  standardize?: boolean;
}

/** Select (configuration, C) inside the training data, fit the winner on every labelled image. */
export async function fitProbe(o: ProbeFitOptions): Promise<FittedModel> {
  const { labelled, validation, candidates } = o;
  const nClasses = labelled.classNames.length;
  const classifier = { kind: o.params.classifier, standardize: o.standardize ?? true, seed: o.seed };
  const scaling = o.params.cScaling ?? 'feature-dimension';
  let winner: ProbeCandidate | undefined;
  try {
    const features = [];
    for (const c of candidates) {
      const X = await c.features(labelled.images);
      const Xval = validation ? await c.features(validation.images) : undefined;
      features.push({ config: c.config, X, Xval, cCandidates: scaledCandidates(o.params.cCandidates, X.cols, scaling) });
    }
    const selection = selectModel(features, labelled.labels, {
      cCandidates: o.params.cCandidates, folds: o.params.innerFolds, seed: o.seed, classifier, validationLabels: validation?.labels, metric: o.metric,
    });
    winner = candidates[selection.index];
    candidates.forEach((c) => c !== winner && c.dispose?.());
    const X = features[selection.index].X;
    const clf = createClassifier({ ...classifier, C: selection.C }).fit(X, labelled.labels);
    const chosen = { ...selectionRecord(selection), cScaling: scaling, featureDim: X.cols, ...winner.chosen?.() };
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
