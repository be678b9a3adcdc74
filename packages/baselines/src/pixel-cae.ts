/**
 * `pixel-cae`: the zero-bias CAE of core trained on downsampled image pixels instead of backbone
 * maps (no transfer), then the same pooling and classifier: the ablation that shows what the
 * pretrained ImageNet domain brings to the proposed method.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  batchToTensor,
  CAE_DEFAULTS,
  concatMaps,
  featureCacheKey,
  featureKeyHash,
  pooledFeatures,
  registerMethod,
  resolveCaeParams,
  selectMaps,
  tapMaps,
  ZeroBiasCAE,
  ZERO_BIAS_CAE_DEFAULTS,
  type CaeParams,
  type FitContext,
  type FitData,
  type FittedModel,
  type Method,
  type MethodSpec,
  type TapSource,
} from '@udtl/core';
import { sha256, type ImageBatch, type ImageSet, type ResizeMode } from '@udtl/datasets';
import { checkImages, checkLabelled, fitProbe, positiveInteger, PROBE_DEFAULTS, PROBE_DOCS, resolveParams, type ProbeParams } from './common.js';

export type PixelColour = 'grey' | 'rgb';

export type PixelCaeParams = Omit<CaeParams, 'seed'> &
  ProbeParams & {
    inputSize: number;
    resizeMode: ResizeMode;
    pixelSize: number;
    colour: PixelColour;
    caeTrainOn: 'train' | 'unlabelled';
    extractBatchSize: number;
  };

const { seed: _seed, ...caeDefaults } = CAE_DEFAULTS;

export const PIXEL_CAE_DEFAULTS: PixelCaeParams = {
  inputSize: ZERO_BIAS_CAE_DEFAULTS.inputSize,
  resizeMode: ZERO_BIAS_CAE_DEFAULTS.resizeMode,
  pixelSize: 32,
  colour: 'grey',
  caeTrainOn: ZERO_BIAS_CAE_DEFAULTS.caeTrainOn,
  ...caeDefaults,
  // On pixels a 1x1 kernel would code single grey values: a 5x5 receptive field (25 inputs → 256
  // codes, overcomplete like 320 → 2048 on the backbone maps) is the smallest that sees texture.
  filters: 256,
  kernelSize: 5,
  ...PROBE_DEFAULTS,
  extractBatchSize: 64,
};

const ID = 'pixel-cae';

/** uint8 images → [n, s, s, 1 | 3] floats in [0, 1]: area-average by the integer factor, then bilinear to s. */
export function downsamplePixels(batch: ImageBatch | tf.Tensor4D, size: number, colour: PixelColour): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.div(tf.cast(batch instanceof tf.Tensor ? batch : batchToTensor(batch), 'float32'), 255);
    if (colour === 'grey') x = tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true) as tf.Tensor4D; // ITU-R 601 luma
    const factor = Math.floor(Math.min(x.shape[1], x.shape[2]) / size);
    if (factor > 1) x = tf.avgPool(x, factor, factor, 'valid');
    if (x.shape[1] !== size || x.shape[2] !== size) x = tf.image.resizeBilinear(x, [size, size], true);
    return x;
  });
}

/** Downsampled pixels as a cacheable TapSource (no weights: the recipe is hashed instead). */
export function pixelSource(inputSize: number, size: number, colour: PixelColour): TapSource {
  return {
    backboneId: 'pixels',
    weightsHash: sha256(`pixels/v1/${colour}/${size}`),
    tap: `${colour}${size}`,
    inputSize,
    extract: (batch) => downsamplePixels(batch, size, colour),
  };
}

function caeParamsOf(p: PixelCaeParams, seed: number): CaeParams {
  const picked = Object.fromEntries(Object.keys(caeDefaults).map((k) => [k, p[k as keyof PixelCaeParams]]));
  return resolveCaeParams({ ...(picked as Partial<CaeParams>), seed });
}

class PixelCaeMethod implements Method {
  readonly id = ID;
  readonly params: Readonly<PixelCaeParams>;

  constructor(params: Partial<PixelCaeParams> = {}) {
    const p = resolveParams(ID, PIXEL_CAE_DEFAULTS, params);
    caeParamsOf(p, 0); // validate the CAE parameters now
    positiveInteger(ID, 'pixelSize', p.pixelSize);
    positiveInteger(ID, 'extractBatchSize', p.extractBatchSize);
    if (p.pixelSize > p.inputSize) throw new Error(`${ID}: pixelSize ${p.pixelSize} exceeds inputSize ${p.inputSize}`);
    if (!['grey', 'rgb'].includes(p.colour)) throw new Error(`${ID}: colour must be 'grey' or 'rgb', got '${p.colour}'`);
    if (!['train', 'unlabelled'].includes(p.caeTrainOn)) throw new Error(`${ID}: caeTrainOn must be 'train' or 'unlabelled', got '${p.caeTrainOn}'`);
    this.params = Object.freeze(p);
  }

  private get source(): TapSource {
    return pixelSource(this.params.inputSize, this.params.pixelSize, this.params.colour);
  }

  private maps(images: ImageSet, ctx: FitContext) {
    return tapMaps(images, this.source, { cacheDir: ctx.cacheDir, batchSize: this.params.extractBatchSize, log: ctx.log });
  }

  async prepare(images: ImageSet, ctx: FitContext): Promise<void> {
    checkImages(ID, images, this.params, 'prepared');
    await this.maps(images, ctx);
  }

  async fit(data: FitData, ctx: FitContext): Promise<FittedModel> {
    const p = this.params;
    const { labelled, unlabelled } = data;
    checkLabelled(ID, labelled);
    checkImages(ID, labelled.images, p, 'labelled');
    checkImages(ID, unlabelled, p, 'unlabelled');
    const poolIds = p.caeTrainOn === 'train' ? [...labelled.images.ids, ...unlabelled.ids] : [...unlabelled.ids];
    if (poolIds.length === 0) throw new Error(`${ID}: the unlabelled pool is empty (caeTrainOn '${p.caeTrainOn}'); nothing to train the CAE on`);
    const labelledMaps = await this.maps(labelled.images, ctx);

    // The CAE depends on the pool, its parameters and the seed only: shared across budgets via ctx.stages.
    const caeParams = caeParamsOf(p, ctx.seed);
    const stageKey = sha256(
      JSON.stringify({
        stage: 'pixel-cae/cae/v1',
        features: featureKeyHash(featureCacheKey(unlabelled, this.source)),
        pool: sha256([...poolIds].sort().join('\n')),
        cae: caeParams,
      }),
    );
    let cae = ctx.stages?.get<ZeroBiasCAE>(stageKey);
    if (!cae) {
      const parts = p.caeTrainOn === 'train' ? [labelledMaps] : [];
      if (unlabelled.ids.length) parts.push(await this.maps(unlabelled, ctx));
      // The pool in id order, so the CAE never depends on how the budget split the ids.
      const ids = p.caeTrainOn === 'train' ? [...labelled.images.ids, ...unlabelled.ids] : [...unlabelled.ids];
      const order = ids.map((_, i) => i).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
      const poolMaps = selectMaps(concatMaps(parts), order);
      cae = new ZeroBiasCAE(caeParams).fit(poolMaps, { log: ctx.log });
      ctx.log?.(`${ID}: CAE trained on ${poolMaps.n} pixel maps`);
      ctx.stages?.set(stageKey, cae, (c) => c.dispose());
    } else ctx.log?.(`${ID}: reusing the CAE trained on this pool (${poolIds.length} images)`);
    const owned = ctx.stages ? undefined : cae;
    try {
      const encoder = cae;
      return fitProbe({
        methodId: ID,
        X: pooledFeatures(labelledMaps, { encoder, pool: p.pool }),
        labels: labelled.labels,
        nClasses: labelled.classNames.length,
        params: p,
        seed: ctx.seed,
        features: async (images) => {
          checkImages(ID, images, p, 'test');
          return pooledFeatures(await this.maps(images, ctx), { encoder, pool: p.pool });
        },
        chosen: { caeFinalLoss: cae.history.at(-1)?.loss ?? null, caeLossHistory: cae.history.map((h) => h.loss) },
        dispose: () => owned?.dispose(),
      });
    } catch (err) {
      owned?.dispose();
      throw err;
    }
  }
}

export const pixelCaeSpec: MethodSpec<PixelCaeParams> = {
  id: ID,
  description: "The zero-bias CAE trained on downsampled image pixels (no ImageNet transfer) → the same pooling and scaled linear classifier (C by inner CV)",
  defaults: PIXEL_CAE_DEFAULTS,
  paramDocs: {
    inputSize: 'size the images arrive at (the experiment-wide setting); they are downsampled to pixelSize',
    resizeMode: "how images reach inputSize: 'resize' (stretch) or 'pad' (zero-pad)",
    pixelSize: 'square size of the pixel maps the CAE learns from (area-averaged from inputSize)',
    colour: "'grey' (ITU-R 601 luma, 1 channel) or 'rgb' (3 channels)",
    caeTrainOn: "'train' = every training image of the fold without its label; 'unlabelled' = the unlabelled pool only",
    layers: 'stacked CAE layers, trained greedily',
    filters: 'code channels per layer',
    kernelSize: 'odd conv kernel size per layer (5: 5x5 pixel patches)',
    activation: "'trec', 'tlin' or 'relu'",
    theta: 'fixed threshold θ of trec/tlin',
    bias: 'encoder bias (false = zero-bias)',
    decoderBias: 'decoder bias',
    tied: 'decoder weights = encoder weightsᵀ',
    poolBetween: "pooling between stacked layers: 'none', 'max2', 'avg2'",
    epochs: 'CAE training epochs',
    batchSize: 'patches per Adam step',
    learningRate: 'Adam learning rate',
    patchesPerMap: 'random k×k patches per map per epoch',
    standardise: 'per-channel standardisation of the pixel maps, fitted on the CAE training pool',
    ...PROBE_DOCS,
    extractBatchSize: 'images per downsampling batch',
  },
  create: (params) => new PixelCaeMethod(params),
};

registerMethod(pixelCaeSpec);
