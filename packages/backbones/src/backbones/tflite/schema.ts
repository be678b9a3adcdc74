/**
 * The parts of the TFLite schema (tensorflow/lite/schema/schema.fbs) the importer needs, read into
 * plain objects. Field indices follow the schema's declaration order.
 */
import { FlatBuffer, type Table } from './flatbuffer.js';

/** BuiltinOperator codes used by classifier CNNs (schema.fbs enum values). */
export const BUILTIN_OPS: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D',
  6: 'DEQUANTIZE', 9: 'FULLY_CONNECTED', 14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU',
  21: 'RELU6', 22: 'RESHAPE', 23: 'RESIZE_BILINEAR', 25: 'SOFTMAX', 34: 'PAD', 40: 'MEAN',
  114: 'QUANTIZE', 117: 'HARD_SWISH',
};

/** TensorType enum. */
export const TENSOR_TYPES = ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8'] as const;
export type TensorType = (typeof TENSOR_TYPES)[number] | `UNKNOWN_${number}`;

export const ACTIVATIONS = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** Axis of per-channel quantization (only meaningful when scale has more than one entry). */
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: TensorType;
  /** Constant data (weights/biases), undefined for activations. */
  data?: Uint8Array;
  quantization?: Quantization;
}

export interface ConvOptions { padding: 'SAME' | 'VALID'; strideH: number; strideW: number; dilationH: number; dilationW: number; activation: Activation }
export interface DepthwiseOptions extends ConvOptions { depthMultiplier: number }
export interface PoolOptions { padding: 'SAME' | 'VALID'; strideH: number; strideW: number; filterH: number; filterW: number; activation: Activation }

export interface TfliteOperator {
  index: number;
  /** Builtin name, e.g. 'CONV_2D'; `CUSTOM:<code>` or `BUILTIN_<n>` when not in BUILTIN_OPS. */
  op: string;
  inputs: number[];
  outputs: number[];
  options?: Table;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

/** Parse a TFLite flatbuffer (first subgraph). `source` names the file in errors. */
export function readTflite(bytes: Uint8Array, source: string): TfliteModel {
  const fb = new FlatBuffer(bytes, source);
  if (bytes.byteLength < 8 || fb.identifier() !== 'TFL3') {
    throw new Error(`${source}: not a TFLite model (file identifier is ${JSON.stringify(fb.identifier())}, expected "TFL3")`);
  }
  const model = fb.root();
  const buffers = model.tableVector(4).map((b) => b.vectorBytes(0));
  const opNames = model.tableVector(1).map((code) => {
    const builtin = Math.max(code.i8(0), code.i32(3));
    const custom = code.string(1);
    if (custom) return `CUSTOM:${custom}`;
    return BUILTIN_OPS[builtin] ?? `BUILTIN_${builtin}`;
  });
  const subgraphs = model.tableVector(2);
  if (subgraphs.length === 0) throw new Error(`${source}: TFLite model has no subgraph`);
  const graph = subgraphs[0];
  const tensors = graph.tableVector(0).map((t, index): TfliteTensor => {
    const typeCode = t.i8(1);
    const bufferIndex = t.u32(2);
    const data = buffers[bufferIndex];
    const q = t.table(4);
    const scale = q?.f32Vector(2) ?? [];
    return {
      index,
      name: t.string(3) ?? `tensor_${index}`,
      shape: t.i32Vector(0),
      type: TENSOR_TYPES[typeCode] ?? `UNKNOWN_${typeCode}`,
      data: data && data.byteLength > 0 ? data : undefined,
      quantization: q && scale.length > 0 ? { scale, zeroPoint: q.i64Vector(3), quantizedDimension: q.i32(6) } : undefined,
    };
  });
  const operators = graph.tableVector(3).map((o, index): TfliteOperator => {
    const code = o.u32(0);
    const op = opNames[code];
    if (op === undefined) throw new Error(`${source}: operator ${index} uses opcode index ${code}, but the model has ${opNames.length} operator codes`);
    return { index, op, inputs: o.i32Vector(1), outputs: o.i32Vector(2), options: o.table(4) };
  });
  return { version: model.u32(0), description: model.string(3) ?? '', tensors, operators, inputs: graph.i32Vector(1), outputs: graph.i32Vector(2) };
}

const padding = (t: Table | undefined): 'SAME' | 'VALID' => (t?.i8(0) === 1 ? 'VALID' : 'SAME');
const activation = (t: Table | undefined, index: number): Activation => ACTIVATIONS[t?.i8(index) ?? 0] ?? 'NONE';

/** Conv2DOptions: padding, stride_w, stride_h, fused_activation_function, dilation_w, dilation_h. */
export function convOptions(op: TfliteOperator): ConvOptions {
  const t = op.options;
  return { padding: padding(t), strideW: t?.i32(1) ?? 1, strideH: t?.i32(2) ?? 1, activation: activation(t, 3), dilationW: t?.i32(4, 1) ?? 1, dilationH: t?.i32(5, 1) ?? 1 };
}

/** DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, fused_activation_function, dilation_w, dilation_h. */
export function depthwiseOptions(op: TfliteOperator): DepthwiseOptions {
  const t = op.options;
  return {
    padding: padding(t), strideW: t?.i32(1) ?? 1, strideH: t?.i32(2) ?? 1, depthMultiplier: t?.i32(3) ?? 1,
    activation: activation(t, 4), dilationW: t?.i32(5, 1) ?? 1, dilationH: t?.i32(6, 1) ?? 1,
  };
}

/** Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function. */
export function poolOptions(op: TfliteOperator): PoolOptions {
  const t = op.options;
  return { padding: padding(t), strideW: t?.i32(1) ?? 1, strideH: t?.i32(2) ?? 1, filterW: t?.i32(3) ?? 1, filterH: t?.i32(4) ?? 1, activation: activation(t, 5) };
}

/** AddOptions: fused_activation_function. */
export function addOptions(op: TfliteOperator): { activation: Activation } {
  return { activation: activation(op.options, 0) };
}

/** SoftmaxOptions: beta. */
export function softmaxBeta(op: TfliteOperator): number {
  return op.options?.f32(0, 1) ?? 1;
}
