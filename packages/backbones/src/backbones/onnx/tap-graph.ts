/**
 * A third-party ONNX classifier cut at an intermediate tensor, in the shape every frozen engine
 * expects: uint8 NHWC images in → the tap as NHWC float out. The ModelProto is rewritten at the
 * field level (weights are copied as raw bytes, never decoded): nodes the tap does not depend on are
 * dropped (for AlexNet that removes the 200 MB of fully-connected weights), the model's
 * preprocessing (channel order, mean, std) and the NHWC↔NCHW transposes become graph nodes.
 */
import { DataType, encodeNode, encodeValueInfo, floatInitializer, int64Initializer, type AttributeValue, type OnnxNode } from './onnx-proto.js';
import { fieldText, ProtoWriter, readFields, type ProtoField } from './protobuf.js';

/** What a model's pixels must go through before its input (timm-like `mean`/`std`, on the 0..255 scale times `scale`). */
export interface OnnxPreprocessing {
  /** Channel order of the model's input ('bgr' for Caffe models). */
  channelOrder: 'rgb' | 'bgr';
  /** Subtracted per channel, in the model's channel order, after multiplying the pixels by `scale`. */
  mean: [number, number, number];
  /** Divides per channel after the mean (default 1). */
  std?: [number, number, number];
  /** Multiplies the 0..255 pixels first (default 1; 1/255 for torchvision-style models). */
  scale?: number;
}

export type TensorLayout = 'nchw' | 'nhwc';

export interface TapGraphOptions {
  /** The image input among the graph inputs (default: the only one that is not a weight). */
  inputName?: string;
  /** Layout of that input. */
  layout: TensorLayout;
  /** Layout of the tapped tensor (default `layout`); 'nchw' taps are transposed to NHWC. */
  tapLayout?: TensorLayout;
  /** Square input size the graph will be fed. */
  inputSize: number;
  preprocessing: OnnxPreprocessing;
  /** Name of the tensor to return (a node output, as listed by `onnxTensorNames`). */
  tap: string;
  /** Names the model in messages (a file path). */
  source: string;
}

export interface TapGraph {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  /** Nodes of the original graph kept (those the tap depends on). */
  keptNodes: number;
}

interface ParsedNode {
  inputs: string[];
  outputs: string[];
  name: string;
  opType: string;
  /** attribute (5) and domain (7) fields, copied unchanged. */
  rest: Uint8Array[];
}

export interface ParsedOnnxModel {
  top: ProtoField[];
  graphFields: ProtoField[];
  nodes: ParsedNode[];
  initializerNames: Set<string>;
  inputs: Array<{ name: string; raw: Uint8Array }>;
  opset: number | undefined;
}

/** The ModelProto's graph, nodes and inputs (weights stay raw bytes). Errors name `source`. */
export function parseOnnxModel(bytes: Uint8Array, source: string): ParsedOnnxModel {
  try {
    const top = readFields(bytes);
    const graphs = top.filter((f) => f.field === 7 && f.bytes);
    if (graphs.length !== 1) throw new Error(`${graphs.length} graphs (field 7) where a ModelProto has exactly one`);
    let opset: number | undefined;
    for (const f of top.filter((x) => x.field === 8 && x.bytes)) {
      const fs = readFields(f.bytes!);
      const domain = fs.find((x) => x.field === 1);
      const version = fs.find((x) => x.field === 2)?.int;
      if (!domain || ['', 'ai.onnx'].includes(fieldText(domain))) opset = version;
    }
    const graphFields = readFields(graphs[0].bytes!);
    const nodes: ParsedNode[] = [];
    const initializerNames = new Set<string>();
    const inputs: ParsedOnnxModel['inputs'] = [];
    for (const f of graphFields) {
      if (f.field === 1 && f.bytes) {
        const node: ParsedNode = { inputs: [], outputs: [], name: '', opType: '', rest: [] };
        for (const nf of readFields(f.bytes)) {
          if (nf.field === 1) node.inputs.push(fieldText(nf));
          else if (nf.field === 2) node.outputs.push(fieldText(nf));
          else if (nf.field === 3) node.name = fieldText(nf);
          else if (nf.field === 4) node.opType = fieldText(nf);
          else if (nf.field === 5 || nf.field === 7) node.rest.push(nf.raw);
        }
        if (!node.opType) throw new Error(`node ${nodes.length} has no op_type`);
        nodes.push(node);
      } else if (f.field === 5 && f.bytes) {
        const name = readFields(f.bytes).find((x) => x.field === 8);
        if (name) initializerNames.add(fieldText(name));
      } else if (f.field === 11 && f.bytes) {
        const name = readFields(f.bytes).find((x) => x.field === 1);
        if (name) inputs.push({ name: fieldText(name), raw: f.raw });
      }
    }
    if (nodes.length === 0) throw new Error('the graph has no nodes');
    return { top, graphFields, nodes, initializerNames, inputs, opset };
  } catch (err) {
    throw new Error(`${source}: not a readable ONNX model (${(err as Error).message}); the file may be truncated or corrupt`);
  }
}

/** Tensors a tap can name: every node output, in graph order. */
export function onnxTensorNames(model: ParsedOnnxModel): string[] {
  return model.nodes.flatMap((n) => n.outputs.filter(Boolean));
}

/** Error text listing some valid tap tensors. */
export function someTensorNames(names: string[], max = 40): string {
  return `${names.slice(0, max).join(', ')}${names.length > max ? `, … (${names.length} in all)` : ''}`;
}

/** The image input: `requested`, else the only graph input that is not a weight. */
export function imageInput(model: ParsedOnnxModel, requested: string | undefined, source: string): string {
  const candidates = model.inputs.map((i) => i.name).filter((n) => !model.initializerNames.has(n));
  if (requested !== undefined) {
    if (!model.inputs.some((i) => i.name === requested)) {
      throw new Error(`${source}: no graph input '${requested}'; its inputs: ${candidates.join(', ') || '(none)'}`);
    }
    return requested;
  }
  if (candidates.length !== 1) throw new Error(`${source}: ${candidates.length} graph inputs (${candidates.join(', ')}); name the image input with inputName`);
  return candidates[0];
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Per-channel y = x·a + b, in the model's channel order, for uint8 pixels x already reordered. */
export function preprocessingAffine(p: OnnxPreprocessing): { a: number[]; b: number[] } {
  const std = p.std ?? [1, 1, 1];
  const scale = p.scale ?? 1;
  for (const [what, v] of [['mean', p.mean], ['std', std]] as const) {
    if (!Array.isArray(v) || v.length !== 3 || !v.every(Number.isFinite)) throw new Error(`ONNX preprocessing: ${what} must be 3 finite numbers, got ${JSON.stringify(v)}`);
  }
  if (!std.every((s) => s !== 0) || !(Number.isFinite(scale) && scale !== 0)) throw new Error(`ONNX preprocessing: std and scale must be non-zero, got std ${JSON.stringify(std)}, scale ${scale}`);
  if (p.channelOrder !== 'rgb' && p.channelOrder !== 'bgr') throw new Error(`ONNX preprocessing: channelOrder must be 'rgb' or 'bgr', got ${JSON.stringify(p.channelOrder)}`);
  return { a: std.map((s) => scale / s), b: p.mean.map((m, c) => -m / std[c]) };
}

/** The graph of `bytes` from uint8 NHWC images to the tap tensor as NHWC float (see the module comment). */
export function buildTapGraph(bytes: Uint8Array, opts: TapGraphOptions): TapGraph {
  const model = parseOnnxModel(bytes, opts.source);
  return buildTapGraphFrom(model, opts);
}

export function buildTapGraphFrom(model: ParsedOnnxModel, opts: TapGraphOptions): TapGraph {
  const { source } = opts;
  if (model.opset !== undefined && model.opset < 7) {
    throw new Error(`${source}: opset ${model.opset} is older than 7 (broadcasting Mul/Add); re-export the model at opset 7 or later`);
  }
  const { a, b } = preprocessingAffine(opts.preprocessing);
  const input = imageInput(model, opts.inputName, source);
  const producer = new Map<string, number>();
  model.nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  if (!producer.has(opts.tap) && opts.tap !== input) {
    throw new Error(`${source}: unknown tap tensor '${opts.tap}'; node outputs include: ${someTensorNames(onnxTensorNames(model))}`);
  }

  // Nodes the tap depends on (walking inputs back to the image input and the weights).
  const keep = new Set<number>();
  const stack = [opts.tap];
  while (stack.length) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || keep.has(i)) continue;
    keep.add(i);
    stack.push(...model.nodes[i].inputs.filter(Boolean));
  }
  const kept = model.nodes.filter((_, i) => keep.has(i));
  const used = new Set(kept.flatMap((n) => n.inputs));

  const taken = new Set<string>([...producer.keys(), ...model.initializerNames, ...model.inputs.map((i) => i.name)]);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const imagesName = fresh('udtl_images');
  const outputName = fresh('udtl_features');
  const pre: OnnxNode[] = [];
  const node = (opType: string, inputs: string[], attributes?: Record<string, AttributeValue>, output?: string) => {
    const out = output ?? fresh(`udtl_pre/${opType.toLowerCase()}`);
    pre.push({ opType, inputs, outputs: [out], name: fresh(`udtl/${opType}`), attributes });
    return out;
  };
  const constant = (tensor: ReturnType<typeof floatInitializer>) => node('Constant', [], { value: { tensor } });
  const nchw = opts.layout === 'nchw';

  let x = node('Cast', [imagesName], { to: DataType.FLOAT });
  if (opts.preprocessing.channelOrder === 'bgr') x = node('Gather', [x, constant(int64Initializer('bgr', [2, 1, 0]))], { axis: 3 });
  x = node('Mul', [x, constant(floatInitializer('a', [3], Float32Array.from(a)))]);
  x = node('Add', [x, constant(floatInitializer('b', [3], Float32Array.from(b)))], undefined, nchw ? undefined : input);
  if (nchw) node('Transpose', [x], { perm: NHWC_TO_NCHW }, input);

  const post: OnnxNode[] = [];
  const tapNchw = (opts.tapLayout ?? opts.layout) === 'nchw';
  post.push({
    opType: tapNchw ? 'Transpose' : 'Identity', inputs: [opts.tap], outputs: [outputName], name: fresh('udtl/output'),
    ...(tapNchw ? { attributes: { perm: NCHW_TO_NHWC } } : {}),
  });

  const s = opts.inputSize;
  const g = new ProtoWriter();
  for (const n of pre) g.message(1, (w) => encodeNode(w, n));
  for (const n of kept) {
    g.message(1, (w) => {
      for (const i of n.inputs) w.string(1, i);
      for (const o of n.outputs) w.string(2, o);
      w.string(3, n.name).string(4, n.opType);
      for (const r of n.rest) w.raw(r);
    });
  }
  for (const n of post) g.message(1, (w) => encodeNode(w, n));
  for (const f of model.graphFields) {
    if (f.field === 2) g.raw(f.raw); // graph name
    if (f.field === 5 && f.bytes) {
      const name = readFields(f.bytes).find((x) => x.field === 8);
      if (name && used.has(fieldText(name))) g.raw(f.raw);
    }
    if (f.field === 15) g.raw(f.raw); // sparse initializers, rare in classifiers
  }
  g.message(11, (w) => encodeValueInfo(w, { name: imagesName, dataType: DataType.UINT8, dims: ['N', s, s, 3] }));
  // IR < 4 lists the weights among the inputs too: keep those the kept nodes read.
  for (const i of model.inputs) if (i.name !== input && used.has(i.name)) g.raw(i.raw);
  g.message(12, (w) => encodeValueInfo(w, { name: outputName, dataType: DataType.FLOAT }));
  // value_info (13) is dropped: its shapes may pin the batch to 1.

  const m = new ProtoWriter();
  for (const f of model.top) {
    if (f.field === 7) m.bytes(7, g.view());
    else if (f.field !== 20) m.raw(f.raw); // training_info does not apply to the cut graph
  }
  return { bytes: m.finish(), inputName: imagesName, outputName, keptNodes: kept.length };
}
