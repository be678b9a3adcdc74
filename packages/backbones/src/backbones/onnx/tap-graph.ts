/**
 * A third-party ONNX classifier cut at an intermediate tensor, in the shape every frozen engine
 * expects: uint8 NHWC images in → the tap as NHWC float out. The decoded ModelProto is rewritten and
 * re-encoded (weights stay views into the file's bytes until the one copy into the output): nodes the
 * tap does not depend on are dropped (for AlexNet that removes the 200 MB of fully-connected weights),
 * the model's preprocessing (channel order, mean, std) and the NHWC↔NCHW transposes become graph nodes.
 */
import { NCHW_TO_NHWC, NHWC_TO_NCHW } from './graph-builder.js';
import {
  DataType, decodeModel, defaultOpset, encodeModel, floatTensor, int64Tensor, node, tensorValueInfo,
  type AttributeValue, type DecodedModelProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from './messages.js';

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

export interface ParsedOnnxModel {
  /** The decoded model; initializers' `rawData` are views into the file's bytes. */
  proto: DecodedModelProto;
  graph: GraphProto;
  nodes: NodeProto[];
  /** Graph inputs (IR < 4 lists the weights here too). */
  inputs: ValueInfoProto[];
  initializerNames: Set<string>;
  /** Opset of the default domain, when stated. */
  opset: number | undefined;
}

/** The decoded ModelProto with the checks a rewrite relies on. Errors name `source`. */
export function parseOnnxModel(bytes: Uint8Array, source: string): ParsedOnnxModel {
  try {
    const proto = decodeModel(bytes);
    const graph = proto.graph;
    if (!graph) throw new Error('no graph');
    const nodes = graph.node ?? [];
    if (nodes.length === 0) throw new Error('the graph has no nodes');
    nodes.forEach((n, i) => {
      if (!n.opType) throw new Error(`node ${i} has no op_type`);
    });
    const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
    return { proto, graph, nodes, inputs: graph.input ?? [], initializerNames, opset: defaultOpset(proto) };
  } catch (err) {
    throw new Error(`${source}: not a readable ONNX model (${(err as Error).message}); the file may be truncated or corrupt`);
  }
}

/** Tensors a tap can name: every node output, in graph order. */
export function onnxTensorNames(model: ParsedOnnxModel): string[] {
  return model.nodes.flatMap((n) => (n.output ?? []).filter(Boolean));
}

/** Error text listing some valid tap tensors. */
export function someTensorNames(names: string[], max = 40): string {
  return `${names.slice(0, max).join(', ')}${names.length > max ? `, … (${names.length} in all)` : ''}`;
}

/** The image input: `requested`, else the only graph input that is not a weight. */
export function imageInput(model: ParsedOnnxModel, requested: string | undefined, source: string): string {
  const candidates = model.inputs.map((i) => i.name ?? '').filter((n) => !model.initializerNames.has(n));
  if (requested !== undefined) {
    if (!model.inputs.some((i) => i.name === requested)) {
      throw new Error(`${source}: no graph input '${requested}'; its inputs: ${candidates.join(', ') || '(none)'}`);
    }
    return requested;
  }
  if (candidates.length !== 1) throw new Error(`${source}: ${candidates.length} graph inputs (${candidates.join(', ')}); name the image input with inputName`);
  return candidates[0];
}

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
  const { graph, nodes } = model;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output?.forEach((o) => producer.set(o, i)));
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
    stack.push(...(nodes[i].input ?? []).filter(Boolean));
  }
  const kept = nodes.filter((_, i) => keep.has(i));
  const used = new Set(kept.flatMap((n) => n.input ?? []));

  const taken = new Set<string>([...producer.keys(), ...model.initializerNames, ...model.inputs.map((i) => i.name ?? '')]);
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const imagesName = fresh('udtl_images');
  const outputName = fresh('udtl_features');
  const pre: NodeProto[] = [];
  const addNode = (opType: string, inputs: string[], attributes?: Record<string, AttributeValue>, output?: string) => {
    const out = output ?? fresh(`udtl_pre/${opType.toLowerCase()}`);
    pre.push(node(opType, inputs, [out], fresh(`udtl/${opType}`), attributes));
    return out;
  };
  const constant = (tensor: TensorProto) => addNode('Constant', [], { value: { tensor } });
  const nchw = opts.layout === 'nchw';

  let x = addNode('Cast', [imagesName], { to: DataType.FLOAT });
  if (opts.preprocessing.channelOrder === 'bgr') x = addNode('Gather', [x, constant(int64Tensor('bgr', [2, 1, 0]))], { axis: 3 });
  x = addNode('Mul', [x, constant(floatTensor('a', [3], Float32Array.from(a)))]);
  x = addNode('Add', [x, constant(floatTensor('b', [3], Float32Array.from(b)))], undefined, nchw ? undefined : input);
  if (nchw) addNode('Transpose', [x], { perm: NHWC_TO_NCHW }, input);

  const tapNchw = (opts.tapLayout ?? opts.layout) === 'nchw';
  const post = node(tapNchw ? 'Transpose' : 'Identity', [opts.tap], [outputName], fresh('udtl/output'), tapNchw ? { perm: NCHW_TO_NHWC } : undefined);

  // The decoded messages are reused as they are: kept nodes, weights (views into the file) and the
  // model's other fields (those onnx.proto 1.10 does not know are not decoded, so not kept). value_info
  // is dropped (its shapes may pin the batch to 1), and so is training_info (it does not apply here).
  const s = opts.inputSize;
  const cut: GraphProto = {
    node: [...pre, ...kept, post],
    initializer: (graph.initializer ?? []).filter((t) => used.has(t.name ?? '')),
    sparseInitializer: graph.sparseInitializer, // rare in classifiers
    input: [
      tensorValueInfo(imagesName, DataType.UINT8, ['N', s, s, 3]),
      // IR < 4 lists the weights among the inputs too: keep those the kept nodes read.
      ...model.inputs.filter((i) => i.name !== input && used.has(i.name ?? '')),
    ],
    output: [tensorValueInfo(outputName, DataType.FLOAT)],
  };
  if (Object.hasOwn(graph, 'name')) cut.name = graph.name;
  const { graph: _whole, trainingInfo: _training, ...rest } = model.proto;
  return { bytes: encodeModel({ ...rest, graph: cut }), inputName: imagesName, outputName, keptNodes: kept.length };
}
