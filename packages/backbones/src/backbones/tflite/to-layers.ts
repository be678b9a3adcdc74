/**
 * Build a float, trainable tf.layers model from a (possibly quantized) TFLite classifier graph:
 * weights are dequantized and moved to tfjs layouts; activations stay float (no fake quantization).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { relu6 } from '../relu6-layer.js';
import { dequantize } from './dequantize.js';
import {
  addOptions, convOptions, depthwiseOptions, poolOptions, softmaxBeta,
  type Activation, type TfliteModel, type TfliteOperator,
} from './schema.js';

export const SUPPORTED_OPS = ['CONV_2D', 'DEPTHWISE_CONV_2D', 'ADD', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'RESHAPE', 'SOFTMAX'] as const;

export interface ToLayersOptions {
  /** Square input size; defaults to the model's own. Pools covering the whole map stay global. */
  inputSize?: number;
  /** Layer name per operator; default `<op>_<index>`. */
  layerName?: (op: TfliteOperator, index: number) => string;
  /** Name of the activation layer after a layer with a fused activation; default `<layer>_relu`. */
  activationLayerName?: (layerName: string) => string;
  /** Named in errors. */
  source?: string;
  modelName?: string;
}

/** TFLite conv weights [out, kh, kw, in] → tfjs [kh, kw, in, out]. */
export function convKernelToTfjs(values: Float32Array, shape: number[]): tf.Tensor4D {
  return tf.tidy(() => tf.transpose(tf.tensor4d(values, shape as [number, number, number, number]), [1, 2, 3, 0]) as tf.Tensor4D);
}

/** TFLite depthwise weights [1, kh, kw, c·m] → tfjs [kh, kw, c, m] (output channel c·m + m' in both). */
export function depthwiseKernelToTfjs(values: Float32Array, shape: number[], multiplier: number): tf.Tensor4D {
  const [, kh, kw, cm] = shape;
  return tf.tensor4d(values, [kh, kw, cm / multiplier, multiplier]);
}

/**
 * The fused activation as its own layer (undefined for NONE). Kept out of the conv layers so that
 * the conv runs as one fused conv+bias kernel and ReLU6 as one relu6 kernel (both have gradients).
 */
function activationLayer(act: Activation, name: string, where: string): tfl.layers.Layer | undefined {
  if (act === 'NONE') return undefined;
  if (act === 'RELU') return tfl.layers.activation({ name, activation: 'relu' });
  if (act === 'RELU6') return relu6(name);
  throw new Error(`${where}: unsupported fused activation ${act} (supported: NONE, RELU, RELU6)`);
}

export function tfliteToLayersModel(model: TfliteModel, opts: ToLayersOptions = {}): tfl.LayersModel {
  const source = opts.source ?? 'TFLite model';
  const nameOf = opts.layerName ?? ((op: TfliteOperator, i: number) => `${op.op.toLowerCase()}_${i}`);
  const actName = opts.activationLayerName ?? ((layer: string) => `${layer}_relu`);
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error(`${source}: expected one input and one output, found ${model.inputs.length} and ${model.outputs.length}`);
  }
  const inT = model.tensors[model.inputs[0]];
  const [, h0, w0, c0] = inT.shape;
  const size = opts.inputSize;
  const input = tfl.input({ shape: [size ?? h0, size ?? w0, c0], name: 'input', dtype: 'float32' });
  const symbolic = new Map<number, tfl.SymbolicTensor>([[model.inputs[0], input]]);
  const pendingWeights: Array<[tfl.layers.Layer, tf.Tensor[]]> = [];

  const get = (op: TfliteOperator, i: number): tfl.SymbolicTensor => {
    const s = symbolic.get(op.inputs[i]);
    if (!s) throw new Error(`${source}: operator ${op.index} (${op.op}) reads tensor ${op.inputs[i]} before it is produced`);
    return s;
  };
  const constant = (op: TfliteOperator, i: number) => {
    const t = model.tensors[op.inputs[i]];
    return t ? { t, values: dequantize(t, source) } : undefined;
  };

  try {
    for (const op of model.operators) {
      const where = `${source}: operator ${op.index} (${op.op})`;
      const name = nameOf(op, op.index);
      const x = get(op, 0);
      let y: tfl.SymbolicTensor;
      let act: Activation = 'NONE';
      switch (op.op) {
        case 'CONV_2D': {
          const o = convOptions(op);
          const w = constant(op, 1)!;
          const b = op.inputs[2] >= 0 ? constant(op, 2) : undefined;
          const [out, kh, kw] = w.t.shape;
          const layer = tfl.layers.conv2d({
            name, filters: out, kernelSize: [kh, kw], strides: [o.strideH, o.strideW], dilationRate: [o.dilationH, o.dilationW],
            padding: o.padding === 'SAME' ? 'same' : 'valid', useBias: !!b,
          });
          y = layer.apply(x) as tfl.SymbolicTensor;
          act = o.activation;
          pendingWeights.push([layer, [convKernelToTfjs(w.values, w.t.shape), ...(b ? [tf.tensor1d(b.values)] : [])]]);
          break;
        }
        case 'DEPTHWISE_CONV_2D': {
          const o = depthwiseOptions(op);
          const w = constant(op, 1)!;
          const b = op.inputs[2] >= 0 ? constant(op, 2) : undefined;
          const [, kh, kw] = w.t.shape;
          const layer = tfl.layers.depthwiseConv2d({
            name, kernelSize: [kh, kw], depthMultiplier: o.depthMultiplier, strides: [o.strideH, o.strideW],
            dilationRate: [o.dilationH, o.dilationW], padding: o.padding === 'SAME' ? 'same' : 'valid', useBias: !!b,
          });
          y = layer.apply(x) as tfl.SymbolicTensor;
          act = o.activation;
          pendingWeights.push([layer, [depthwiseKernelToTfjs(w.values, w.t.shape, o.depthMultiplier), ...(b ? [tf.tensor1d(b.values)] : [])]]);
          break;
        }
        case 'ADD': {
          y = tfl.layers.add({ name }).apply([x, get(op, 1)]) as tfl.SymbolicTensor;
          act = addOptions(op).activation;
          break;
        }
        case 'AVERAGE_POOL_2D':
        case 'MAX_POOL_2D': {
          const o = poolOptions(op);
          const inShape = model.tensors[op.inputs[0]].shape;
          // A pool over the whole map (the classifier head) stays global at other input sizes.
          const global = o.padding === 'VALID' && o.filterH === inShape[1] && o.filterW === inShape[2];
          const poolSize: [number, number] = global ? [x.shape[1]!, x.shape[2]!] : [o.filterH, o.filterW];
          const args = { name, poolSize, strides: global ? poolSize : [o.strideH, o.strideW] as [number, number], padding: o.padding === 'SAME' ? 'same' as const : 'valid' as const };
          y = (op.op === 'MAX_POOL_2D' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args)).apply(x) as tfl.SymbolicTensor;
          act = o.activation;
          break;
        }
        case 'RESHAPE': {
          const outShape = model.tensors[op.outputs[0]].shape;
          y = tfl.layers.reshape({ name, targetShape: outShape.slice(1) }).apply(x) as tfl.SymbolicTensor;
          break;
        }
        case 'SOFTMAX': {
          const beta = softmaxBeta(op);
          if (Math.abs(beta - 1) > 1e-6) throw new Error(`${where}: softmax beta ${beta} is not supported (only 1)`);
          y = tfl.layers.softmax({ name, axis: -1 }).apply(x) as tfl.SymbolicTensor;
          break;
        }
        default:
          throw new Error(`${where}: unsupported TFLite operator ${op.op}; supported: ${SUPPORTED_OPS.join(', ')}`);
      }
      const activation = activationLayer(act, actName(name), where);
      if (activation) y = activation.apply(y) as tfl.SymbolicTensor;
      symbolic.set(op.outputs[0], y);
    }
    const output = symbolic.get(model.outputs[0]);
    if (!output) throw new Error(`${source}: the graph output tensor ${model.outputs[0]} is never produced`);
    const built = tfl.model({ inputs: input, outputs: output, name: opts.modelName ?? 'tflite_import' });
    for (const [layer, weights] of pendingWeights) layer.setWeights(weights);
    return built;
  } finally {
    for (const [, weights] of pendingWeights) tf.dispose(weights);
  }
}
