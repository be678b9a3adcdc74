import * as tf from '@tensorflow/tfjs-core';
import { sha256, type ImageSet, type ResizeMode } from '@udtl/datasets';
// Importing @udtl/backbones registers the built-in backbones (mobilenet-v2-1.0, mobilenet-v1-*, alexnet).
import {
  featureCacheKey, featureKeyHash, frozenTapSource, pooledDim, pooledTapFeatures, prepareTapMaps, sharedBackbone, tapMaps,
  type FeatureMaps, type PoolMode, type TapSource,
} from '@udtl/backbones';
import type { FitContext, FitData, FittedModel, Method, MethodSpec } from '../method/contract.js';
import { gridConfigs } from '../method/grid.js';
import { checkFitData, checkImageSettings } from '../method/input-checks.js';
import { C_REFERENCE_DIM, fitProbe, type ProbeCandidate, type ProbeParams } from '../method/probe.js';
import { registerMethod } from '../method/registry.js';
import { CAE_DEFAULTS, caeLayers, resolveCaeParams, type CaeParams } from './params.js';
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

const { seed: _seed, ...caeDefaults } = CAE_DEFAULTS;

/** What a grid entry of any CAE method may change: the auto-encoder and the pooling of its codes. */
export const CAE_TUNABLE = [...Object.keys(caeDefaults), 'pool'] as (keyof CaeProbeParams & string)[];

/** zero-bias-cae's grid may also change the tap the auto-encoder learns from. */
const TUNABLE = [...CAE_TUNABLE, 'tap'] as (keyof ZeroBiasCaeParams & string)[];

export const ZERO_BIAS_CAE_DEFAULTS: ZeroBiasCaeParams = {
  backbone: 'mobilenet-v2-1.0',
  tap: 'block_16_project',
  inputSize: 224,
  resizeMode: 'resize',
  caeTrainOn: 'train',
  ...caeDefaults,
  // The paper's structure (two stacked zero-bias layers, 3x3 kernels, overcomplete codes, TRec), at
  // the width a 2-core CPU affords (costs: `pnpm bench`, README). The grid's second entry is the
  // one-layer 1x1 320 → 2048 code; validation inside each fold picks between them.
  layers: 2,
  kernelSize: [3, 1],
  filters: [512, 1024],
  // 'avg' rather than 'avgmax': half the features, and the dual SVM solver's time grows with both
  // the feature count and C.
  pool: 'avg',
  classifier: 'linear-svm',
  // Six decades: with four (1e-5…1e-2) the chosen C sat strictly at an edge in 22–61% of the default
  // run's probe jobs (pixel-cae high, the others low); the report counts edge hits per method.
  cCandidates: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1],
  cScaling: 'feature-dimension',
  innerFolds: 3,
  grid: [{}, { layers: 1, kernelSize: 1, filters: 2048 }],
  extractBatchSize: 16,
  caeMaxMaps: CAE_MAX_MAPS_DEFAULT,
};

/** The auto-encoder's own parameters, documented once for every CAE method. */
export const CAE_PARAM_DOCS: Record<keyof Omit<CaeParams, 'seed'>, string> = {
  layers: 'stacked CAE layers, trained greedily',
  filters: 'code channels per layer, one value or one per layer (overcomplete: > input channels)',
  kernelSize: 'odd conv kernel size, one value or one per layer',
  activation: "'trec' z·[z>θ], 'tlin' z·[|z|>θ] (Konda et al. 2015) or 'relu' (ordinary CAE)",
  theta: 'fixed threshold θ of trec/tlin',
  bias: 'encoder bias (false = zero-bias)',
  decoderBias: 'decoder bias',
  tied: 'decoder weights = encoder weightsᵀ',
  poolBetween: "pooling between stacked layers: 'none', 'max2', 'avg2'",
  epochs: 'CAE training epochs',
  batchSize: 'patches per Adam step',
  learningRate: 'Adam learning rate',
  patchesPerMap: 'random k×k patches per map per epoch',
  standardise: 'per-channel standardisation of the input maps, fitted on the CAE training pool',
};

const PARAM_DOCS: Partial<Record<keyof ZeroBiasCaeParams, string>> = {
  backbone: 'frozen ImageNet backbone (registry id)',
  tap: 'backbone layer whose maps the CAE learns from (block_16_project = 7x7x320 at 224)',
  inputSize: 'square image size the backbone sees (images must be requested at this size)',
  resizeMode: "how images reach inputSize: 'resize' (stretch) or 'pad' (zero-pad)",
  caeTrainOn:
    "'train' = every training image of the fold without its label (labelled ∪ unlabelled: the same for every label budget, so it is trained once per fold); 'unlabelled' = the unlabelled pool only",
  ...CAE_PARAM_DOCS,
  pool: "codes → vector: 'avg', 'max', 'avgmax' or 'pyramid' (1x1 + 2x2)",
  classifier: "classifier on the pooled codes ('linear-svm' or 'logistic'), after a StandardScaler",
  cCandidates: 'C values tried with every grid configuration (scored on the primary metric by inner stratified CV on the labelled set), scaled per cScaling',
  cScaling: `'feature-dimension': cCandidates are the C values for ${C_REFERENCE_DIM} features, scaled by ${C_REFERENCE_DIM}/d for d features (C·d fixed, the same rule as every probe method); 'none': used as listed`,
  innerFolds: 'inner CV folds for C',
  grid: `configurations (overrides of ${TUNABLE.join(', ')}) chosen among, each with every C, by inner CV on the labelled set (or on the validation split when one is given); [{}] = no choice but C`,
  extractBatchSize: 'images per backbone batch',
  caeMaxMaps: "most training images the CAE learns from: a larger pool is subsampled (seeded) to this many maps, recorded as caeTrainingMaps; bounds the CAE's memory (caeMaxMaps × H×W×C floats) and time",
};

/** The frozen backbone's tap, shared by every fit of the worker (and with the baselines). */
async function tapSourceFor(p: ZeroBiasCaeParams, ctx: FitContext): Promise<TapSource> {
  return frozenTapSource(await sharedBackbone(p.backbone, p.inputSize, ctx), p.tap, ctx);
}

/** The CAE's own parameters out of a method's parameters (validated). */
function caeParamsOf(p: Omit<CaeParams, 'seed'>, seed: number): CaeParams {
  const picked = Object.fromEntries(Object.keys(caeDefaults).map((k) => [k, p[k as keyof typeof p]]));
  return resolveCaeParams({ ...(picked as Partial<CaeParams>), seed });
}

/**
 * A CAE trained without labels on the maps of some `TapSource` → pooled codes → the shared probe.
 * Subclasses say where the maps come from (`source`); every grid configuration gets its own CAE
 * (shared across label budgets through ctx.stages), and configuration and C are chosen together.
 */
export abstract class CaeProbeMethod<P extends CaeProbeParams> implements Method {
  readonly params: Readonly<P>;

  constructor(
    readonly id: string,
    defaults: P,
    params: Partial<P>,
    /** Parameters a grid entry may override. */
    readonly tunable: readonly (keyof P & string)[],
  ) {
    const known = Object.keys(defaults);
    for (const k of Object.keys(params)) {
      if (!known.includes(k)) throw new Error(`Unknown parameter '${k}' for method '${id}'. Known parameters: ${known.join(', ')}`);
    }
    const p = { ...defaults, ...params } as P;
    for (const pk of gridConfigs(id, p, p.grid, tunable)) {
      caeParamsOf(pk, 0); // validate now, not after the backbone has run
      pooledDim(1, pk.pool);
      this.validate(pk);
    }
    if (!(Number.isInteger(p.caeMaxMaps) && p.caeMaxMaps >= 1)) throw new Error(`${id}: caeMaxMaps must be a whole number ≥ 1, got ${JSON.stringify(p.caeMaxMaps)}`);
    if (!['train', 'unlabelled'].includes(p.caeTrainOn)) throw new Error(`${id}: caeTrainOn must be 'train' or 'unlabelled', got '${p.caeTrainOn}'`);
    if (!Array.isArray(p.cCandidates) || !p.cCandidates.length || p.cCandidates.some((c) => !(c > 0))) {
      throw new Error(`${id}: cCandidates must be a non-empty list of positive numbers, got ${JSON.stringify(p.cCandidates)}`);
    }
    this.params = Object.freeze(p);
  }

  /** Where the maps of configuration `p` come from. */
  protected abstract source(p: P, ctx: FitContext): Promise<TapSource>;

  /** Subclass checks of one configuration (called for every grid entry at construction). */
  protected validate(_p: P): void {}

  private configs(): P[] {
    return gridConfigs(this.id, this.params, this.params.grid, this.tunable);
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
        candidates.push({
          config: p.grid[k],
          features: (images) => pooledTapFeatures(images, source, { encoder: cae, pool: pk.pool }, opts),
          chosen: () => ({ ...this.sourceRecord(source), ...caeRecord(cae, densityMaps), caeTrainingMaps: trainingMaps, caePoolImages: poolIds.length }),
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
    const cae = new ZeroBiasCAE(caeParams).fit(pool, { log: ctx.log });
    ctx.log?.(`${this.id}: CAE trained on ${pool.n} maps${pool.n < poolIds.length ? ` (capped by caeMaxMaps from ${poolIds.length})` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    ctx.stages?.set(stageKey, cae, (c) => c.dispose());
    return { cae, trainingMaps: trainIds.length };
  }
}

/** Labelled maps the code density is measured on. */
const DENSITY_MAPS = 32;

/** The CAE's training record (reconstruction loss per epoch, one list per layer) and the density of its codes on (up to 32 of) the labelled maps. */
function caeRecord(cae: ZeroBiasCAE, maps: FeatureMaps): Record<string, unknown> {
  const density = tf.tidy(() => {
    const n = Math.min(maps.n, 32);
    const size = maps.height * maps.width * maps.channels;
    return cae.codeDensity(tf.tensor4d(maps.data.subarray(0, n * size), [n, maps.height, maps.width, maps.channels]));
  });
  const perLayer = caeLayers(cae.params).map((_, l) => cae.history.filter((h) => h.layer === l).map((h) => h.loss));
  return { caeFinalLoss: cae.history.at(-1)?.loss ?? null, caeLossHistory: perLayer, codeDensity: density };
}

class ZeroBiasCaeMethod extends CaeProbeMethod<ZeroBiasCaeParams> {
  constructor(params: Partial<ZeroBiasCaeParams> = {}) {
    super('zero-bias-cae', ZERO_BIAS_CAE_DEFAULTS, params, TUNABLE);
  }

  protected source(p: ZeroBiasCaeParams, ctx: FitContext): Promise<TapSource> {
    return tapSourceFor(p, ctx);
  }
}

export const zeroBiasCaeSpec: MethodSpec<ZeroBiasCaeParams> = {
  id: 'zero-bias-cae',
  description:
    'Ahn et al. (ISBI 2019): frozen ImageNet CNN → zero-bias convolutional auto-encoder (Konda et al. 2015) trained on the tap maps of unlabelled training images → pooled codes → linear SVM (C by inner CV)',
  defaults: ZERO_BIAS_CAE_DEFAULTS,
  paramDocs: PARAM_DOCS,
  create: (params) => new ZeroBiasCaeMethod(params),
};

registerMethod(zeroBiasCaeSpec);
