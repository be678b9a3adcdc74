import type * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch } from '@udtl/datasets';
import type { FeatureMaps } from './feature-maps.js';
import { extractTap } from './layers-backbone.js';
import type { Backbone } from './types.js';

/** A frozen feature extractor: image batch → tap maps. Anything with this shape can be cached. */
export interface TapSource {
  backboneId: string;
  /** sha256 of the weights: part of the cache key. */
  weightsHash: string;
  tap: string;
  /** Square input size the images must have. */
  inputSize: number;
  /** uint8 images → [n, h, w, c] float32 maps (caller disposes). */
  extract(batch: ImageBatch): tf.Tensor4D;
  /** Faster path used instead of `extract` when present (a FrozenEngine, e.g. onnxruntime; see engineTapSource). */
  run?(batch: ImageBatch): Promise<FeatureMaps>;
  /** What computes the maps, in the cache key (e.g. 'onnxruntime 1.22.0 cpu'); default: the active tfjs backend. */
  engine?: string;
}

/** The tap `tap` (default: the backbone's default tap) of a loaded backbone. */
export function backboneTapSource(backbone: Backbone, tap?: string): TapSource {
  const name = tap ?? backbone.defaultTap;
  backbone.resolveTap(name); // unknown tap → error listing the known ones, before any work
  return {
    backboneId: backbone.id,
    weightsHash: backbone.weightsHash,
    tap: name,
    inputSize: backbone.inputSize,
    extract: (batch) => extractTap(backbone, name, batch),
  };
}
