/**
 * ONNX ModelProto serialisation (field numbers from onnx/onnx.proto3, IR version 7 / opset 13) for
 * the node, attribute and tensor kinds the exporter emits.
 */
import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export type AttributeValue = number | number[] | string | { floats: number[] } | { float: number } | { tensor: OnnxInitializer };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

export interface OnnxInitializer {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  /** Little-endian raw values. */
  raw: Uint8Array;
}

/** A graph input/output: dims are numbers or symbolic names (dynamic, e.g. 'N'); no dims = shape not stated. */
export interface OnnxValueInfo {
  name: string;
  dataType: DataTypeCode;
  dims?: Array<number | string>;
}

export interface OnnxModel {
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  opset: number;
  producerVersion: string;
  /** Stored as metadata_props (strings), readable through onnxruntime's session metadata. */
  metadata: Record<string, string>;
}

export const IR_VERSION = 7;

const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

function encodeAttribute(w: ProtoWriter, name: string, value: AttributeValue): void {
  w.string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute ${name}: ${value} is not an integer (use { float })`);
    w.int(20, AttrType.INT).int(3, value);
  } else if (typeof value === 'string') {
    w.int(20, AttrType.STRING).string(4, value);
  } else if (Array.isArray(value)) {
    w.int(20, AttrType.INTS).packedInts(8, value);
  } else if ('tensor' in value) {
    w.int(20, AttrType.TENSOR).message(5, (t) => encodeTensor(t, value.tensor));
  } else if ('floats' in value) {
    w.int(20, AttrType.FLOATS).packedFloats(7, value.floats);
  } else {
    w.int(20, AttrType.FLOAT).float(2, value.float);
  }
}

export function encodeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, node.name).string(4, node.opType);
  for (const [k, v] of Object.entries(node.attributes ?? {})) w.message(5, (a) => encodeAttribute(a, k, v));
}

export function encodeTensor(w: ProtoWriter, t: OnnxInitializer): void {
  w.packedInts(1, t.dims).int(2, t.dataType).string(8, t.name).bytes(9, t.raw);
}

export function encodeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.dataType);
      const dims = v.dims;
      if (dims) {
        tensor.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        });
      }
    }),
  );
}

export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION).string(2, '@udtl/core').string(3, m.producerVersion);
  w.message(7, (g) => {
    for (const n of m.nodes) g.message(1, (x) => encodeNode(x, n));
    g.string(2, m.graphName);
    for (const t of m.initializers) g.message(5, (x) => encodeTensor(x, t));
    for (const v of m.inputs) g.message(11, (x) => encodeValueInfo(x, v));
    for (const v of m.outputs) g.message(12, (x) => encodeValueInfo(x, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, m.opset));
  for (const [key, value] of Object.entries(m.metadata)) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}

export function floatInitializer(name: string, dims: number[], values: Float32Array): OnnxInitializer {
  const n = dims.reduce((a, b) => a * b, 1);
  if (values.length !== n) throw new Error(`ONNX initializer ${name}: ${values.length} values for dims [${dims}]`);
  return { name, dataType: DataType.FLOAT, dims, raw: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

export function int64Initializer(name: string, values: number[]): OnnxInitializer {
  return { name, dataType: DataType.INT64, dims: [values.length], raw: new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer) };
}
