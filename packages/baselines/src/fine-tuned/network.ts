/**
 * The trainable part of a fine-tuned backbone: a copy of the layers between a cut point and the
 * end of the backbone's convolutional trunk (the frozen part below the cut is never run again:
 * its output comes from the feature cache), plus a new linear classification head.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone } from '@udtl/core';

/** Cut value meaning "train the whole trunk, from the preprocessed pixels". */
export const INPUT_CUT = 'input';

/**
 * Output layers of the backbone's blocks, first to last; the last one is the end of the trunk (the
 * layer before global pooling). MobileNetV2: Conv1+expanded_conv, block_1…16 (their residual add
 * when they have one), Conv_1. MobileNet v1: conv1, then the 13 depthwise-separable blocks.
 */
export function blockOutputs(backbone: Backbone): string[] {
  const has = (name: string) => backbone.model.layers.some((l) => l.name === name);
  if (backbone.id.startsWith('mobilenet-v2')) {
    const out = ['expanded_conv_project'];
    for (let i = 1; i <= 16; i++) out.push(has(`block_${i}_add`) ? `block_${i}_add` : `block_${i}_project`);
    out.push('out_relu');
    return out;
  }
  if (backbone.id.startsWith('mobilenet-v1')) return ['conv1_relu', ...Array.from({ length: 13 }, (_, i) => `conv_pw_${i + 1}_relu`)];
  throw new Error(`fine-tuned: no block table for backbone '${backbone.id}' (known families: mobilenet-v2-*, mobilenet-v1-*); set trainBlocks to 'all' or add its blocks in packages/baselines/src/fine-tuned/network.ts`);
}

/** The layer whose (cached) output the trainable part starts from: 0 = head only, k = last k blocks, 'all' = input. */
export function cutFor(backbone: Backbone, trainBlocks: number | 'all'): { cut: string; end: string } {
  if (trainBlocks === 'all') {
    const end = backbone.id.startsWith('mobilenet') ? blockOutputs(backbone).at(-1)! : backbone.resolveTap();
    return { cut: INPUT_CUT, end };
  }
  const blocks = blockOutputs(backbone);
  if (!Number.isInteger(trainBlocks) || trainBlocks < 0 || trainBlocks >= blocks.length) {
    throw new Error(`fine-tuned: trainBlocks must be 'all' or an integer 0..${blocks.length - 1} for ${backbone.id} (${blocks.length} blocks), got ${JSON.stringify(trainBlocks)}`);
  }
  return { cut: blocks[blocks.length - 1 - trainBlocks], end: blocks[blocks.length - 1] };
}

function inboundLayers(layer: tfl.layers.Layer): tfl.layers.Layer[] {
  return layer.inboundNodes[0]?.inboundLayers ?? [];
}

/**
 * A new tf.layers model: input shaped like the cut's output → copies of every layer between the cut
 * and `end` (weights copied, so training never touches the backbone) → `end`'s output. Empty when
 * cut = end. Errors when a layer after the cut reads from before it (the cut does not separate).
 */
export function copyTrunk(backbone: Backbone, cut: string, end: string): tfl.LayersModel {
  const model = backbone.model;
  const inputLayer = model.layers[0];
  const cutLayer = cut === INPUT_CUT ? inputLayer : model.getLayer(cut);
  const endLayer = model.getLayer(end);
  const needed = new Set<tfl.layers.Layer>();
  const stack = [endLayer];
  while (stack.length) {
    const layer = stack.pop()!;
    if (layer === cutLayer || needed.has(layer)) continue;
    if (layer === inputLayer) throw new Error(`fine-tuned: the cut '${cut}' does not separate '${end}' from the input`);
    needed.add(layer);
    stack.push(...inboundLayers(layer));
  }
  const shape = (cutLayer.outputShape as number[]).slice(1);
  const input = tfl.input({ shape, name: 'cut_input' });
  const outputs = new Map<tfl.layers.Layer, tfl.SymbolicTensor>([[cutLayer, input]]);
  const classes = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const layer of model.layers) {
    if (!needed.has(layer)) continue;
    const entry = classes[layer.getClassName()];
    if (!entry) throw new Error(`fine-tuned: cannot copy layer '${layer.name}': class ${layer.getClassName()} is not registered for serialization`);
    const copy = entry[1](entry[0], layer.getConfig() as tf.serialization.ConfigDict) as unknown as tfl.layers.Layer;
    const ins = inboundLayers(layer).map((l) => outputs.get(l)!);
    outputs.set(layer, copy.apply(ins.length === 1 ? ins[0] : ins) as tfl.SymbolicTensor);
    copy.setWeights(layer.getWeights());
  }
  return tfl.model({ inputs: input, outputs: outputs.get(endLayer)!, name: `fine_tuned_${cut}_${end}` });
}

/** Seeded Glorot-uniform [fanIn, fanOut] in plain JS (identical on every backend). */
export function glorotUniform(fanIn: number, fanOut: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}
