import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageBatch } from '@udtl/datasets';

/** A named feature map of a backbone: the output of one layer. */
export interface Tap {
  /** Layer whose output this tap is. */
  layer: string;
  /** [height, width, channels] at the spec's default input size. */
  shape: [number, number, number];
  description?: string;
}

export interface LoadOptions {
  /** Where pretrained weights live (default modelsRoot()). */
  modelsDir?: string;
  /** Where imported/downloaded models are cached (default cacheDir()). */
  cacheDir?: string;
  /** Square input size in pixels (default the spec's inputSize). */
  inputSize?: number;
  /** Fetch weights from their public source into the cache when they are not on disk (default true; see @udtl/datasets fetchResource). */
  download?: boolean;
  log?: (message: string) => void;
}

export interface BackboneSpec {
  id: string;
  description: string;
  /** Default square input size. */
  inputSize: number;
  taps: Record<string, Tap>;
  defaultTap: string;
  /** Human-readable origin of the weights (local layout and/or URL). */
  weightsSource: string;
  /** True for backbones that exist only as an ONNX file (see Backbone.frozenOnly): no fine-tuning, no re-initialisation. */
  frozenOnly?: boolean;
  load(opts?: LoadOptions): Promise<Backbone>;
}

export interface Prediction {
  /** Column of the model's output. */
  index: number;
  /** ImageNet class 0..999 (the TFLite models have a 'background' column first: -1 for it). */
  imagenetClass: number;
  className: string;
  probability: number;
}

export interface Backbone {
  readonly id: string;
  /** sha256 of the source weights: part of every feature-cache key. */
  readonly weightsHash: string;
  readonly inputSize: number;
  /** The full classifier, float and trainable. */
  readonly model: tfl.LayersModel;
  readonly taps: Record<string, Tap>;
  readonly defaultTap: string;
  /** One name per output column of `model`. */
  readonly classNames: string[];
  /** uint8-range pixels (NHWC, RGB, [n, inputSize, inputSize, 3]) → network input. */
  preprocess(x: tf.Tensor4D): tf.Tensor4D;
  /** Layer name behind a tap name (or a layer name itself); unknown → error listing taps and layers. */
  resolveTap(tap?: string): string;
  /** inputs → tap output; shares (and trains) the weights of `model`. Tap name or any layer name. */
  tapModel(tap?: string): tfl.LayersModel;
  /**
   * Inference-mode tap output for preprocessed input; equals `tapModel(tap).apply(x)` but may take
   * a faster path (e.g. batch norm folded into the convs on the fly from the current weights).
   */
  extract(x: tf.Tensor4D, tap?: string): tf.Tensor4D;
  /** [height, width, channels] of a tap at this backbone's input size. */
  tapShape(tap?: string): [number, number, number];
  /** Top-k ImageNet predictions per image. */
  classify(images: ImageBatch | tf.Tensor4D, topK?: number): Promise<Prediction[][]>;
  dispose(): void;
  /**
   * Set on backbones that are an ONNX file with no tfjs model (e.g. `alexnet`): `model`, `tapModel`,
   * `extract` and `classify` throw; frozen features come through onnxruntime (createFrozenEngine).
   */
  readonly frozenOnly?: boolean;
  /** The backbone's own ONNX graph up to `tap` (uint8 NHWC in, NHWC out), used by the onnxruntime engine instead of exporting `model`. */
  onnxGraph?(tap: string | undefined, opts: { cacheDir?: string; log?: (message: string) => void }): Promise<LoadedOnnxModel>;
}

/** An exported or verified ONNX file of a backbone (see onnx/model-file.ts): plain data. */
export interface OnnxModelFile {
  path: string;
  sha256: string;
  backboneId: string;
  weightsHash: string;
  inputSize: number;
  /** sha256 over the model's current weights (names, shapes, values). */
  weightsFingerprint: string;
  /** Layer whose output the graph returns. */
  layer: string;
  /** Per-image output shape, NHWC order ([h, w, c] for feature maps). */
  outputShape: number[];
  exporter: number;
  /** Graph input / output names when they are not ONNX_INPUT / ONNX_OUTPUT (rewritten third-party graphs). */
  inputName?: string;
  outputName?: string;
}

export interface LoadedOnnxModel {
  file: OnnxModelFile;
  /** The verified bytes (sessions are created from these, not by re-reading the file). */
  bytes: Uint8Array;
}
