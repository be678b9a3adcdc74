/**
 * What the linear-probe baselines share with `zero-bias-cae` (core/src/cae/method.ts), so that the
 * only difference between them and the proposed method is the one each baseline is meant to isolate.
 */
import {
  CAE_PROBE_PARAMS,
  frozenTapSource,
  param,
  sharedBackbone,
  ZERO_BIAS_CAE_DEFAULTS,
  type Backbone,
  type FitContext,
  type PoolMode,
  type ProbeParams as CoreProbeParams,
  type TapSource,
} from '@udtl/core';

/** The classifier stage of zero-bias-cae. */
export type ProbeParams = CoreProbeParams & {
  pool: PoolMode;
  /** Configurations chosen among (with every C) inside each training fold; see core's expandGrid. */
  grid: Record<string, unknown>[];
};

/** The classifier stage's parameters: zero-bias-cae's own fields, defaults included, so they stay equal. */
export const PROBE_PARAMS = {
  pool: CAE_PROBE_PARAMS.pool.describe("maps → vector: 'avg', 'max', 'avgmax' or 'pyramid' (as zero-bias-cae)"),
  classifier: CAE_PROBE_PARAMS.classifier.describe("classifier on the pooled vectors ('linear-svm' or 'logistic'), after a StandardScaler"),
  cCandidates: CAE_PROBE_PARAMS.cCandidates,
  innerFolds: CAE_PROBE_PARAMS.innerFolds,
  cScaling: CAE_PROBE_PARAMS.cScaling,
};

/** The grid's doc line for a method whose entries may override `tunable`. */
export const gridDoc = (tunable: readonly string[]) =>
  `configurations (overrides of ${tunable.join(', ')}) chosen among, each with every C, by inner CV on the labelled set (or on the validation split when one is given); [{}] = no choice but C`;

/** The pretrained-backbone parameters the baselines share with zero-bias-cae (same defaults). */
export const BACKBONE_PARAMS = {
  backbone: param.name().default(ZERO_BIAS_CAE_DEFAULTS.backbone).describe('ImageNet backbone (registry id); frozen'),
  tap: param.name().default(ZERO_BIAS_CAE_DEFAULTS.tap).describe('backbone layer whose maps are pooled (default: the tap zero-bias-cae uses)'),
  inputSize: CAE_PROBE_PARAMS.inputSize,
  resizeMode: CAE_PROBE_PARAMS.resizeMode,
  extractBatchSize: CAE_PROBE_PARAMS.extractBatchSize,
};

/** Core's input checks, under the names the baselines use. */
export { checkImageSettings as checkImages, checkLabelled, checkFitData } from '@udtl/core';

/** The pretrained backbone shared with zero-bias-cae (core keeps one per worker; the baselines only read it). */
export function pretrainedBackbone(backbone: string, inputSize: number, ctx: Pick<FitContext, 'cacheDir' | 'log'>): Promise<Backbone> {
  return sharedBackbone(backbone, inputSize, ctx);
}

export async function pretrainedTapSource(backbone: string, inputSize: number, tap: string, ctx: FitContext): Promise<TapSource> {
  return frozenTapSource(await sharedBackbone(backbone, inputSize, ctx), tap, ctx);
}
