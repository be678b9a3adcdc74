/**
 * `pixel-cae`: the zero-bias CAE of core trained on downsampled image pixels instead of backbone
 * maps (no transfer), then the same pooling and classifier: the ablation that shows what the
 * pretrained ImageNet domain brings to the proposed method.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  batchToTensor,
  CAE_DEFAULTS,
  CAE_PARAM_DOCS,
  CAE_TUNABLE,
  CaeProbeMethod,
  registerMethod,
  ZERO_BIAS_CAE_DEFAULTS,
  type CaeProbeParams,
  type MethodSpec,
  type TapSource,
} from '@udtl/core';
import { sha256, type ImageBatch } from '@udtl/datasets';
import { positiveInteger, PROBE_DEFAULTS, PROBE_DOCS } from './common.js';

export type PixelColour = 'grey' | 'rgb';

export type PixelCaeParams = CaeProbeParams & {
  pixelSize: number;
  colour: PixelColour;
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
  // Two thresholds × four C values: the same number of candidates as every other method.
  grid: [{}, { theta: 0.5 }],
  extractBatchSize: 64,
  caeMaxMaps: ZERO_BIAS_CAE_DEFAULTS.caeMaxMaps,
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



/** zero-bias-cae's whole body (CAE per grid configuration, shared probe); only the maps differ. */
class PixelCaeMethod extends CaeProbeMethod<PixelCaeParams> {
  constructor(params: Partial<PixelCaeParams> = {}) {
    super(ID, PIXEL_CAE_DEFAULTS, params, CAE_TUNABLE); // the pixel maps themselves stay fixed
    const p = this.params;
    positiveInteger(ID, 'pixelSize', p.pixelSize);
    positiveInteger(ID, 'extractBatchSize', p.extractBatchSize);
    if (p.pixelSize > p.inputSize) throw new Error(`${ID}: pixelSize ${p.pixelSize} exceeds inputSize ${p.inputSize}`);
    if (!['grey', 'rgb'].includes(p.colour)) throw new Error(`${ID}: colour must be 'grey' or 'rgb', got '${p.colour}'`);
  }

  protected async source(p: PixelCaeParams): Promise<TapSource> {
    return pixelSource(p.inputSize, p.pixelSize, p.colour);
  }

  protected override sourceRecord(source: TapSource): Record<string, unknown> {
    return { pixels: source.tap };
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
    ...CAE_PARAM_DOCS,
    kernelSize: 'odd conv kernel size per layer (5: 5x5 pixel patches)',
    ...PROBE_DOCS,
    extractBatchSize: 'images per downsampling batch',
    caeMaxMaps: 'most training images the CAE learns from (a seeded draw from a larger pool), recorded as caeTrainingMaps',
  },
  create: (params) => new PixelCaeMethod(params),
};

registerMethod(pixelCaeSpec);
