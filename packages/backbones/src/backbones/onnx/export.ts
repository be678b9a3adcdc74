/**
 * tf.layers graph → ONNX (opset 13), up to any layer. The graph is walked generically by layer
 * class name; Keras tensors are NHWC, ONNX convs NCHW: every value remembers its layout and a
 * Transpose is inserted only where an op needs the other one (in practice once after the input and
 * once before the output). Batch norm after a linear conv is folded into the conv's weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Backbone } from '../types.js';
import {
  DataType, encodeModel, floatInitializer, int64Initializer,
  type AttributeValue, type OnnxInitializer, type OnnxNode,
} from './onnx-proto.js';

/** Bump when the exported graph changes for the same weights, so cached files are rebuilt. */
export const ONNX_EXPORTER_VERSION = 1;
export const ONNX_OPSET = 13;
export const ONNX_INPUT = 'images';
export const ONNX_OUTPUT = 'features';

export const SUPPORTED_LAYERS = [
  'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Activation', 'ReLU', 'UdtlReLU6', 'Softmax',
  'Add', 'Concatenate', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'AveragePooling2D', 'MaxPooling2D',
  'ZeroPadding2D', 'Reshape', 'Flatten', 'Dense', 'Dropout',
] as const;

/** Per-channel affine input scaling (uint8 pixel → network input), applied inside the graph. */
export interface InputAffine {
  scale: number[];
  bias: number[];
}

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

/** 'keras' = the tensor's own (channels-last) order; 'nchw' = a rank-4 tensor stored channels-first. */
type Layout = 'keras' | 'nchw';
interface Value { name: string; layout: Layout; shape: number[] }

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Explicit [begin, end] padding TensorFlow's SAME uses (the extra pixel goes at the end). */
export function samePads(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
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

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];
  private readonly used = new Set<string>([ONNX_INPUT, ONNX_OUTPUT]);
  private readonly converted = new Map<string, string>();

  unique(base: string): string {
    let name = base.replace(/[^A-Za-z0-9_./:-]/g, '_');
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: string[], name: string, attributes?: Record<string, AttributeValue>, output?: string): string {
    const out = output ?? this.unique(name);
    this.nodes.push({ opType, inputs, outputs: [out], name: this.unique(`${name}/${opType}`), attributes });
    return out;
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    const n = this.unique(name);
    this.initializers.push(floatInitializer(n, dims, values));
    return n;
  }

  ints(name: string, values: number[]): string {
    const n = this.unique(name);
    this.initializers.push(int64Initializer(n, values));
    return n;
  }

  /** The value in the requested layout, transposing (once per value) when needed. */
  as(v: Value, layout: Layout): string {
    if (v.layout === layout || v.shape.length !== 4) return v.name;
    const key = `${v.name}->${layout}`;
    let t = this.converted.get(key);
    if (!t) {
      t = this.node('Transpose', [v.name], `${v.name}_${layout}`, { perm: layout === 'nchw' ? NHWC_TO_NCHW : NCHW_TO_NHWC });
      this.converted.set(key, t);
    }
    return t;
  }
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
  let inputInfo: { dataType: typeof DataType.UINT8 | typeof DataType.FLOAT; dims: Array<number | string> } | undefined;

  for (const t of tensors) {
    const layer = t.sourceLayer;
    const cls = layer.getClassName();
    const name = layer.name;
    const shape = staticShape(t, name);
    const ins = t.inputs.map((i) => values.get(i.id)!);
    const x = ins[0];
    const set = (v: Value) => values.set(t.id, v);
    const keras = (n: string): Value => ({ name: n, layout: 'keras', shape });
    const nchw = (n: string): Value => ({ name: n, layout: 'nchw', shape });
    const config = layer.getConfig() as Record<string, unknown>;
    const channelsLast = () => {
      const df = config.dataFormat;
      if (df != null && df !== 'channelsLast') throw new Error(`ONNX export: layer '${name}' (${cls}) uses dataFormat ${String(df)}; only channelsLast is supported`);
    };

    switch (cls) {
      case 'InputLayer': {
        if (t.id !== (model.inputs[0] as unknown as KerasTensor).id) throw new Error(`ONNX export: unexpected input layer '${name}'`);
        const dims: Array<number | string> = ['N', ...shape.slice(1)];
        if (opts.preprocess) {
          const c = shape[shape.length - 1];
          const { scale, bias } = opts.preprocess;
          if (scale.length !== c || bias.length !== c) throw new Error(`ONNX export: preprocessing has ${scale.length} scales for ${c} input channels`);
          const cast = g.node('Cast', [ONNX_INPUT], 'preprocess/cast', { to: DataType.FLOAT });
          const mul = g.node('Mul', [cast, g.floats('preprocess/scale', [c], Float32Array.from(scale))], 'preprocess/scale');
          set(keras(g.node('Add', [mul, g.floats('preprocess/bias', [c], Float32Array.from(bias))], 'preprocess/bias')));
          inputInfo = { dataType: DataType.UINT8, dims };
        } else {
          set(keras(ONNX_INPUT));
          inputInfo = { dataType: DataType.FLOAT, dims };
        }
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        channelsLast();
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
        const bn = foldBn.get(t.id);
        let outputName = name;
        if (bn) {
          const { scale, shift } = batchNormAffine(bn, outC);
          for (let o = 0; o < outC; o++) {
            for (let k = 0; k < perOut; k++) w[o * perOut + k] *= scale[o];
          }
          b = b.map((v, o) => v * scale[o] + shift[o]);
          outputName = bn.name;
        }
        const pads = padsFor(config.padding, x.shape, [kh, kw], [sh, sw], [dh, dw], name);
        const wName = g.floats(`${name}/kernel`, depthwise ? [outC, 1, kh, kw] : [outC, inC, kh, kw], w);
        const bName = g.floats(`${name}/bias`, [outC], b);
        const y = g.node('Conv', [g.as(x, 'nchw'), wName, bName], outputName, {
          kernel_shape: [kh, kw], strides: [sh, sw], dilations: [dh, dw], pads, group: depthwise ? inC : 1,
        });
        set(activation(g, nchw(y), activationOf(layer), name, cls));
        break;
      }
      case 'BatchNormalization': {
        const folded = values.get(t.inputs[0].id);
        if (foldBn.get(t.inputs[0].id) === layer && folded) {
          set(folded);
          break;
        }
        const axis = config.axis;
        const rank = shape.length;
        if (!(axis === -1 || axis === rank - 1 || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === rank - 1)))) {
          throw new Error(`ONNX export: layer '${name}' normalises axis ${JSON.stringify(axis)}; only the channel (last) axis is supported`);
        }
        const c = shape[rank - 1];
        const { scale, shift } = batchNormAffine(layer, c);
        const input = rank === 4 ? g.as(x, 'nchw') : x.name;
        const bshape = rank === 4 ? [c, 1, 1] : [c];
        const mul = g.node('Mul', [input, g.floats(`${name}/scale`, bshape, scale)], `${name}/mul`);
        const out = g.node('Add', [mul, g.floats(`${name}/shift`, bshape, shift)], name);
        set(rank === 4 ? nchw(out) : keras(out));
        break;
      }
      case 'Activation':
        set(activation(g, x, String(config.activation), name, cls));
        break;
      case 'UdtlReLU6':
        set(activation(g, x, 'relu6', name, cls));
        break;
      case 'ReLU': {
        const max = config.maxValue as number | null | undefined;
        set(max == null ? activation(g, x, 'relu', name, cls) : clip(g, x, 0, max, name));
        break;
      }
      case 'Softmax':
        set(softmax(g, x, config.axis as number | number[] | undefined, name));
        break;
      case 'Add':
      case 'Concatenate': {
        const layout: Layout = shape.length === 4 ? 'nchw' : 'keras';
        const names = ins.map((v) => g.as(v, layout));
        if (cls === 'Add') {
          let acc = names[0];
          for (let i = 1; i < names.length; i++) acc = g.node('Add', [acc, names[i]], i === names.length - 1 ? name : `${name}_${i}`);
          set({ name: acc, layout, shape });
        } else {
          const axis = onnxAxis(config.axis as number, shape.length, layout, name);
          set({ name: g.node('Concat', names, name, { axis }), layout, shape });
        }
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        channelsLast();
        if (config.keepDims) throw new Error(`ONNX export: layer '${name}' uses keepDims; not supported`);
        const pooled = g.node(cls === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool', [g.as(x, 'nchw')], `${name}/pool`);
        set(keras(g.node('Flatten', [pooled], name, { axis: 1 })));
        break;
      }
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        channelsLast();
        const k = pair(config.poolSize, 'poolSize', name);
        const s = pair(config.strides ?? k, 'strides', name);
        const pads = padsFor(config.padding, x.shape, k, s, [1, 1], name);
        const attrs: Record<string, AttributeValue> = { kernel_shape: k, strides: s, pads };
        // TensorFlow's SAME average excludes the padded zeros from the count.
        if (cls === 'AveragePooling2D') attrs.count_include_pad = 0;
        set(nchw(g.node(cls === 'AveragePooling2D' ? 'AveragePool' : 'MaxPool', [g.as(x, 'nchw')], name, attrs)));
        break;
      }
      case 'ZeroPadding2D': {
        channelsLast();
        const p = config.padding as [[number, number], [number, number]];
        if (!Array.isArray(p) || p.length !== 2) throw new Error(`ONNX export: layer '${name}': cannot read padding ${JSON.stringify(p)}`);
        const pads = g.ints(`${name}/pads`, [0, 0, p[0][0], p[1][0], 0, 0, p[0][1], p[1][1]]);
        set(nchw(g.node('Pad', [g.as(x, 'nchw'), pads], name, { mode: 'constant' })));
        break;
      }
      case 'Reshape': {
        const target = g.ints(`${name}/shape`, [0, ...shape.slice(1)]);
        set(keras(g.node('Reshape', [g.as(x, 'keras'), target], name)));
        break;
      }
      case 'Flatten':
        set(keras(g.node('Flatten', [g.as(x, 'keras')], name, { axis: 1 })));
        break;
      case 'Dropout':
        set(x);
        break;
      case 'Dense': {
        if (x.shape.length !== 2) throw new Error(`ONNX export: layer '${name}' (Dense) on a rank-${x.shape.length} input; only rank 2 is supported`);
        const kernel = weight(layer, 'kernel')!;
        const units = shape[1];
        const bias = weight(layer, 'bias') ?? new Float32Array(units);
        const y = g.node('Gemm', [x.name, g.floats(`${name}/kernel`, [x.shape[1], units], kernel), g.floats(`${name}/bias`, [units], bias)], name);
        set(activation(g, keras(y), activationOf(layer), name, cls));
        break;
      }
      default:
        throw new Error(`ONNX export: layer '${name}' of type ${cls} is not supported; supported layer types: ${SUPPORTED_LAYERS.join(', ')}`);
    }
  }

  const out = values.get(output.id)!;
  const outputShape = out.shape.slice(1);
  g.node('Identity', [g.as(out, 'keras')], 'output', undefined, ONNX_OUTPUT);
  const bytes = encodeModel({
    graphName: opts.graphName ?? `${model.name}_${outputLayer}`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: ONNX_INPUT, ...inputInfo! }],
    outputs: [{ name: ONNX_OUTPUT, dataType: DataType.FLOAT, dims: ['N', ...outputShape] }],
    opset: ONNX_OPSET,
    producerVersion: opts.producerVersion ?? `exporter ${ONNX_EXPORTER_VERSION}`,
    metadata: opts.metadata ?? {},
  });
  return { bytes, layer: outputLayer, inputName: ONNX_INPUT, outputName: ONNX_OUTPUT, outputShape };
}

function activationOf(layer: tfl.layers.Layer): string {
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

function padsFor(padding: unknown, inShape: number[], k: [number, number], s: [number, number], d: [number, number], layer: string): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`ONNX export: layer '${layer}' uses padding '${String(padding)}'; supported: same, valid`);
  const [top, bottom] = samePads(inShape[1], k[0], s[0], d[0]);
  const [left, right] = samePads(inShape[2], k[1], s[1], d[1]);
  return [top, left, bottom, right];
}

function clip(g: GraphBuilder, x: Value, min: number, max: number, name: string): Value {
  const lo = g.floats(`${name}/min`, [], Float32Array.of(min));
  const hi = g.floats(`${name}/max`, [], Float32Array.of(max));
  return { ...x, name: g.node('Clip', [x.name, lo, hi], name) };
}

function activation(g: GraphBuilder, x: Value, act: string, name: string, cls: string): Value {
  switch (act) {
    case 'linear':
      return x;
    case 'relu':
      return { ...x, name: g.node('Relu', [x.name], name) };
    case 'relu6':
      return clip(g, x, 0, 6, name);
    case 'sigmoid':
      return { ...x, name: g.node('Sigmoid', [x.name], name) };
    case 'tanh':
      return { ...x, name: g.node('Tanh', [x.name], name) };
    case 'softmax':
      return softmax(g, x, -1, name);
    default:
      throw new Error(`ONNX export: layer '${name}' (${cls}) has activation '${act}'; supported: linear, relu, relu6, sigmoid, tanh, softmax`);
  }
}

/** A Keras axis (channels-last order, negative allowed) as the ONNX axis of the value's layout. */
function onnxAxis(axis: number, rank: number, layout: Layout, name: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`ONNX export: layer '${name}': axis ${axis} out of range for rank ${rank}`);
  return layout === 'nchw' && rank === 4 ? NHWC_TO_NCHW.indexOf(a) : a;
}

function softmax(g: GraphBuilder, x: Value, axis: number | number[] | undefined, name: string): Value {
  const a = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : NaN) : (axis ?? -1);
  if (Number.isNaN(a)) throw new Error(`ONNX export: layer '${name}': softmax over several axes is not supported`);
  return { ...x, name: g.node('Softmax', [x.name], name, { axis: onnxAxis(a, x.shape.length, x.layout, name) }) };
}

/**
 * The backbone's `preprocess` as a per-channel affine map, measured on probe images (black, white
 * and a ramp); a preprocessing that is not affine per channel cannot be put in the graph.
 */
export function probePreprocess(backbone: Backbone): InputAffine {
  const s = backbone.inputSize;
  const px = s * s;
  const probe = new Int32Array(3 * px * 3);
  for (let i = 0; i < px * 3; i++) {
    probe[px * 3 + i] = 255;
    probe[2 * px * 3 + i] = (i * 37 + 11) % 256;
  }
  const y = tf.tidy(() => backbone.preprocess(tf.tensor4d(probe, [3, s, s, 3], 'int32')));
  const out = y.dataSync() as Float32Array;
  y.dispose();
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

/** A registered backbone's graph up to `tap` (tap or layer name), with its input scaling inside. */
export function exportBackboneToOnnx(backbone: Backbone, tap?: string): OnnxExport {
  const layer = backbone.resolveTap(tap);
  return layersModelToOnnx(backbone.model, layer, {
    preprocess: probePreprocess(backbone),
    graphName: `${backbone.id}_${layer}`,
    metadata: { backbone: backbone.id, weightsHash: backbone.weightsHash, layer, inputSize: String(backbone.inputSize), exporter: String(ONNX_EXPORTER_VERSION) },
  });
}
