/**
 * MobileNetV2 1.0 from Google's quantized ImageNet TFLite classifier, rebuilt as a float tf.layers
 * model with Keras-style layer names, cached in the tfjs layers format after the first import.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { cacheDir, fetchResource, modelsRoot, sha256 } from '@udtl/datasets';
import { findImagenetLabels, IMAGENET_LABELS_FILE, readImagenetLabels, V2_DIR } from './labels.js';
import { LayersBackbone } from './layers-backbone.js';
import { loadModelCache, saveModelCache } from './model-cache.js';
import { registerBackbone } from './registry.js';
import { readTflite, type TfliteOperator } from './tflite/schema.js';
import { tfliteToLayersModel } from './tflite/to-layers.js';
import type { BackboneSpec, LoadOptions, Tap } from './types.js';
import { MOBILENET_V2_RESOURCE } from './weights.js';

export const MOBILENET_V2_FILE = 'mobilenet_v2_1.0_224_quant.tflite';
/** Public source, pinned to a commit (weights.ts holds the file list and checksums). */
export const MOBILENET_V2_URL = MOBILENET_V2_RESOURCE.files[0].url;
/** sha256 of the file above, from the same registry entry (one checksum per file in the project). */
export const MOBILENET_V2_SHA256 = MOBILENET_V2_RESOURCE.files[0].sha256;
/** Bump when the importer's output changes, so old caches are rebuilt. */
const IMPORTER_VERSION = 2;

/**
 * Keras MobileNetV2 names for the operators of the TFLite graph: Conv1, expanded_conv_depthwise,
 * expanded_conv_project, block_<i>_{expand,depthwise,project,add}, Conv_1, then the head. BN is
 * folded, so each conv name stands for conv+BN; its ReLU6 is the layer `<name>_relu` (`out_relu` for Conv_1).
 */
export function mobilenetV2LayerNames(ops: TfliteOperator[]): string[] {
  let block = -1;
  let pooled = false;
  return ops.map((op, i) => {
    const prev = ops[i - 1]?.op;
    const next = ops[i + 1]?.op;
    const b = (kind: string) => (block === 0 ? `expanded_conv_${kind}` : `block_${block}_${kind}`);
    switch (op.op) {
      case 'DEPTHWISE_CONV_2D':
        block += 1;
        return b('depthwise');
      case 'CONV_2D':
        if (block === -1) return 'Conv1';
        if (next === 'DEPTHWISE_CONV_2D') return `block_${block + 1}_expand`;
        if (prev === 'DEPTHWISE_CONV_2D') return b('project');
        return pooled ? 'Logits' : 'Conv_1';
      case 'ADD':
        return `block_${block}_add`;
      case 'AVERAGE_POOL_2D':
        pooled = true;
        return 'global_average_pooling2d';
      case 'RESHAPE':
        return 'Logits_flatten';
      case 'SOFTMAX':
        return 'Predictions';
      default:
        return `${op.op.toLowerCase()}_${i}`;
    }
  });
}

/** Parse and convert a TFLite MobileNetV2 file's bytes (exposed for tests and other TFLite files). */
export function importMobilenetV2(bytes: Uint8Array, source: string, inputSize?: number): tfl.LayersModel {
  const graph = readTflite(bytes, source);
  const names = mobilenetV2LayerNames(graph.operators);
  return tfliteToLayersModel(graph, {
    inputSize, source, modelName: 'mobilenet_v2_1.0',
    layerName: (_op, i) => names[i],
    activationLayerName: (layer) => (layer === 'Conv_1' ? 'out_relu' : `${layer}_relu`),
  });
}

const TAPS: Record<string, Tap> = {
  block_16_project: { layer: 'block_16_project', shape: [7, 7, 320], description: 'projection output of the last inverted residual block (paper-like)' },
  out_relu: { layer: 'out_relu', shape: [7, 7, 1280], description: 'final 1x1 conv to 1280 channels (Conv_1), after ReLU6' },
  last_conv: { layer: 'out_relu', shape: [7, 7, 1280], description: 'alias of out_relu' },
  block_13_expand_relu: { layer: 'block_13_expand_relu', shape: [14, 14, 576], description: 'last expansion at 14x14, after ReLU6' },
};

export const mobilenetV2Spec: BackboneSpec = {
  id: 'mobilenet-v2-1.0',
  description: 'MobileNetV2 1.0, ImageNet, imported from the quantized TFLite classifier (float, trainable)',
  inputSize: 224,
  taps: TAPS,
  defaultTap: 'block_16_project',
  weightsSource: `<modelsDir>/${V2_DIR}/${MOBILENET_V2_FILE} (from ${MOBILENET_V2_URL}) + ${IMAGENET_LABELS_FILE}`,
  async load(opts: LoadOptions = {}) {
    let dir = join(modelsRoot(opts.modelsDir), V2_DIR);
    let file = join(dir, MOBILENET_V2_FILE);
    if (!existsSync(file)) {
      if (opts.download === false) throw new Error(`MobileNetV2 weights not found: ${file} (download ${MOBILENET_V2_URL} into ${dir}, or run udtl fetch ${this.id})`);
      // Not under the models root: a verified copy in the cache, downloaded now if need be.
      dir = await fetchResource(MOBILENET_V2_RESOURCE, { modelsDir: opts.modelsDir, cacheDir: opts.cacheDir, log: opts.log });
      file = join(dir, MOBILENET_V2_FILE);
    }
    const bytes = await readFile(file);
    const hash = sha256(bytes);
    if (hash !== MOBILENET_V2_SHA256) {
      throw new Error(`${file}: sha256 ${hash} does not match the expected ${MOBILENET_V2_SHA256} (truncated or a different model)`);
    }
    const inputSize = opts.inputSize ?? 224;
    const labels = findImagenetLabels(dirname(dir));
    const classNames = labels ? readImagenetLabels(labels, true) : Array.from({ length: 1001 }, (_, i) => (i === 0 ? 'background' : `imagenet_${i - 1}`));
    const cache = join(cacheDir(opts.cacheDir), 'backbones', `mobilenet-v2-1.0-${hash.slice(0, 16)}-${inputSize}`);
    const meta = { source: hash, inputSize, importer: IMPORTER_VERSION };
    const cached = existsSync(cache);
    let model = await loadModelCache(cache, meta, opts.log);
    if (!model) {
      model = importMobilenetV2(bytes, file, inputSize);
      await saveModelCache(model, cache, meta, { replace: cached });
    }
    return new LayersBackbone({ id: this.id, weightsHash: hash, inputSize, model, taps: TAPS, defaultTap: this.defaultTap, classNames, classOffset: 1 });
  },
};

registerBackbone(mobilenetV2Spec);
