/**
 * tf.layers graph → ONNX (opset 13), up to any layer. The graph is walked in topological order and
 * each layer goes through the converter of its class (layer-converters.ts); batch norm after a
 * linear conv is folded into the conv's weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone } from '../types.js';
import { GraphBuilder, ONNX_INPUT, ONNX_OUTPUT, type Value } from './graph-builder.js';
import { activationOf, LAYER_CONVERTERS, type InputAffine, type LayerContext } from './layer-converters.js';
import { DataType, encodeModel, IR_VERSION, tensorValueInfo } from './messages.js';

export { ONNX_INPUT, ONNX_OUTPUT } from './graph-builder.js';
export { samePads, type InputAffine } from './layer-converters.js';

/** Bump when the exported graph changes for the same weights, so cached files are rebuilt. */
export const ONNX_EXPORTER_VERSION = 2;
export const ONNX_OPSET = 13;

/** The tf.layers class names the exporter converts. */
export const SUPPORTED_LAYERS: readonly string[] = Object.keys(LAYER_CONVERTERS);

export interface LayersToOnnxOptions {
  /** Input scaling put in the graph; the graph input is then uint8 NHWC. Without it: float NHWC. */
  preprocess?: InputAffine;
  graphName?: string;
  producerVersion?: string;
  metadata?: Record<string, string>;
}

export interface OnnxExport {
  bytes: Uint8Array;
  /** Layer whose output the graph returns. */
  layer: string;
  inputName: string;
  outputName: string;
  /** Output shape per image, Keras (NHWC) order, batch excluded. */
  outputShape: number[];
}

interface KerasTensor { id: number; shape: (number | null)[]; sourceLayer: tfl.layers.Layer; inputs: KerasTensor[] }

/** Post-order (topological) list of the Keras tensors `output` depends on. */
function collect(output: KerasTensor): KerasTensor[] {
  const order: KerasTensor[] = [];
  const seen = new Set<number>();
  const stack: Array<[KerasTensor, boolean]> = [[output, false]];
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    stack.push([t, true]);
    for (const i of [...t.inputs].reverse()) if (!seen.has(i.id)) stack.push([i, false]);
  }
  return order;
}

function staticShape(t: KerasTensor, layer: string): number[] {
  return t.shape.map((d, i) => {
    if (i === 0) return -1;
    if (d == null) throw new Error(`ONNX export: layer '${layer}' has a dynamic dimension ${i} (shape [${t.shape}]); only the batch may be dynamic`);
    return d;
  });
}

/** Export the sub-graph of `model` that computes the output of layer `outputLayer`. */
export function layersModelToOnnx(model: tfl.LayersModel, outputLayer: string, opts: LayersToOnnxOptions = {}): OnnxExport {
  if (model.inputs.length !== 1) throw new Error(`ONNX export: model '${model.name}' has ${model.inputs.length} inputs; only single-input models are supported`);
  const outLayer = model.getLayer(outputLayer);
  const output = outLayer.output as unknown as KerasTensor;
  if (Array.isArray(output)) throw new Error(`ONNX export: layer '${outputLayer}' has several outputs`);
  const tensors = collect(output);
  const consumers = new Map<number, number>();
  for (const t of tensors) for (const i of t.inputs) consumers.set(i.id, (consumers.get(i.id) ?? 0) + 1);

  // Batch norms whose input is a linear conv used only by them are folded into that conv.
  const foldBn = new Map<number, tfl.layers.Layer>();
  for (const t of tensors) {
    if (t.sourceLayer.getClassName() !== 'BatchNormalization' || t.inputs.length !== 1) continue;
    const src = t.inputs[0];
    const cls = src.sourceLayer.getClassName();
    if ((cls === 'Conv2D' || cls === 'DepthwiseConv2D') && consumers.get(src.id) === 1 && activationOf(src.sourceLayer) === 'linear') {
      foldBn.set(src.id, t.sourceLayer);
    }
  }

  const g = new GraphBuilder();
  const values = new Map<number, Value>();
  const modelInput = (model.inputs[0] as unknown as KerasTensor).id;
  let inputType: LayerContext['inputType'];
  let inputDims: Array<number | string> = [];

  for (const t of tensors) {
    const layer = t.sourceLayer;
    const cls = layer.getClassName();
    const name = layer.name;
    const convert = LAYER_CONVERTERS[cls];
    if (!convert) throw new Error(`ONNX export: layer '${name}' of type ${cls} is not supported; supported layer types: ${SUPPORTED_LAYERS.join(', ')}`);
    const shape = staticShape(t, name);
    const inputs = t.inputs.map((i) => values.get(i.id)!);
    const ctx: LayerContext = {
      g, layer, cls, name, config: layer.getConfig() as Record<string, unknown>, shape, inputs, x: inputs[0],
      foldedBn: foldBn.get(t.id), isFolded: t.inputs.length === 1 && foldBn.get(t.inputs[0].id) === layer,
      isModelInput: t.id === modelInput, preprocess: opts.preprocess,
    };
    values.set(t.id, convert(ctx));
    if (ctx.inputType !== undefined) {
      inputType = ctx.inputType;
      inputDims = ['N', ...shape.slice(1)];
    }
  }
  if (inputType === undefined) throw new Error(`ONNX export: layer '${outputLayer}' does not depend on the model input`);

  const out = values.get(output.id)!;
  const outputShape = out.shape.slice(1);
  g.node('Identity', [g.as(out, 'keras')], 'output', undefined, ONNX_OUTPUT);
  const bytes = encodeModel({
    irVersion: IR_VERSION,
    producerName: '@udtl/core',
    producerVersion: opts.producerVersion ?? `exporter ${ONNX_EXPORTER_VERSION}`,
    graph: {
      node: g.nodes,
      name: opts.graphName ?? `${model.name}_${outputLayer}`,
      initializer: g.initializers,
      input: [tensorValueInfo(ONNX_INPUT, inputType, inputDims)],
      output: [tensorValueInfo(ONNX_OUTPUT, DataType.FLOAT, ['N', ...outputShape])],
    },
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return { bytes, layer: outputLayer, inputName: ONNX_INPUT, outputName: ONNX_OUTPUT, outputShape };
}

/**
 * The backbone's `preprocess` as a per-channel affine map, measured on probe images (black, white
 * and a ramp); a preprocessing that is not affine per channel cannot be put in the graph.
 */
export async function probePreprocess(backbone: Backbone): Promise<InputAffine> {
  const s = backbone.inputSize;
  const px = s * s;
  const probe = new Int32Array(3 * px * 3);
  for (let i = 0; i < px * 3; i++) {
    probe[px * 3 + i] = 255;
    probe[2 * px * 3 + i] = (i * 37 + 11) % 256;
  }
  const y = tf.tidy(() => backbone.preprocess(tf.tensor4d(probe, [3, s, s, 3], 'int32')));
  let out: Float32Array;
  try {
    out = (await y.data()) as Float32Array;
  } finally {
    y.dispose();
  }
  const scale = [0, 1, 2].map((c) => (out[px * 3 + c] - out[c]) / 255);
  const bias = [0, 1, 2].map((c) => out[c]);
  const tol = 1e-5 * Math.max(1, ...bias.map(Math.abs), ...scale.map((v) => Math.abs(v * 255)));
  for (let img = 0; img < 3; img++) {
    for (let i = 0; i < px * 3; i++) {
      const c = i % 3;
      const expected = probe[img * px * 3 + i] * scale[c] + bias[c];
      if (Math.abs(out[img * px * 3 + i] - expected) > tol) {
        throw new Error(`ONNX export: backbone '${backbone.id}': preprocess() is not a per-channel affine map of the pixels; it cannot be exported`);
      }
    }
  }
  return { scale, bias };
}

/**
 * Makes every weight of `model` readable synchronously (the layer converters and the weights
 * fingerprint read them so): an asynchronous read leaves the values on the CPU, where tfjs-webgpu
 * keeps what it has read; weights trained or re-initialised on a GPU backend live on the GPU only.
 */
export async function weightsOnCpu(model: tfl.LayersModel): Promise<void> {
  await Promise.all(model.weights.map((w) => w.read().data()));
}

/** A registered backbone's graph up to `tap` (tap or layer name), with its input scaling inside. */
export async function exportBackboneToOnnx(backbone: Backbone, tap?: string): Promise<OnnxExport> {
  const layer = backbone.resolveTap(tap);
  await weightsOnCpu(backbone.model);
  return layersModelToOnnx(backbone.model, layer, {
    preprocess: await probePreprocess(backbone),
    graphName: `${backbone.id}_${layer}`,
    metadata: { backbone: backbone.id, weightsHash: backbone.weightsHash, layer, inputSize: String(backbone.inputSize), exporter: String(ONNX_EXPORTER_VERSION) },
  });
}
