/**
 * Conformance kit for backbones (the backbone counterpart of `checkMethod`): what every registered
 * backbone must satisfy, so a user's own backbone gets the same checks as the built-in ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch } from '@udtl/datasets';
import { getBackbone } from './registry.js';
import type { Backbone, BackboneSpec } from './types.js';

/** Checks on the spec alone (no weights needed); throws naming the backbone and the broken rule. */
export function checkBackboneSpec(spec: BackboneSpec): void {
  const fail = (why: string): never => {
    throw new Error(`backbone '${spec.id}': ${why}`);
  };
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(spec.id)) fail('id must be lower-case letters, digits, dots and dashes');
  if (!spec.description.trim()) fail('needs a description');
  if (!spec.weightsSource.trim()) fail('needs a weightsSource saying where its weights come from');
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < 8) fail(`inputSize ${spec.inputSize} is not an integer ≥ 8`);
  const taps = Object.entries(spec.taps);
  if (taps.length === 0) fail('declares no taps');
  if (spec.taps[spec.defaultTap] == null) fail(`default tap '${spec.defaultTap}' is not among its taps`);
  for (const [name, tap] of taps) {
    if (!tap.layer) fail(`tap '${name}' names no layer`);
    if (tap.shape.length !== 3 || !tap.shape.every((d) => Number.isInteger(d) && d > 0)) {
      fail(`tap '${name}' has shape [${tap.shape}], not [height, width, channels] of positive integers`);
    }
  }
}

export interface CheckBackboneOptions {
  /** A small batch at the backbone's input size (uint8 NHWC RGB); at least 2 images. */
  images: ImageBatch;
  /** Layer names checked like taps (fast path = tap model, batch independence) besides the declared taps. */
  extraTaps?: string[];
  /** Largest |fast − slow| allowed between `extract` and the tf.layers tap model (default 1e-3). */
  tolerance?: number;
}

function batchTensor(images: ImageBatch, from: number, to: number): tf.Tensor4D {
  const size = images.height * images.width * images.channels;
  return tf.tensor4d(images.data.subarray(from * size, to * size), [to - from, images.height, images.width, images.channels], 'int32');
}

/** One number read from the backend (async: a GPU backend cannot read synchronously in Node). */
async function scalar(f: () => tf.Tensor): Promise<number> {
  const t = tf.tidy(f);
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => scalar(() => tf.max(tf.abs(tf.sub(a, b))));

/**
 * Checks a loaded backbone against its spec: every declared tap has its declared shape and finite
 * values; `extract` (the fast path) equals the trainable tap model; rows do not depend on the batch
 * they are computed in; an unknown tap is an error listing the taps; no call leaks a tensor. ONNX-only
 * backbones (`frozenOnly`) have no tfjs model: only the spec checks apply to them here.
 */
export async function checkBackbone(backbone: Backbone, opts: CheckBackboneOptions): Promise<void> {
  const spec = getBackbone(backbone.id);
  checkBackboneSpec(spec);
  const fail = (why: string): never => {
    throw new Error(`backbone '${backbone.id}': ${why}`);
  };
  if (backbone.frozenOnly) return;
  const { images } = opts;
  const tolerance = opts.tolerance ?? 1e-3;
  if (images.n < 2) fail('checkBackbone needs at least 2 images');
  if (images.height !== backbone.inputSize || images.width !== backbone.inputSize) {
    fail(`check images are ${images.height}x${images.width}, the backbone takes ${backbone.inputSize}x${backbone.inputSize}`);
  }
  const names = [...Object.keys(spec.taps), ...(opts.extraTaps ?? [])];
  for (const name of names) backbone.tapModel(name); // built once, kept by the backbone
  const before = tf.memory().numTensors;
  const all = batchTensor(images, 0, 2);
  const first = batchTensor(images, 0, 1);
  const x = backbone.preprocess(all);
  const x1 = backbone.preprocess(first);
  try {
    for (const name of names) {
      const tap = spec.taps[name];
      const fast = backbone.extract(x, name);
      const slow = backbone.tapModel(name).predict(x) as tf.Tensor;
      const single = backbone.extract(x1, name);
      try {
        if (tap != null && backbone.inputSize === spec.inputSize && fast.shape.join() !== [2, ...tap.shape].join()) {
          fail(`tap '${name}' gives [${fast.shape}], its spec declares [2,${tap.shape}]`);
        }
        if (fast.rank === 4 && fast.shape.slice(1).join() !== backbone.tapShape(name).join()) {
          fail(`tap '${name}' gives [${fast.shape.slice(1)}] per image, tapShape() says [${backbone.tapShape(name)}]`);
        }
        if (!(await scalar(() => tf.all(tf.isFinite(fast))))) fail(`tap '${name}' has non-finite values`);
        const d = await maxAbsDiff(fast, slow);
        if (!(d <= tolerance)) fail(`tap '${name}': extract() differs from tapModel().predict() by ${d} (> ${tolerance})`);
        const firstRow = tf.slice(fast, [0], [1]);
        const dBatch = await maxAbsDiff(firstRow, single);
        firstRow.dispose();
        if (!(dBatch <= tolerance)) fail(`tap '${name}': image 0 alone differs from image 0 in a batch of 2 by ${dBatch}`);
      } finally {
        tf.dispose([fast, slow, single]);
      }
    }
    let threw: unknown;
    try {
      backbone.resolveTap('no-such-tap');
    } catch (err) {
      threw = err;
    }
    const message = threw instanceof Error ? threw.message : '';
    if (!message.includes(spec.defaultTap)) fail(`an unknown tap must be an error listing the taps; got ${threw == null ? 'no error' : `"${message}"`}`);
  } finally {
    tf.dispose([all, first, x, x1]);
  }
  const after = tf.memory().numTensors;
  if (after !== before) fail(`the checks leaked ${after - before} tensors`);
}
