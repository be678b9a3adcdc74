import * as tf from '@tensorflow/tfjs-core';
import { sha256, type ImageSet, type ResizeMode } from '@udtl/datasets';
// The backbones index registers the built-in backbones (mobilenet-v2-1.0, mobilenet-v1-*).
import { featureKeyHash } from '../cache/feature-cache.js';
import { classProbabilities } from '../classifiers/classifier.js';
import type { Matrix } from '../classifiers/matrix.js';
import { createClassifier } from '../classifiers/registry.js';
import { selectC } from '../classifiers/select-c.js';
import { frozenTapSource, sharedBackbone } from '../extractor/frozen.js';
import { concatMaps, featureCacheKey, pooledFeatures, selectMaps, tapMaps, type TapSource } from '../extractor/features.js';
import { pooledDim, type PoolMode } from '../extractor/pool.js';
import type { FitContext, FitData, FittedModel, Method, MethodSpec } from '../method/contract.js';
import { registerMethod } from '../method/registry.js';
import type { FeatureMaps } from './maps.js';
import { CAE_DEFAULTS, resolveCaeParams, type CaeParams } from './params.js';
import { ZeroBiasCAE } from './zero-bias-cae.js';

export type CaeTrainOn = 'train' | 'unlabelled';

export type ZeroBiasCaeParams = Omit<CaeParams, 'seed'> & {
  backbone: string;
  tap: string;
  inputSize: number;
  resizeMode: ResizeMode;
  caeTrainOn: CaeTrainOn;
  pool: PoolMode;
  classifier: string;
  cCandidates: number[];
  innerFolds: number;
  extractBatchSize: number;
};

const { seed: _seed, ...caeDefaults } = CAE_DEFAULTS;

export const ZERO_BIAS_CAE_DEFAULTS: ZeroBiasCaeParams = {
  backbone: 'mobilenet-v2-1.0',
  tap: 'block_16_project',
  inputSize: 224,
  resizeMode: 'resize',
  caeTrainOn: 'train',
  ...caeDefaults,
  // Cost-driven (measured on brain-tumor-mri fold 0, 2,421 labelled, wasm, shared machine): the
  // liblinear-style dual solver needs 2-8 s per fit for C ≤ 1e-3 but 40 s (avg, 2048 features)
  // to 100 s (avgmax, 4096) at C = 1e-2 and more above; 'avg' halves every fit.
  pool: 'avg',
  classifier: 'linear-svm',
  cCandidates: [1e-5, 1e-4, 1e-3, 1e-2],
  innerFolds: 3,
  extractBatchSize: 16,
};

const PARAM_DOCS: Partial<Record<keyof ZeroBiasCaeParams, string>> = {
  backbone: 'frozen ImageNet backbone (registry id)',
  tap: 'backbone layer whose maps the CAE learns from (block_16_project = 7x7x320 at 224)',
  inputSize: 'square image size the backbone sees (images must be requested at this size)',
  resizeMode: "how images reach inputSize: 'resize' (stretch) or 'pad' (zero-pad)",
  caeTrainOn:
    "'train' = every training image of the fold without its label (labelled ∪ unlabelled: the same for every label budget, so it is trained once per fold); 'unlabelled' = the unlabelled pool only",
  layers: 'stacked CAE layers, trained greedily',
  filters: 'code channels per layer (overcomplete: > input channels)',
  kernelSize: 'odd conv kernel size per layer',
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
  standardise: 'per-channel standardisation of the tap maps, fitted on the CAE training pool',
  pool: "codes → vector: 'avg', 'max', 'avgmax' or 'pyramid' (1x1 + 2x2)",
  classifier: "classifier on the pooled codes ('linear-svm' or 'logistic'), after a StandardScaler",
  cCandidates: 'C values tried by inner stratified CV on the labelled set (balanced accuracy)',
  innerFolds: 'inner CV folds for C',
  extractBatchSize: 'images per backbone batch',
};

/** The frozen backbone's tap, shared by every fit of the worker (and with the baselines). */
async function tapSourceFor(p: ZeroBiasCaeParams, ctx: FitContext): Promise<TapSource> {
  return frozenTapSource(await sharedBackbone(p.backbone, p.inputSize, ctx), p.tap, ctx);
}

function checkImages(images: ImageSet, p: ZeroBiasCaeParams, what: string): void {
  if (images.height !== p.inputSize || images.width !== p.inputSize || images.resizeMode !== p.resizeMode) {
    throw new Error(
      `zero-bias-cae: ${what} images are ${images.height}x${images.width} (${images.resizeMode}) but the method was ` +
        `configured for ${p.inputSize}x${p.inputSize} (${p.resizeMode}); request the images with those settings`,
    );
  }
}

function caeParamsOf(p: ZeroBiasCaeParams, seed: number): CaeParams {
  const picked = Object.fromEntries(Object.keys(caeDefaults).map((k) => [k, p[k as keyof ZeroBiasCaeParams]]));
  return resolveCaeParams({ ...(picked as Partial<CaeParams>), seed });
}

/** Rows of `maps` (ids `ids`) reordered by id, so the pool's order never depends on the budget. */
function sortedById(ids: string[], maps: FeatureMaps): { ids: string[]; maps: FeatureMaps } {
  const order = ids.map((_, i) => i).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  return { ids: order.map((i) => ids[i]), maps: selectMaps(maps, order) };
}

class ZeroBiasCaeMethod implements Method {
  readonly id = 'zero-bias-cae';
  readonly params: Readonly<ZeroBiasCaeParams>;

  constructor(params: Partial<ZeroBiasCaeParams> = {}) {
    const known = Object.keys(ZERO_BIAS_CAE_DEFAULTS);
    for (const k of Object.keys(params)) {
      if (!known.includes(k)) throw new Error(`Unknown parameter '${k}' for method 'zero-bias-cae'. Known parameters: ${known.join(', ')}`);
    }
    const p = { ...ZERO_BIAS_CAE_DEFAULTS, ...params };
    caeParamsOf(p, 0); // validate now, not after the backbone has run
    pooledDim(1, p.pool);
    if (!['train', 'unlabelled'].includes(p.caeTrainOn)) throw new Error(`zero-bias-cae: caeTrainOn must be 'train' or 'unlabelled', got '${p.caeTrainOn}'`);
    this.params = Object.freeze(p);
  }

  async prepare(images: ImageSet, ctx: FitContext): Promise<void> {
    checkImages(images, this.params, 'prepared');
    await tapMaps(images, await tapSourceFor(this.params, ctx), { cacheDir: ctx.cacheDir, batchSize: this.params.extractBatchSize, log: ctx.log });
  }

  async fit(data: FitData, ctx: FitContext): Promise<FittedModel> {
    const p = this.params;
    const { labelled, unlabelled } = data;
    const labels = labelled.labels;
    if (labels.length !== labelled.images.ids.length) {
      throw new Error(`zero-bias-cae: ${labels.length} labels for ${labelled.images.ids.length} labelled images`);
    }
    if (new Set(labels).size < 2) throw new Error(`zero-bias-cae: the labelled set has ${new Set(labels).size} class(es); at least 2 are needed`);
    checkImages(labelled.images, p, 'labelled');
    checkImages(unlabelled, p, 'unlabelled');
    const poolIds = p.caeTrainOn === 'train' ? [...labelled.images.ids, ...unlabelled.ids] : [...unlabelled.ids];
    if (poolIds.length === 0) {
      throw new Error(`zero-bias-cae: the unlabelled pool is empty (caeTrainOn '${p.caeTrainOn}'); nothing to train the CAE on`);
    }
    const source = await tapSourceFor(p, ctx);
    const opts = { cacheDir: ctx.cacheDir, batchSize: p.extractBatchSize, log: ctx.log };
    const labelledMaps = await tapMaps(labelled.images, source, opts);

    // Unsupervised stage: depends on the pool, its parameters and the seed only — shared via ctx.stages.
    const caeParams = caeParamsOf(p, ctx.seed);
    const stageKey = sha256(
      JSON.stringify({
        stage: 'zero-bias-cae/cae/v1',
        features: featureKeyHash(featureCacheKey(unlabelled, source)),
        pool: sha256([...poolIds].sort().join('\n')),
        cae: caeParams,
      }),
    );
    let cae = ctx.stages?.get<ZeroBiasCAE>(stageKey);
    if (cae) ctx.log?.(`zero-bias-cae: reusing the CAE trained on this pool (${poolIds.length} images)`);
    else {
      const unlabelledMaps = unlabelled.ids.length ? await tapMaps(unlabelled, source, opts) : undefined;
      const parts = p.caeTrainOn === 'train' ? [labelledMaps, ...(unlabelledMaps ? [unlabelledMaps] : [])] : [unlabelledMaps!];
      const pool = sortedById(poolIds, concatMaps(parts));
      const started = performance.now();
      cae = new ZeroBiasCAE(caeParams).fit(pool.maps, { log: ctx.log });
      ctx.log?.(`zero-bias-cae: CAE trained on ${pool.maps.n} maps in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      ctx.stages?.set(stageKey, cae, (c) => c.dispose());
    }
    const ownsCae = !ctx.stages;
    try {
      return this.fitClassifier(cae, ownsCae, labelledMaps, labelled.labels, labelled.classNames.length, source, ctx);
    } catch (err) {
      if (ownsCae) cae.dispose();
      throw err;
    }
  }

  private fitClassifier(
    cae: ZeroBiasCAE,
    ownsCae: boolean,
    maps: FeatureMaps,
    labels: Int32Array,
    nClasses: number,
    source: TapSource,
    ctx: FitContext,
  ): FittedModel {
    const p = this.params;
    const X = pooledFeatures(maps, { encoder: cae, pool: p.pool });
    const classifier = { kind: p.classifier, standardize: true, seed: ctx.seed };
    const selection = selectC(X, labels, { candidates: p.cCandidates, folds: p.innerFolds, seed: ctx.seed, classifier });
    const clf = createClassifier({ ...classifier, C: selection.C }).fit(X, labels);
    const density = tf.tidy(() => {
      const n = Math.min(maps.n, 32);
      const size = maps.height * maps.width * maps.channels;
      return cae.codeDensity(tf.tensor4d(maps.data.subarray(0, n * size), [n, maps.height, maps.width, maps.channels]));
    });
    const chosen = {
      C: selection.C,
      cScores: selection.scores,
      innerFolds: selection.folds,
      featureDim: X.cols,
      caeFinalLoss: cae.history.at(-1)?.loss ?? null,
      caeLossHistory: cae.history.map((h) => h.loss),
      codeDensity: density,
    };
    let disposed = false;
    return {
      predictProba: async (images: ImageSet) => {
        if (disposed) throw new Error('zero-bias-cae: predictProba called after dispose()');
        checkImages(images, p, 'test');
        const test = pooledFeatures(await tapMaps(images, source, { cacheDir: ctx.cacheDir, batchSize: p.extractBatchSize, log: ctx.log }), {
          encoder: cae,
          pool: p.pool,
        });
        return classProbabilities(clf, test, nClasses);
      },
      chosen: () => structuredClone(chosen),
      dispose: () => {
        if (!disposed && ownsCae) cae.dispose();
        disposed = true;
      },
    };
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
