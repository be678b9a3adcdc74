/**
 * `pixel-cae`: the zero-bias CAE of core trained on downsampled image pixels instead of backbone
 * maps (no transfer), then the same pooling and classifier: the ablation that shows what the
 * pretrained ImageNet domain brings to the proposed method.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  batchToTensor,
  CAE_PROBE_PARAMS,
  CAE_TUNABLE,
  CaeProbeMethod,
  checkCaeLayers,
  defineMethod,
  param,
  registerMethod,
  withDefaults,
  withDocs,
  z,
  type CaeProbeParams,
  type MethodSpec,
  type TapSource,
} from '@udtl/core';
import { sha256, type ImageBatch } from '@udtl/datasets';
import { gridDoc } from './common.js';

export type PixelColour = 'grey' | 'rgb';

export type PixelCaeParams = CaeProbeParams & {
  pixelSize: number;
  colour: PixelColour;
};

const PIXEL_CAE_PARAMS = z
  .object({
    ...withDocs(
      withDefaults(CAE_PROBE_PARAMS, {
        // On pixels a 1x1 kernel would code single grey values: a 5x5 receptive field (25 inputs → 256
        // codes, overcomplete like 320 → 2048 on the backbone maps) is the smallest that sees texture.
        filters: 256,
        kernelSize: 5,
        // One decade higher than the backbone methods' grid: in the benchmark run (6 datasets, 102
        // jobs) pixel-cae chose the largest of 1e-6…1e-1 in 21 jobs and the smallest in 6.
        cCandidates: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1],
        extractBatchSize: 64,
      }),
      {
        inputSize: 'size the images arrive at (the experiment-wide setting); they are downsampled to pixelSize',
        caeTrainOn: "'train' = every training image of the fold without its label; 'unlabelled' = the unlabelled pool only",
        kernelSize: 'odd conv kernel size per layer (5: 5x5 pixel patches)',
        extractBatchSize: 'images per downsampling batch',
        caeMaxMaps: 'most training images the CAE learns from (a seeded draw from a larger pool), recorded as caeTrainingMaps',
      },
    ),
    pixelSize: param.wholeNumber(1).default(32).describe('square size of the pixel maps the CAE learns from (area-averaged from inputSize)'),
    colour: param.oneOf(['grey', 'rgb']).default('grey').describe("'grey' (ITU-R 601 luma, 1 channel) or 'rgb' (3 channels)"),
    // Two thresholds × six C values: the same number of candidates as every other method. The
    // pixel maps themselves stay fixed.
    grid: CAE_PROBE_PARAMS.grid.removeDefault().default([{}, { theta: 0.5 }]).describe(gridDoc(CAE_TUNABLE)),
  })
  .superRefine((p, ctx) => {
    checkCaeLayers(p, ctx);
    if (p.pixelSize > p.inputSize) ctx.addIssue({ code: 'custom', path: ['pixelSize'], message: `exceeds inputSize ${p.inputSize}` });
  });

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
  constructor(params: PixelCaeParams) {
    super(ID, params);
  }

  protected async source(p: PixelCaeParams): Promise<TapSource> {
    return pixelSource(p.inputSize, p.pixelSize, p.colour);
  }

  protected override sourceRecord(source: TapSource): Record<string, unknown> {
    return { pixels: source.tap };
  }
}

export const pixelCaeSpec: MethodSpec<PixelCaeParams> = defineMethod<PixelCaeParams>({
  id: ID,
  description: "The zero-bias CAE trained on downsampled image pixels (no ImageNet transfer) → the same pooling and scaled linear classifier (C by inner CV)",
  params: PIXEL_CAE_PARAMS,
  tunable: CAE_TUNABLE,
  build: (params) => new PixelCaeMethod(params),
});

registerMethod(pixelCaeSpec);
