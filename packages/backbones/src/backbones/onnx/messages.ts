/**
 * ONNX messages through `onnx-proto` (protobufjs static code generated from onnx.proto): builders
 * for the nodes, tensors, attributes and value infos the exporter and the tap-graph rewriter emit,
 * and whole ModelProtos to and from bytes. Weights travel as `rawData` views (decoding a file does
 * not copy them; encoding copies each once into the output).
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
/** A decoded model (a class: absent fields read as their defaults from the prototype). */
export type DecodedModelProto = onnxProto.onnx.ModelProto;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** The IR version written (2020-05-08, ONNX 1.7). */
export const IR_VERSION = 7;

/** An int64 as decoded (protobufjs gives a `Long` for 64-bit fields) as a number. */
export function int64(v: number | { toNumber(): number } | null | undefined): number | undefined {
  return v == null ? undefined : typeof v === 'number' ? v : v.toNumber();
}

/** Integers → INT, arrays → INTS, strings → STRING; `{ float }`, `{ floats }`, `{ tensor }` say the rest. */
export type AttributeValue = number | number[] | string | { floats: number[] } | { float: number } | { tensor: TensorProto };

const AttrType = onnx.AttributeProto.AttributeType;

export function attribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute ${name}: ${value} is not an integer (use { float })`);
    return { name, type: AttrType.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttrType.INTS, ints: value };
  if ('tensor' in value) return { name, type: AttrType.TENSOR, t: value.tensor };
  if ('floats' in value) return { name, type: AttrType.FLOATS, floats: value.floats };
  return { name, type: AttrType.FLOAT, f: value.float };
}

export function node(opType: string, inputs: string[], outputs: string[], name: string, attributes?: Record<string, AttributeValue>): NodeProto {
  const n: NodeProto = { input: inputs, output: outputs, name, opType };
  if (attributes) n.attribute = Object.entries(attributes).map(([k, v]) => attribute(k, v));
  return n;
}

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  const n = dims.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new Error(`ONNX initializer ${name}: ${values.length} values for dims [${dims}]`);
  return { dims, dataType: DataType.FLOAT, name, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

export function int64Tensor(name: string, values: number[]): TensorProto {
  return { dims: [values.length], dataType: DataType.INT64, name, rawData: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) };
}

/** A tensor graph input/output: dims are numbers or symbolic names (dynamic, e.g. 'N'); no dims = shape not stated. */
export function tensorValueInfo(name: string, elemType: DataTypeCode, dims?: Array<number | string>): ValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: shape ? { elemType, shape } : { elemType } } };
}

/** Opset of the default (ai.onnx) domain, when the model states one. */
export function defaultOpset(model: ModelProto): number | undefined {
  let opset: number | undefined;
  for (const o of model.opsetImport ?? []) if (!o.domain || o.domain === 'ai.onnx') opset = int64(o.version);
  return opset;
}

export function encodeModel(model: ModelProto): Uint8Array {
  const b = onnx.ModelProto.encode(model).finish(); // a Node Buffer: handed on as a plain Uint8Array view
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The ModelProto in `bytes`; its weights (`rawData`) stay views into `bytes`. Throws protobufjs's error as is. */
export function decodeModel(bytes: Uint8Array): DecodedModelProto {
  return onnx.ModelProto.decode(bytes);
}
