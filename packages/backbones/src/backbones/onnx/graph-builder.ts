/**
 * The ONNX graph being exported: nodes and initializers under unique names, and values that
 * remember their layout. Keras tensors are NHWC, ONNX convs NCHW: a Transpose is inserted only where
 * an op needs the other layout (in practice once after the input and once before the output).
 */
import { floatTensor, int64Tensor, node, type AttributeValue, type NodeProto, type TensorProto } from './messages.js';

export const ONNX_INPUT = 'images';
export const ONNX_OUTPUT = 'features';

/** 'keras' = the tensor's own (channels-last) order; 'nchw' = a rank-4 tensor stored channels-first. */
export type Layout = 'keras' | 'nchw';
/** A converted tensor: its ONNX name, layout and Keras (NHWC) shape, batch as -1. */
export interface Value { name: string; layout: Layout; shape: number[] }

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>([ONNX_INPUT, ONNX_OUTPUT]);
  private readonly converted = new Map<string, string>();

  unique(base: string): string {
    let name = base.replace(/[^A-Za-z0-9_./:-]/g, '_');
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds one node; returns its output's name (`output`, else a unique name from `name`). */
  node(opType: string, inputs: string[], name: string, attributes?: Record<string, AttributeValue>, output?: string): string {
    const out = output ?? this.unique(name);
    this.nodes.push(node(opType, inputs, [out], this.unique(`${name}/${opType}`), attributes));
    return out;
  }

  floats(name: string, dims: number[], values: Float32Array): string {
    const n = this.unique(name);
    this.initializers.push(floatTensor(n, dims, values));
    return n;
  }

  ints(name: string, values: number[]): string {
    const n = this.unique(name);
    this.initializers.push(int64Tensor(n, values));
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

  clip(x: Value, min: number, max: number, name: string): Value {
    const lo = this.floats(`${name}/min`, [], Float32Array.of(min));
    const hi = this.floats(`${name}/max`, [], Float32Array.of(max));
    return { ...x, name: this.node('Clip', [x.name, lo, hi], name) };
  }

  /** A Keras activation by name; `cls` names the layer type in errors. */
  activation(x: Value, act: string, name: string, cls: string): Value {
    switch (act) {
      case 'linear':
        return x;
      case 'relu':
        return { ...x, name: this.node('Relu', [x.name], name) };
      case 'relu6':
        return this.clip(x, 0, 6, name);
      case 'sigmoid':
        return { ...x, name: this.node('Sigmoid', [x.name], name) };
      case 'tanh':
        return { ...x, name: this.node('Tanh', [x.name], name) };
      case 'softmax':
        return this.softmax(x, -1, name);
      default:
        throw new Error(`ONNX export: layer '${name}' (${cls}) has activation '${act}'; supported: linear, relu, relu6, sigmoid, tanh, softmax`);
    }
  }

  softmax(x: Value, axis: number | number[] | undefined, name: string): Value {
    const a = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : NaN) : (axis ?? -1);
    if (Number.isNaN(a)) throw new Error(`ONNX export: layer '${name}': softmax over several axes is not supported`);
    return { ...x, name: this.node('Softmax', [x.name], name, { axis: onnxAxis(a, x.shape.length, x.layout, name) }) };
  }
}

/** A Keras axis (channels-last order, negative allowed) as the ONNX axis of the value's layout. */
export function onnxAxis(axis: number, rank: number, layout: Layout, name: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`ONNX export: layer '${name}': axis ${axis} out of range for rank ${rank}`);
  return layout === 'nchw' && rank === 4 ? NHWC_TO_NCHW.indexOf(a) : a;
}
