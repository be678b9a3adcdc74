import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageBatch } from '@udtl/datasets';
import { fusedForward } from './fused-inference.js';
import type { Backbone, Prediction, Tap } from './types.js';

export interface LayersBackboneInit {
  id: string;
  weightsHash: string;
  inputSize: number;
  model: tfl.LayersModel;
  taps: Record<string, Tap>;
  defaultTap: string;
  classNames: string[];
  /** Index of the first ImageNet class among the output columns (1 when column 0 is 'background'). */
  classOffset: number;
}

/** A tf.layers classifier with named taps and x/127.5 − 1 input scaling (both MobileNets). */
export class LayersBackbone implements Backbone {
  readonly id: string;
  readonly weightsHash: string;
  readonly inputSize: number;
  readonly model: tfl.LayersModel;
  readonly taps: Record<string, Tap>;
  readonly defaultTap: string;
  readonly classNames: string[];
  private readonly classOffset: number;
  private readonly tapModels = new Map<string, tfl.LayersModel>();

  constructor(init: LayersBackboneInit) {
    this.id = init.id;
    this.weightsHash = init.weightsHash;
    this.inputSize = init.inputSize;
    this.model = init.model;
    this.taps = init.taps;
    this.defaultTap = init.defaultTap;
    this.classNames = init.classNames;
    this.classOffset = init.classOffset;
  }

  /** Layer name of a tap, or the name itself if it is a layer; else an error listing both kinds. */
  resolveTap(tap: string = this.defaultTap): string {
    const named = this.taps[tap];
    if (named) return named.layer;
    if (this.model.layers.some((l) => l.name === tap)) return tap;
    const layers = this.model.layers.map((l) => l.name);
    throw new Error(
      `backbone '${this.id}': unknown tap '${tap}'; taps: ${Object.keys(this.taps).join(', ')}; ` +
        `or one of its ${layers.length} layers: ${layers.join(', ')}`,
    );
  }

  tapModel(tap?: string): tfl.LayersModel {
    const layerName = this.resolveTap(tap);
    let m = this.tapModels.get(layerName);
    if (!m) {
      const output = this.model.getLayer(layerName).output as tfl.SymbolicTensor;
      m = tfl.model({ inputs: this.model.inputs, outputs: output, name: `${this.id}_${layerName}` });
      this.tapModels.set(layerName, m);
    }
    return m;
  }

  /** Fused inference path (see fused-inference.ts); `tapModel(tap).predict(x)` gives the same values. */
  extract(x: tf.Tensor4D, tap?: string): tf.Tensor4D {
    this.checkImages(x.shape);
    return fusedForward(this.model, x, this.resolveTap(tap));
  }

  tapShape(tap?: string): [number, number, number] {
    const shape = this.model.getLayer(this.resolveTap(tap)).outputShape as number[];
    if (shape.length !== 4) throw new Error(`backbone '${this.id}': tap '${tap}' is not a feature map (output shape [${shape}])`);
    return [shape[1], shape[2], shape[3]];
  }

  checkImages(shape: readonly number[]): void {
    const s = this.inputSize;
    if (shape.length !== 4 || shape[1] !== s || shape[2] !== s || shape[3] !== 3) {
      throw new Error(`backbone '${this.id}': expected images of shape [n, ${s}, ${s}, 3], got [${shape.join(', ')}]`);
    }
  }

  preprocess(x: tf.Tensor4D): tf.Tensor4D {
    this.checkImages(x.shape);
    return tf.tidy(() => tf.sub(tf.div(tf.cast(x, 'float32'), 127.5), 1) as tf.Tensor4D);
  }

  async classify(images: ImageBatch | tf.Tensor4D, topK = 5): Promise<Prediction[][]> {
    const probs = tf.tidy(() => {
      const x = images instanceof tf.Tensor ? images : batchToTensor(images);
      return this.model.apply(this.preprocess(x), { training: false }) as tf.Tensor2D;
    });
    let rows: number[][];
    try {
      rows = await probs.array(); // async: a GPU backend (webgpu) cannot read synchronously in Node
    } finally {
      probs.dispose();
    }
    return rows.map((row) =>
      row
        .map((probability, index) => ({ index, probability }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, topK)
        .map(({ index, probability }) => ({
          index,
          imagenetClass: index - this.classOffset,
          className: this.classNames[index] ?? `class_${index}`,
          probability,
        })),
    );
  }

  dispose(): void {
    this.tapModels.clear();
    this.model.dispose();
  }
}

/** uint8 NHWC batch → int32 tensor [n, h, w, 3]; checks the byte count. */
export function batchToTensor(batch: ImageBatch): tf.Tensor4D {
  const { n, height, width, channels, data } = batch;
  if (channels !== 3 || data.length !== n * height * width * 3) {
    throw new Error(`image batch: expected ${n}x${height}x${width}x3 = ${n * height * width * 3} bytes, got ${data.length} (channels ${channels})`);
  }
  return tf.tensor4d(data, [n, height, width, 3], 'int32');
}

/** Features of one tap for a batch of images: [n, h, w, c] float32, no intermediate tensors kept. */
export function extractTap(backbone: Backbone, tap: string | undefined, batch: ImageBatch | tf.Tensor4D): tf.Tensor4D {
  backbone.resolveTap(tap); // fail on an unknown tap before any work
  return tf.tidy(() => {
    const x = batch instanceof tf.Tensor ? batch : batchToTensor(batch);
    return backbone.extract(backbone.preprocess(x), tap);
  });
}
