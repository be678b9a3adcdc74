import type { ImageSet, LabelledSet } from '@udtl/datasets';
import type { SelectionMetric } from '../classifiers/selection-metric.js';
import type { ParamsSchema } from './params.js';

/** What `Method.fit` learns from: a few labelled images and a pool of unlabelled ones (same fold). */
export interface FitData {
  labelled: LabelledSet;
  /** Training images of the fold without their labels. Never holds a test or val image of the fold. */
  unlabelled: ImageSet;
  /**
   * Labelled validation images (a dataset's official `val` split), disjoint from the training and
   * test images. When present, hyper-parameters are selected on it instead of by inner CV.
   */
  validation?: LabelledSet;
}

/**
 * Memo for work that is shared across jobs of one worker, e.g. the unsupervised stage, which
 * depends only on the unlabelled pool and its parameters, not on the label budget. Keys must
 * include everything the value depends on. Values may hold tensors: the store owns and frees them.
 */
export interface StageStore {
  get<T>(key: string): T | undefined;
  set<T>(key: string, value: T, dispose?: (value: T) => void): void;
}

export interface FitContext {
  seed: number;
  /** Directory for on-disk caches (features, imported models). */
  cacheDir: string;
  stages?: StageStore;
  log?: (message: string) => void;
  /**
   * The experiment's primary metric: every method selects its hyper-parameters on it (inner CV,
   * held-out or validation scores). Absent = balanced accuracy.
   */
  primaryMetric?: SelectionMetric;
}

/** Class probabilities: one row per image (in `images.ids` order), one column per class. */
export type Probabilities = number[][];

export interface FittedModel {
  predictProba(images: ImageSet): Promise<Probabilities>;
  /** Values chosen during fit (e.g. by inner validation), recorded with the results. */
  chosen(): Record<string, unknown>;
  /** Frees every tensor the model holds. */
  dispose(): void;
}

/** scikit-learn style: construction stores parameters only; `fit` validates and learns. */
export interface Method {
  readonly id: string;
  readonly params: Readonly<Record<string, unknown>>;
  fit(data: FitData, ctx: FitContext): Promise<FittedModel>;
  /**
   * Optional: precompute what depends on the images alone (e.g. frozen-backbone features into the
   * on-disk cache), once per dataset before any fold runs, so that parallel jobs find it cached.
   */
  prepare?(images: ImageSet, ctx: FitContext): Promise<void>;
}

/** One registry entry (made by `defineMethod`): name → factory, parameters declared once. */
export interface MethodSpec<P extends Record<string, unknown> = Record<string, unknown>> {
  id: string;
  description: string;
  /** The parameters: a zod object whose fields carry their defaults, rules and doc lines. */
  params: ParamsSchema;
  /** Parameters a grid entry may override (methods with a `grid` parameter). */
  tunable?: readonly string[];
  /** Defaults, read from `params`. */
  readonly defaults: P;
  /** One doc line per parameter, read from `params`; printed by `udtl methods list`. */
  readonly paramDocs: Record<string, string>;
  /** Validates `params` over the defaults (the one check), then builds the method. */
  create(params?: Partial<P>): Method;
}
