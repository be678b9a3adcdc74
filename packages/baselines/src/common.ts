/**
 * What the linear-probe baselines share with `zero-bias-cae` (core/src/cae/method.ts), so that the
 * only difference between them and the proposed method is the one each baseline is meant to isolate.
 */
import {
  C_REFERENCE_DIM,
  scaledCandidates,
  frozenTapSource,
  sharedBackbone,
  pooledDim,
  ZERO_BIAS_CAE_DEFAULTS,
  type Backbone,
  type FitContext,
  type PoolMode,
  type ProbeParams as CoreProbeParams,
  type TapSource,
} from '@udtl/core';
import type { ResizeMode } from '@udtl/datasets';

/** The classifier stage of zero-bias-cae, with the same defaults (read from it, so they stay equal). */
export type ProbeParams = CoreProbeParams & {
  pool: PoolMode;
  /** Configurations chosen among (with every C) inside each training fold; see core's gridConfigs. */
  grid: Record<string, unknown>[];
};

export const PROBE_DEFAULTS: Omit<ProbeParams, 'grid'> = {
  pool: ZERO_BIAS_CAE_DEFAULTS.pool,
  classifier: ZERO_BIAS_CAE_DEFAULTS.classifier,
  cCandidates: [...ZERO_BIAS_CAE_DEFAULTS.cCandidates],
  innerFolds: ZERO_BIAS_CAE_DEFAULTS.innerFolds,
  cScaling: 'feature-dimension',
};

export const PROBE_DOCS: Record<keyof ProbeParams, string> = {
  pool: "maps → vector: 'avg', 'max', 'avgmax' or 'pyramid' (as zero-bias-cae)",
  classifier: "classifier on the pooled vectors ('linear-svm' or 'logistic'), after a StandardScaler",
  cCandidates: 'C values tried with every grid configuration (scored on the primary metric by inner stratified CV on the labelled set), scaled per cScaling',
  innerFolds: 'inner CV folds',
  cScaling: `'feature-dimension': cCandidates are the C values for ${C_REFERENCE_DIM} features and are scaled by ${C_REFERENCE_DIM}/d for d features (C·d fixed, as every probe method does, so the grid is neutral to feature width); 'none': used as listed`,
  grid: 'configurations (parameter overrides) chosen among, each with every C, by inner CV on the labelled set (or on the validation split when one is given); [{}] = no choice but C',
};

/** Merge `params` over `defaults`; an unknown name is an Error listing the known ones. */
export function resolveParams<P extends object>(methodId: string, defaults: P, params: Partial<P>): P {
  const known = Object.keys(defaults);
  for (const k of Object.keys(params)) {
    if (!known.includes(k)) throw new Error(`Unknown parameter '${k}' for method '${methodId}'. Known parameters: ${known.join(', ')}`);
  }
  const p = { ...defaults, ...params } as P;
  const probe = p as Partial<ProbeParams>;
  if (probe.pool !== undefined) pooledDim(1, probe.pool); // unknown pooling → error now
  if (probe.cScaling !== undefined) scaledCandidates([1], 1, probe.cScaling); // unknown scaling → error now
  if (probe.cCandidates !== undefined && (!Array.isArray(probe.cCandidates) || probe.cCandidates.some((c) => !(c > 0)))) {
    throw new Error(`${methodId}: cCandidates must be a list of positive numbers, got ${JSON.stringify(probe.cCandidates)}`);
  }
  return p;
}

export function positiveInteger(methodId: string, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${methodId}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
}

/** Core's input checks, under the names the baselines use. */
export { checkImageSettings as checkImages, checkLabelled, checkFitData } from '@udtl/core';

/** The pretrained backbone shared with zero-bias-cae (core keeps one per worker; the baselines only read it). */
export function pretrainedBackbone(backbone: string, inputSize: number, ctx: Pick<FitContext, 'cacheDir' | 'log'>): Promise<Backbone> {
  return sharedBackbone(backbone, inputSize, ctx);
}

export async function pretrainedTapSource(backbone: string, inputSize: number, tap: string, ctx: FitContext): Promise<TapSource> {
  return frozenTapSource(await sharedBackbone(backbone, inputSize, ctx), tap, ctx);
}
