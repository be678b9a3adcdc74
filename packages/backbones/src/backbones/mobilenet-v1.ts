/**
 * MobileNet v1 (Howard et al. 2017) written with tf.layers, layer names matching the Keras weight
 * names, for widths 0.25/0.5/0.75/1.0 and any input size. Weights come from a tfjs-format directory
 * (model.json manifest + shards) or, when allowed, from the official tfjs-models URL.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { fetchResource, modelsRoot } from '@udtl/datasets';
import { findImagenetLabels, readImagenetLabels } from './labels.js';
import { LayersBackbone } from './layers-backbone.js';
import { registerBackbone } from './registry.js';
import { relu6 } from './relu6-layer.js';
import { readTfjsWeights } from './tfjs-weights.js';
import { mobilenetV1Resource } from './weights.js';
import type { BackboneSpec, LoadOptions, Tap } from './types.js';

export const MOBILENET_V1_WIDTHS = [0.25, 0.5, 0.75, 1.0] as const;
export type MobilenetV1Width = (typeof MOBILENET_V1_WIDTHS)[number];
/** Input sizes Google published v1 weights for. */
export const MOBILENET_V1_SIZES = [128, 160, 192, 224] as const;

/** (pointwise filters at width 1, stride) of the 13 depthwise-separable blocks. */
const BLOCKS: Array<[number, number]> = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
];

/** Name part of the official directories/URLs: 0.25, 0.50, 0.75, 1.0. */
export function widthLabel(width: number): string {
  if (!(MOBILENET_V1_WIDTHS as readonly number[]).includes(width)) {
    throw new Error(`MobileNet v1: unsupported width ${width}; known widths: ${MOBILENET_V1_WIDTHS.join(', ')}`);
  }
  return width === 1 ? '1.0' : width.toFixed(2);
}

export function mobilenetV1DirName(width: number, size: number): string {
  return `mobilenet_v1_${widthLabel(width)}_${size}`;
}

export function mobilenetV1Url(width: number, size = 224): string {
  if (!(MOBILENET_V1_SIZES as readonly number[]).includes(size)) {
    throw new Error(`MobileNet v1: no published weights for input size ${size}; published sizes: ${MOBILENET_V1_SIZES.join(', ')}`);
  }
  return `https://storage.googleapis.com/tfjs-models/tfjs/${mobilenetV1DirName(width, size)}/model.json`;
}

export interface MobilenetV1Options { width: number; inputSize?: number; classes?: number; dropout?: number }

/**
 * The Keras MobileNet v1 graph. Stride-2 convs use SAME padding, which equals Keras's explicit
 * ((0,1),(0,1)) zero padding + VALID at even sizes. Convs have no bias (batch norm follows).
 */
export function buildMobilenetV1({ width, inputSize = 224, classes = 1000, dropout = 1e-3 }: MobilenetV1Options): tfl.LayersModel {
  widthLabel(width);
  const input = tfl.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  const bn = (name: string) => tfl.layers.batchNormalization({ name, axis: -1, epsilon: 1e-3, momentum: 0.99 });
  const apply = (layers: tfl.layers.Layer[], x: tfl.SymbolicTensor) => layers.reduce((t, l) => l.apply(t) as tfl.SymbolicTensor, x);

  let x = apply([
    tfl.layers.conv2d({ name: 'conv1', filters: Math.floor(32 * width), kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
    bn('conv1_bn'), relu6('conv1_relu'),
  ], input);
  BLOCKS.forEach(([filters, stride], i) => {
    const id = i + 1;
    x = apply([
      tfl.layers.depthwiseConv2d({ name: `conv_dw_${id}`, kernelSize: 3, strides: stride, padding: 'same', useBias: false }),
      bn(`conv_dw_${id}_bn`), relu6(`conv_dw_${id}_relu`),
      tfl.layers.conv2d({ name: `conv_pw_${id}`, filters: Math.floor(filters * width), kernelSize: 1, padding: 'same', useBias: false }),
      bn(`conv_pw_${id}_bn`), relu6(`conv_pw_${id}_relu`),
    ], x);
  });
  const channels = Math.floor(1024 * width);
  const out = apply([
    tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }),
    tfl.layers.reshape({ name: 'reshape_1', targetShape: [1, 1, channels] }),
    tfl.layers.dropout({ name: 'dropout', rate: dropout }),
    tfl.layers.conv2d({ name: 'conv_preds', filters: classes, kernelSize: 1, padding: 'same' }),
    tfl.layers.reshape({ name: 'reshape_2', targetShape: [classes] }),
    tfl.layers.activation({ name: 'act_softmax', activation: 'softmax' }),
  ], x);
  return tfl.model({ inputs: input, outputs: out, name: `mobilenet_v1_${widthLabel(width)}` });
}

/**
 * Set every weight of `model` from `weights` (keys like 'conv_pw_3_bn/gamma'); a missing weight, a
 * weight the topology lacks, or a shape that does not fit names the layer and the source.
 */
export function assignNamedWeights(model: tfl.LayersModel, weights: tf.NamedTensorMap, source: string): void {
  const used = new Set<string>();
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const key = `${layer.name}/${w.originalName.split('/').pop()}`;
      const t = weights[key];
      if (!t) throw new Error(`${source}: no weight ${key} for layer ${layer.name}`);
      if (t.shape.join() !== w.shape.join()) {
        throw new Error(`${source}: weight ${key} has shape [${t.shape}] but layer ${layer.name} needs [${w.shape}] (weights of another width?)`);
      }
      used.add(key);
      return t;
    });
    layer.setWeights(values);
  }
  const extra = Object.keys(weights).filter((k) => !used.has(k));
  if (extra.length) throw new Error(`${source}: weights not in the topology: ${extra.join(', ')}`);
}

function tapsFor(width: number): Record<string, Tap> {
  const c = Math.floor(1024 * width);
  return {
    conv_pw_13_relu: { layer: 'conv_pw_13_relu', shape: [7, 7, c], description: 'last pointwise conv after BN+ReLU6' },
    conv_pw_11_relu: { layer: 'conv_pw_11_relu', shape: [14, 14, Math.floor(512 * width)], description: 'last 14x14 block' },
  };
}

/** Directory holding the weights: the local models dir as it is, else a verified copy in the cache (downloaded now if need be). */
async function weightsDir(width: number, size: number, opts: LoadOptions): Promise<string> {
  const local = join(modelsRoot(opts.modelsDir), mobilenetV1DirName(width, size));
  if (existsSync(join(local, 'model.json'))) return local;
  const resource = mobilenetV1Resource(widthLabel(width) as '0.25' | '0.50' | '0.75' | '1.0');
  return fetchResource(resource, { modelsDir: opts.modelsDir, cacheDir: opts.cacheDir, download: opts.download, log: opts.log });
}

export function mobilenetV1Spec(width: MobilenetV1Width): BackboneSpec {
  const taps = tapsFor(width);
  return {
    id: `mobilenet-v1-${width === 1 ? '1.0' : String(width)}`,
    description: `MobileNet v1 ${widthLabel(width)}, ImageNet (Keras weights in tfjs format), tf.layers`,
    inputSize: 224,
    taps,
    defaultTap: 'conv_pw_13_relu',
    weightsSource: `<modelsDir>/${mobilenetV1DirName(width, 224)}/ or ${mobilenetV1Url(width, 224)}`,
    async load(opts: LoadOptions = {}) {
      const inputSize = opts.inputSize ?? 224;
      // Weights are size-independent (fully convolutional); prefer the ones trained at this size.
      const weightsSize = (MOBILENET_V1_SIZES as readonly number[]).includes(inputSize) &&
        existsSync(join(modelsRoot(opts.modelsDir), mobilenetV1DirName(width, inputSize))) ? inputSize : 224;
      const dir = await weightsDir(width, weightsSize, opts);
      const { tensors, hash } = await readTfjsWeights(dir);
      const model = buildMobilenetV1({ width, inputSize });
      try {
        assignNamedWeights(model, tensors, dir);
      } catch (err) {
        model.dispose();
        throw err;
      } finally {
        tf.dispose(Object.values(tensors));
      }
      const labels = findImagenetLabels(modelsRoot(opts.modelsDir));
      const classNames = labels ? readImagenetLabels(labels, false) : Array.from({ length: 1000 }, (_, i) => `imagenet_${i}`);
      return new LayersBackbone({ id: this.id, weightsHash: hash, inputSize, model, taps, defaultTap: this.defaultTap, classNames, classOffset: 0 });
    },
  };
}

for (const w of MOBILENET_V1_WIDTHS) registerBackbone(mobilenetV1Spec(w));
