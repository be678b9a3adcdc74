import * as tf from '@tensorflow/tfjs-core';
import { sha256, type ImageSet, type ResizeMode } from '@udtl/datasets';
// Importing @udtl/backbones registers the built-in backbones (mobilenet-v2-1.0, mobilenet-v1-*, alexnet).
import {
  featureCacheKey, featureKeyHash, frozenTapSource, POOL_MODES, pooledTapFeatures, prepareTapMaps, sharedBackbone, tapMaps,
  type FeatureMaps, type PoolMode, type TapSource,
} from '@udtl/backbones';
import type { FitContext, FitData, FittedModel, Method, MethodSpec } from '../method/contract.js';
import { checkFitData, checkImageSettings } from '../method/input-checks.js';
import { expandGrid, param, withDefaults, z } from '../method/params.js';
import { fitProbe, probeParams, type ProbeCandidate, type ProbeParams } from '../method/probe.js';
import { defineMethod, registerMethod } from '../method/registry.js';
import { CAE_PARAMS, caeLayers, checkCaeLayers, type CaeParams } from './params.js';
import { CAE_MAX_MAPS_DEFAULT, caeTrainingIds, caeTrainingMaps } from './training-pool.js';
import { ZeroBiasCAE } from './zero-bias-cae.js';

export type CaeTrainOn = 'train' | 'unlabelled';

/** The parameters every CAE-on-maps method has (zero-bias-cae on backbone maps, pixel-cae on pixels). */
export type CaeProbeParams = Omit<CaeParams, 'seed'> &
  ProbeParams & {
    inputSize: number;
    resizeMode: ResizeMode;
    caeTrainOn: CaeTrainOn;
    pool: PoolMode;
    grid: Record<string, unknown>[];
    extractBatchSize: number;
    /** Most images the CAE trains on (a seeded draw from larger pools): bounds its memory and time. */
    caeMaxMaps: number;
  };

/** zero-bias-cae: the CAE on a frozen backbone's tap maps. */
export type ZeroBiasCaeParams = CaeProbeParams & {
  backbone: string;
  tap: string;
};

/** What a grid entry of any CAE method may change: the auto-encoder and the pooling of its codes. */
export const CAE_TUNABLE: readonly string[] = [...Object.keys(CAE_PARAMS), 'pool'];

/** zero-bias-cae's grid may also change the tap the auto-encoder learns from. */
const TUNABLE = [...CAE_TUNABLE, 'tap'];

const gridDoc = (tunable: readonly string[]) =>
  `configurations (overrides of ${tunable.join(', ')}) chosen among, each with every C, by inner CV on the labelled set (or on the validation split when one is given); [{}] = no choice but C`;

/** The parameters of every CAE-on-maps method (each sets its own defaults with `withDefaults`). */
export const CAE_PROBE_PARAMS = {
  inputSize: param.wholeNumber(1).default(224).describe('square image size the backbone sees (images must be requested at this size)'),
  resizeMode: param.oneOf(['resize', 'pad']).default('resize').describe("how images reach inputSize: 'resize' (stretch) or 'pad' (zero-pad)"),
  caeTrainOn: param
    .oneOf(['train', 'unlabelled'])
    .default('train')
    .describe("'train' = every training image of the fold without its label (labelled ∪ unlabelled: the same for every label budget, so it is trained once per fold); 'unlabelled' = the unlabelled pool only"),
  ...CAE_PARAMS,
  pool: param.oneOf(POOL_MODES as readonly PoolMode[] as [PoolMode, ...PoolMode[]]).default('avg').describe("codes → vector: 'avg', 'max', 'avgmax' or 'pyramid' (1x1 + 2x2)"),
  // Six decades: with four (1e-5…1e-2) the chosen C sat strictly at an edge in 22–61% of the default
  // run's probe jobs (pixel-cae high, the others low); the report counts edge hits per method.
  ...probeParams({ classifier: 'linear-svm', cCandidates: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], innerFolds: 3, cScaling: 'feature-dimension' }),
  grid: param.grid().default([{}]).describe(gridDoc(CAE_TUNABLE)),
  extractBatchSize: param.wholeNumber(1).default(16).describe('images per backbone batch'),
  caeMaxMaps: param
    .wholeNumber(1)
    .default(CAE_MAX_MAPS_DEFAULT)
    .describe("most training images the CAE learns from: a larger pool is subsampled (seeded) to this many maps, recorded as caeTrainingMaps; bounds the CAE's memory (caeMaxMaps × H×W×C floats) and time"),
};

const ZERO_BIAS_CAE_PARAMS = z
  .object({
    backbone: param.name().default('mobilenet-v2-1.0').describe('frozen ImageNet backbone (registry id)'),
    tap: param.name().default('block_16_project').describe('backbone layer whose maps the CAE learns from (block_16_project = 7x7x320 at 224)'),
    ...withDefaults(CAE_PROBE_PARAMS, {
      // The paper's structure (two stacked zero-bias layers, a 3x3 kernel first, overcomplete codes,
      // TRec) at a width a CPU run affords (costs: `pnpm bench`, README). The grid's second entry is
      // the one-layer 1x1 320 → 2048 code; validation inside each fold picks between them.
      layers: 2,
      kernelSize: [3, 1],
      filters: [512, 1024],
    }),
    grid: CAE_PROBE_PARAMS.grid.removeDefault().default([{}, { layers: 1, kernelSize: 1, filters: 2048 }]).describe(gridDoc(TUNABLE)),
  })
  .superRefine(checkCaeLayers);

/** The frozen backbone's tap, shared by every fit of the worker (and with the baselines). */
async function tapSourceFor(p: ZeroBiasCaeParams, ctx: FitContext): Promise<TapSource> {
  return frozenTapSource(await sharedBackbone(p.backbone, p.inputSize, ctx), p.tap, ctx);
}

/** The CAE's own parameters out of a method's (validated) parameters. */
function caeParamsOf(p: Omit<CaeParams, 'seed'>, seed: number): CaeParams {
  return { ...Object.fromEntries(Object.keys(CAE_PARAMS).map((k) => [k, p[k as keyof typeof p]])), seed } as CaeParams;
}

/**
 * A CAE trained without labels on the maps of some `TapSource` → pooled codes → the shared probe.
 * Subclasses say where the maps come from (`source`); every grid configuration gets its own CAE
 * (shared across label budgets through ctx.stages), and configuration and C are chosen together.
 */
export abstract class CaeProbeMethod<P extends CaeProbeParams> implements Method {
  readonly params: Readonly<P>;

  /** `params` are complete and valid (the spec's schema checked them, grid configurations included). */
  constructor(
    readonly id: string,
    params: P,
  ) {
    this.params = Object.freeze(params);
  }

  /** Where the maps of configuration `p` come from. */
  protected abstract source(p: P, ctx: FitContext): Promise<TapSource>;

  private configs(): P[] {
    return expandGrid(this.params, this.params.grid);
  }

  async prepare(images: ImageSet, ctx: FitContext): Promise<void> {
    checkImageSettings(this.id, images, this.params, 'prepared');
    const seen = new Set<string>();
    for (const pk of this.configs()) {
      const source = await this.source(pk, ctx);
      if (seen.has(source.tap)) continue;
      seen.add(source.tap);
      await prepareTapMaps(images, source, { cacheDir: ctx.cacheDir, batchSize: pk.extractBatchSize, log: ctx.log });
    }
  }

  async fit(data: FitData, ctx: FitContext): Promise<FittedModel> {
    const p = this.params;
    const { labelled, unlabelled, validation } = data;
    checkFitData(this.id, data, p);
    const poolIds = p.caeTrainOn === 'train' ? [...labelled.images.ids, ...unlabelled.ids] : [...unlabelled.ids];
    if (poolIds.length === 0) {
      throw new Error(`${this.id}: the unlabelled pool is empty (caeTrainOn '${p.caeTrainOn}'); nothing to train the CAE on`);
    }
    const ownsCae = !ctx.stages;
    // Maps are never held for a whole set: features are pooled batch by batch from the feature cache.
    const candidates: ProbeCandidate[] = [];
    try {
      for (const [k, pk] of this.configs().entries()) {
        const source = await this.source(pk, ctx);
        const opts = { cacheDir: ctx.cacheDir, batchSize: pk.extractBatchSize, log: ctx.log };
        const { cae, trainingMaps } = await this.trainCae(pk, poolIds, labelled.images, unlabelled, source, ctx);
        const densityMaps = await tapMaps(labelled.images.subset(labelled.images.ids.slice(0, DENSITY_MAPS)), source, opts);
        const record = await caeRecord(cae, densityMaps);
        candidates.push({
          config: p.grid[k],
          features: (images) => pooledTapFeatures(images, source, { encoder: cae, pool: pk.pool }, opts),
          chosen: () => ({ ...this.sourceRecord(source), ...record, caeTrainingMaps: trainingMaps, caePoolImages: poolIds.length }),
          dispose: () => ownsCae && cae.dispose(),
        });
      }
    } catch (err) {
      candidates.forEach((c) => c.dispose?.());
      throw err;
    }
    return fitProbe({ methodId: this.id, candidates, labelled, validation, params: p, seed: ctx.seed, metric: ctx.primaryMetric });
  }

  /** What to record about a configuration's map source in chosen(). */
  protected sourceRecord(source: TapSource): Record<string, unknown> {
    return { tap: source.tap };
  }

  /** The unsupervised stage: depends on the pool, the CAE parameters, the maps' source and the seed only — shared via ctx.stages. */
  private async trainCae(
    pk: P,
    poolIds: string[],
    labelledImages: ImageSet,
    unlabelled: ImageSet,
    source: TapSource,
    ctx: FitContext,
  ): Promise<{ cae: ZeroBiasCAE; trainingMaps: number }> {
    const caeParams = caeParamsOf(pk, ctx.seed);
    const trainIds = caeTrainingIds(poolIds, pk.caeMaxMaps, ctx.seed);
    const stageKey = sha256(
      JSON.stringify({
        stage: 'cae/v1',
        features: featureKeyHash(featureCacheKey(unlabelled, source)),
        pool: sha256(trainIds.join('\n')),
        cae: caeParams,
      }),
    );
    const cached = ctx.stages?.get<ZeroBiasCAE>(stageKey);
    if (cached) {
      ctx.log?.(`${this.id}: reusing the CAE trained on this pool (${trainIds.length} of ${poolIds.length} images)`);
      return { cae: cached, trainingMaps: trainIds.length };
    }
    const sets = pk.caeTrainOn === 'train' ? [labelledImages, unlabelled] : [unlabelled];
    const opts = { cacheDir: ctx.cacheDir, batchSize: pk.extractBatchSize, log: ctx.log };
    const pool = await caeTrainingMaps(trainIds, sets, source, opts);
    const started = performance.now();
    const cae = await new ZeroBiasCAE(caeParams).fit(pool, { log: ctx.log });
    ctx.log?.(`${this.id}: CAE trained on ${pool.n} maps${pool.n < poolIds.length ? ` (capped by caeMaxMaps from ${poolIds.length})` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    ctx.stages?.set(stageKey, cae, (c) => c.dispose());
    return { cae, trainingMaps: trainIds.length };
  }
}

/** Labelled maps the code density is measured on. */
const DENSITY_MAPS = 32;

/** The CAE's training record (reconstruction loss per epoch, one list per layer) and the density of its codes on (up to DENSITY_MAPS of) the labelled maps. */
async function caeRecord(cae: ZeroBiasCAE, maps: FeatureMaps): Promise<Record<string, unknown>> {
  const n = Math.min(maps.n, DENSITY_MAPS);
  const size = maps.height * maps.width * maps.channels;
  const x = tf.tensor4d(maps.data.subarray(0, n * size), [n, maps.height, maps.width, maps.channels]);
  let density: number;
  try {
    density = await cae.codeDensity(x);
  } finally {
    x.dispose();
  }
  const perLayer = caeLayers(cae.params).map((_, l) => cae.history.filter((h) => h.layer === l).map((h) => h.loss));
  return { caeFinalLoss: cae.history.at(-1)?.loss ?? null, caeLossHistory: perLayer, codeDensity: density };
}

class ZeroBiasCaeMethod extends CaeProbeMethod<ZeroBiasCaeParams> {
  constructor(params: ZeroBiasCaeParams) {
    super('zero-bias-cae', params);
  }

  protected source(p: ZeroBiasCaeParams, ctx: FitContext): Promise<TapSource> {
    return tapSourceFor(p, ctx);
  }
}

export const zeroBiasCaeSpec: MethodSpec<ZeroBiasCaeParams> = defineMethod<ZeroBiasCaeParams>({
  id: 'zero-bias-cae',
  description:
    'Ahn et al. (ISBI 2019): frozen ImageNet CNN → zero-bias convolutional auto-encoder (Konda et al. 2015) trained on the tap maps of unlabelled training images → pooled codes → linear SVM (C by inner CV)',
  params: ZERO_BIAS_CAE_PARAMS,
  tunable: TUNABLE,
  build: (params) => new ZeroBiasCaeMethod(params),
});

/** zero-bias-cae's defaults (read from its parameter schema); the baselines share the probe's. */
export const ZERO_BIAS_CAE_DEFAULTS: ZeroBiasCaeParams = zeroBiasCaeSpec.defaults;

registerMethod(zeroBiasCaeSpec);
