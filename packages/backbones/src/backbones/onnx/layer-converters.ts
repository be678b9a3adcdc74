/**
 * One converter per tf.layers class name: each turns a layer applied to already converted inputs
 * into ONNX nodes and returns its output value. The table's keys are the supported layer types.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { GraphBuilder, ONNX_INPUT, onnxAxis, type Layout, type Value } from './graph-builder.js';
import { DataType, type AttributeValue, type DataTypeCode } from './messages.js';

/** Per-channel affine input scaling (uint8 pixel → network input), applied inside the graph. */
export interface InputAffine {
  scale: number[];
  bias: number[];
}

export interface LayerContext {
  g: GraphBuilder;
  layer: tfl.layers.Layer;
  cls: string;
  name: string;
  config: Record<string, unknown>;
  /** Output shape, Keras order, batch as -1. */
  shape: number[];
  /** The converted inputs (`x` = the first). */
  inputs: Value[];
  x: Value;
  /** Conv only: the batch norm that follows it and is folded into its weights. */
  foldedBn?: tfl.layers.Layer;
  /** Batch norm only: it was folded into the conv before it, whose output it already is. */
  isFolded: boolean;
  /** InputLayer only: whether it is the model's input, and the scaling to put after it. */
  isModelInput: boolean;
  preprocess?: InputAffine;
  /** Set by the InputLayer converter: the element type of the graph input. */
  inputType?: DataTypeCode;
}

export type LayerConverter = (c: LayerContext) => Value;

const keras = (c: LayerContext, name: string): Value => ({ name, layout: 'keras', shape: c.shape });
const nchw = (c: LayerContext, name: string): Value => ({ name, layout: 'nchw', shape: c.shape });

function channelsLast(c: LayerContext): void {
  const df = c.config.dataFormat;
  if (df != null && df !== 'channelsLast') throw new Error(`ONNX export: layer '${c.name}' (${c.cls}) uses dataFormat ${String(df)}; only channelsLast is supported`);
}

/** Explicit [begin, end] padding TensorFlow's SAME uses (the extra pixel goes at the end). */
export function samePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function padsFor(padding: unknown, inShape: number[], k: [number, number], s: [number, number], d: [number, number], layer: string): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`ONNX export: layer '${layer}' uses padding '${String(padding)}'; supported: same, valid`);
  const [top, bottom] = samePads(inShape[1], k[0], s[0], d[0]);
  const [left, right] = samePads(inShape[2], k[1], s[1], d[1]);
  return [top, left, bottom, right];
}

function pair(v: unknown, what: string, layer: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0], v[1]];
  throw new Error(`ONNX export: layer '${layer}': cannot read ${what} ${JSON.stringify(v)}`);
}

/** Copy of a layer weight's current values, looked up by its short name (kernel, gamma, …). */
function weight(layer: tfl.layers.Layer, short: string): Float32Array | undefined {
  const w = layer.weights.find((v) => v.originalName.split('/').pop() === short || v.name.split('/').pop() === short);
  return w ? Float32Array.from(w.read().dataSync() as Float32Array) : undefined;
}

export function activationOf(layer: tfl.layers.Layer): string {
  const a = (layer.getConfig() as Record<string, unknown>).activation;
  return a == null ? 'linear' : String(a);
}

/** Inference-mode batch norm as y = x·scale + shift, computed in float64 from the current weights. */
function batchNormAffine(layer: tfl.layers.Layer, channels: number): { scale: Float32Array; shift: Float32Array } {
  const eps = ((layer.getConfig() as Record<string, unknown>).epsilon as number | undefined) ?? 1e-3;
  const gamma = weight(layer, 'gamma');
  const beta = weight(layer, 'beta');
  const mean = weight(layer, 'moving_mean');
  const variance = weight(layer, 'moving_variance');
  if (!mean || !variance) throw new Error(`ONNX export: batch norm layer '${layer.name}' lacks moving_mean/moving_variance`);
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
    scale[c] = s;
    shift[c] = (beta ? beta[c] : 0) - mean[c] * s;
  }
  return { scale, shift };
}

function inputLayer(c: LayerContext): Value {
  if (!c.isModelInput) throw new Error(`ONNX export: unexpected input layer '${c.name}'`);
  if (!c.preprocess) {
    c.inputType = DataType.FLOAT;
    return keras(c, ONNX_INPUT);
  }
  const { g, shape } = c;
  const channels = shape[shape.length - 1];
  const { scale, bias } = c.preprocess;
  if (scale.length !== channels || bias.length !== channels) throw new Error(`ONNX export: preprocessing has ${scale.length} scales for ${channels} input channels`);
  const cast = g.node('Cast', [ONNX_INPUT], 'preprocess/cast', { to: DataType.FLOAT });
  const mul = g.node('Mul', [cast, g.floats('preprocess/scale', [channels], Float32Array.from(scale))], 'preprocess/scale');
  c.inputType = DataType.UINT8;
  return keras(c, g.node('Add', [mul, g.floats('preprocess/bias', [channels], Float32Array.from(bias))], 'preprocess/bias'));
}

/** Conv2D and DepthwiseConv2D, with a following batch norm folded in when there is one. */
function conv(c: LayerContext): Value {
  channelsLast(c);
  const { g, layer, cls, name, config, x, shape } = c;
  const depthwise = cls === 'DepthwiseConv2D';
  const kernel = weight(layer, depthwise ? 'depthwise_kernel' : 'kernel');
  if (!kernel) throw new Error(`ONNX export: layer '${name}' (${cls}) has no kernel weight`);
  const [kh, kw] = pair(config.kernelSize, 'kernelSize', name);
  const [sh, sw] = pair(config.strides ?? 1, 'strides', name);
  const [dh, dw] = pair(config.dilationRate ?? 1, 'dilationRate', name);
  if (depthwise && (dh !== 1 || dw !== 1)) {
    // tfjs-layers 4.22's DepthwiseConv2D.call passes no dilation to the kernel: refuse rather than differ.
    throw new Error(`ONNX export: layer '${name}' (DepthwiseConv2D) has dilation ${dh}x${dw}, which tfjs-layers ignores; only 1 is supported`);
  }
  const inC = x.shape[3];
  const outC = shape[3];
  const mult = depthwise ? outC / inC : 1;
  // tfjs [kh, kw, in, out] → ONNX [out, in, kh, kw]; depthwise [kh, kw, c, m] → [c·m, 1, kh, kw].
  const w = new Float32Array(kernel.length);
  const perOut = depthwise ? kh * kw : inC * kh * kw;
  for (let y = 0; y < kh; y++) {
    for (let xx = 0; xx < kw; xx++) {
      for (let i = 0; i < inC; i++) {
        for (let o = 0; o < (depthwise ? mult : outC); o++) {
          const src = ((y * kw + xx) * inC + i) * (depthwise ? mult : outC) + o;
          const dst = depthwise ? (i * mult + o) * perOut + y * kw + xx : o * perOut + (i * kh + y) * kw + xx;
          w[dst] = kernel[src];
        }
      }
    }
  }
  let b: Float32Array = weight(layer, 'bias') ?? new Float32Array(outC);
  let outputName = name;
  if (c.foldedBn) {
    const { scale, shift } = batchNormAffine(c.foldedBn, outC);
    for (let o = 0; o < outC; o++) {
      for (let k = 0; k < perOut; k++) w[o * perOut + k] *= scale[o];
    }
    b = b.map((v, o) => v * scale[o] + shift[o]);
    outputName = c.foldedBn.name;
  }
  const pads = padsFor(config.padding, x.shape, [kh, kw], [sh, sw], [dh, dw], name);
  const wName = g.floats(`${name}/kernel`, depthwise ? [outC, 1, kh, kw] : [outC, inC, kh, kw], w);
  const bName = g.floats(`${name}/bias`, [outC], b);
  const y = g.node('Conv', [g.as(x, 'nchw'), wName, bName], outputName, {
    kernel_shape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads, group: depthwise ? inC : 1,
  });
  return g.activation(nchw(c, y), activationOf(layer), name, cls);
}

function batchNormalization(c: LayerContext): Value {
  if (c.isFolded) return c.x;
  const { g, name, shape, x } = c;
  const axis = c.config.axis;
  const rank = shape.length;
  if (!(axis === -1 || axis === rank - 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === rank - 1)))) {
    throw new Error(`ONNX export: layer '${name}' normalises axis ${JSON.stringify(axis)}; only the channel (last) axis is supported`);
  }
  const channels = shape[rank - 1];
  const { scale, shift } = batchNormAffine(c.layer, channels);
  const input = rank === 4 ? g.as(x, 'nchw') : x.name;
  const bshape = rank === 4 ? [channels, 1, 1] : [channels];
  const mul = g.node('Mul', [input, g.floats(`${name}/scale`, bshape, scale)], `${name}/mul`);
  const out = g.node('Add', [mul, g.floats(`${name}/shift`, bshape, shift)], name);
  return rank === 4 ? nchw(c, out) : keras(c, out);
}

function reLU(c: LayerContext): Value {
  const max = c.config.maxValue as number | null | undefined;
  return max == null ? c.g.activation(c.x, 'relu', c.name, c.cls) : c.g.clip(c.x, 0, max, c.name);
}

function add(c: LayerContext): Value {
  const layout: Layout = c.shape.length === 4 ? 'nchw' : 'keras';
  const names = c.inputs.map((v) => c.g.as(v, layout));
  let acc = names[0];
  for (let i = 1; i < names.length; i++) acc = c.g.node('Add', [acc, names[i]], i === names.length - 1 ? c.name : `${c.name}_${i}`);
  return { name: acc, layout, shape: c.shape };
}

function concatenate(c: LayerContext): Value {
  const layout: Layout = c.shape.length === 4 ? 'nchw' : 'keras';
  const names = c.inputs.map((v) => c.g.as(v, layout));
  const axis = onnxAxis(c.config.axis as number, c.shape.length, layout, c.name);
  return { name: c.g.node('Concat', names, c.name, { axis }), layout, shape: c.shape };
}

function globalPooling(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerConverter {
  return (c) => {
    channelsLast(c);
    if (c.config.keepDims) throw new Error(`ONNX export: layer '${c.name}' uses keepDims; not supported`);
    const pooled = c.g.node(op, [c.g.as(c.x, 'nchw')], `${c.name}/pool`);
    return keras(c, c.g.node('Flatten', [pooled], c.name, { axis: 1 }));
  };
}

function pooling(op: 'AveragePool' | 'MaxPool'): LayerConverter {
  return (c) => {
    channelsLast(c);
    const k = pair(c.config.poolSize, 'poolSize', c.name);
    const s = pair(c.config.strides ?? k, 'strides', c.name);
    const pads = padsFor(c.config.padding, c.x.shape, k, s, [1, 1], c.name);
    const attrs: Record<string, AttributeValue> = { kernel_shape: k, strides: s, pads };
    // TensorFlow's SAME average excludes the padded zeros from the count.
    if (op === 'AveragePool') attrs.count_include_pad = 0;
    return nchw(c, c.g.node(op, [c.g.as(c.x, 'nchw')], c.name, attrs));
  };
}

function zeroPadding2D(c: LayerContext): Value {
  channelsLast(c);
  const p = c.config.padding as [[number, number], [number, number]];
  if (!Array.isArray(p) || p.length !== 2) throw new Error(`ONNX export: layer '${c.name}': cannot read padding ${JSON.stringify(p)}`);
  const pads = c.g.ints(`${c.name}/pads`, [0, 0, p[0][0], p[1][0], 0, 0, p[0][1], p[1][1]]);
  return nchw(c, c.g.node('Pad', [c.g.as(c.x, 'nchw'), pads], c.name, { mode: 'constant' }));
}

function reshape(c: LayerContext): Value {
  const target = c.g.ints(`${c.name}/shape`, [0, ...c.shape.slice(1)]);
  return keras(c, c.g.node('Reshape', [c.g.as(c.x, 'keras'), target], c.name));
}

function dense(c: LayerContext): Value {
  const { g, layer, name, x, shape } = c;
  if (x.shape.length !== 2) throw new Error(`ONNX export: layer '${name}' (Dense) on a rank-${x.shape.length} input; only rank 2 is supported`);
  const kernel = weight(layer, 'kernel');
  if (!kernel) throw new Error(`ONNX export: layer '${name}' (Dense) has no kernel weight`);
  const units = shape[1];
  const bias = weight(layer, 'bias') ?? new Float32Array(units);
  const y = g.node('Gemm', [x.name, g.floats(`${name}/kernel`, [x.shape[1], units], kernel), g.floats(`${name}/bias`, [units], bias)], name);
  return g.activation(keras(c, y), activationOf(layer), name, c.cls);
}

/** Layer class name → converter; its keys are the supported layer types. */
export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  InputLayer: inputLayer,
  Conv2D: conv,
  DepthwiseConv2D: conv,
  BatchNormalization: batchNormalization,
  Activation: (c) => c.g.activation(c.x, String(c.config.activation), c.name, c.cls),
  ReLU: reLU,
  UdtlReLU6: (c) => c.g.activation(c.x, 'relu6', c.name, c.cls),
  Softmax: (c) => c.g.softmax(c.x, c.config.axis as number | number[] | undefined, c.name),
  Add: add,
  Concatenate: concatenate,
  GlobalAveragePooling2D: globalPooling('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPooling('GlobalMaxPool'),
  AveragePooling2D: pooling('AveragePool'),
  MaxPooling2D: pooling('MaxPool'),
  ZeroPadding2D: zeroPadding2D,
  Reshape: reshape,
  Flatten: (c) => keras(c, c.g.node('Flatten', [c.g.as(c.x, 'keras')], c.name, { axis: 1 })),
  Dense: dense,
  Dropout: (c) => c.x,
};
