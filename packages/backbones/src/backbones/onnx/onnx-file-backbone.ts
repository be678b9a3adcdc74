/**
 * Any ONNX image classifier as a *frozen* backbone (`registerOnnxBackbone`): there is no tfjs model,
 * so it serves frozen features only, through onnxruntime (createFrozenEngine / frozenTapSource).
 * Taps name graph tensors; the graph cut at a tap, with the preprocessing and layout transposes as
 * nodes (tap-graph.ts), is cached under `<cacheDir>/onnx/` beside a checksum sidecar.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { cacheDir, fetchResource, modelsRoot, sha256, type FileResource } from '@udtl/datasets';
import { registerBackbone } from '../registry.js';
import type { Backbone, BackboneSpec, LoadOptions, Prediction, Tap } from '../types.js';
import { verifiedOnnxModel, writeOnnxModel, type LoadedOnnxModel, type OnnxModelFile } from './model-file.js';
import { loadOnnxRuntime } from './runtime.js';
import {
  buildTapGraph, onnxTensorNames, parseOnnxModel, preprocessingAffine, someTensorNames,
  type OnnxPreprocessing, type TensorLayout,
} from './tap-graph.js';

/** Bump when the rewritten graphs change for the same file and options, so cached ones are rebuilt. */
export const ONNX_REWRITER_VERSION = 2;

export interface OnnxTap {
  /** Graph tensor (node output) this tap returns. */
  node: string;
  /** [height, width, channels] at the spec's input size, as documented (the engine measures the real one). */
  shape: [number, number, number];
  description?: string;
}

export interface OnnxBackboneOptions {
  id: string;
  description: string;
  /** A file on disk: absolute, or relative to the models root. */
  file?: string;
  /** Or a downloadable resource of @udtl/datasets (its first file is the model). */
  resource?: FileResource;
  /** Expected sha256 of the file (a resource's own checksum is the default). */
  sha256?: string;
  /** The image input among the graph inputs (default: the only non-weight input). */
  inputName?: string;
  inputSize: number;
  /** Layout of the model's input. */
  layout: TensorLayout;
  /** Layout of the tapped tensors (default `layout`). */
  tapLayout?: TensorLayout;
  preprocessing: OnnxPreprocessing;
  taps: Record<string, OnnxTap>;
  defaultTap: string;
  licence: string;
  /** Names of the classifier's output columns, when known. */
  classNames?: string[];
}

export function frozenOnlyError(id: string, what: string): Error {
  return new Error(
    `${id} is an ONNX-only frozen backbone (no tfjs model), so ${what} is not available; frozen features come ` +
      'through onnxruntime (frozenTapSource / createFrozenEngine). Methods that train or re-initialise the ' +
      'backbone (fine-tuned, random-backbone) need a tfjs backbone such as mobilenet-v2-1.0',
  );
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

function checkOptions(o: OnnxBackboneOptions): void {
  if (!o.file === !o.resource) throw new Error(`registerOnnxBackbone '${o.id}': give exactly one of file and resource`);
  if (!Number.isInteger(o.inputSize) || o.inputSize < 1) throw new Error(`registerOnnxBackbone '${o.id}': inputSize must be a positive integer, got ${o.inputSize}`);
  for (const [k, v] of [['layout', o.layout], ['tapLayout', o.tapLayout ?? o.layout]] as const) {
    if (v !== 'nchw' && v !== 'nhwc') throw new Error(`registerOnnxBackbone '${o.id}': ${k} must be 'nchw' or 'nhwc', got ${JSON.stringify(v)}`);
  }
  preprocessingAffine(o.preprocessing);
}

/** Where the model file is (the models root, else the cache; downloading a resource when allowed). */
async function locate(o: OnnxBackboneOptions, opts: LoadOptions): Promise<string> {
  if (o.file) {
    const path = o.file.startsWith('/') ? o.file : join(modelsRoot(opts.modelsDir), o.file);
    if (!existsSync(path)) throw new Error(`${o.id}: ONNX model file not found: ${path}`);
    return path;
  }
  const r = o.resource!;
  const dir = await fetchResource(r, { modelsDir: opts.modelsDir, cacheDir: opts.cacheDir, download: opts.download, log: opts.log });
  return join(dir, r.files[0].name);
}

/** Read and check the file: sha256 (when one is expected) and a parseable graph. */
async function readModel(o: OnnxBackboneOptions, path: string): Promise<{ bytes: Uint8Array; hash: string }> {
  const file = await readFile(path);
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength); // a view: AlexNet is 244 MB
  const hash = sha256(bytes);
  const expected = o.sha256 ?? o.resource?.files[0].sha256;
  if (expected && hash !== expected.toLowerCase()) {
    throw new Error(`${path}: sha256 ${hash} does not match the expected ${expected} of ${o.id} (truncated, corrupt or a different model)`);
  }
  return { bytes, hash };
}

export class OnnxFileBackbone implements Backbone {
  readonly frozenOnly = true;
  readonly id: string;
  readonly weightsHash: string;
  readonly inputSize: number;
  readonly taps: Record<string, Tap>;
  readonly defaultTap: string;
  readonly classNames: string[];
  private readonly tensors: Set<string>;
  private readonly tensorNames: string[];
  private readonly measured = new Map<string, number[]>();

  constructor(
    private readonly options: OnnxBackboneOptions,
    readonly path: string,
    hash: string,
    tensorNames: string[],
    inputSize: number,
  ) {
    this.id = options.id;
    this.weightsHash = hash;
    this.inputSize = inputSize;
    this.taps = Object.fromEntries(Object.entries(options.taps).map(([k, t]) => [k, { layer: t.node, shape: t.shape, description: t.description }]));
    this.defaultTap = options.defaultTap;
    this.classNames = options.classNames ?? [];
    this.tensors = new Set(tensorNames);
    this.tensorNames = tensorNames;
  }

  get model(): never {
    throw frozenOnlyError(this.id, 'its tfjs model');
  }

  /** Graph tensor behind a tap name (or a tensor name itself); else an error listing both kinds. */
  resolveTap(tap: string = this.defaultTap): string {
    const named = this.taps[tap];
    if (named) return named.layer;
    if (this.tensors.has(tap)) return tap;
    throw new Error(
      `backbone '${this.id}': unknown tap '${tap}'; taps: ${Object.keys(this.taps).join(', ')}; ` +
        `or one of its ${this.tensorNames.length} graph tensors: ${someTensorNames(this.tensorNames)}`,
    );
  }

  tapModel(): never {
    throw frozenOnlyError(this.id, 'tapModel');
  }

  extract(): never {
    throw frozenOnlyError(this.id, 'tfjs extract');
  }

  async classify(): Promise<Prediction[][]> {
    throw frozenOnlyError(this.id, 'classify');
  }

  /** Measured by the engine when known; else the declared shape of a named tap at the spec's input size. */
  tapShape(tap?: string): [number, number, number] {
    const node = this.resolveTap(tap);
    const m = this.measured.get(node);
    if (m?.length === 3) return m as [number, number, number];
    const declared = Object.values(this.taps).find((t) => t.layer === node);
    if (declared && this.inputSize === this.options.inputSize) return declared.shape;
    throw new Error(`backbone '${this.id}': the shape of tap '${tap ?? this.defaultTap}' at ${this.inputSize} px is known once an engine has run it (createFrozenEngine)`);
  }

  /** The same arithmetic as the graph's preprocessing nodes, on NHWC tensors (model channel order). */
  preprocess(x: tf.Tensor4D): tf.Tensor4D {
    const s = this.inputSize;
    if (x.shape.length !== 4 || x.shape[1] !== s || x.shape[2] !== s || x.shape[3] !== 3) {
      throw new Error(`backbone '${this.id}': expected images of shape [n, ${s}, ${s}, 3], got [${x.shape.join(', ')}]`);
    }
    const { a, b } = preprocessingAffine(this.options.preprocessing);
    const bgr = this.options.preprocessing.channelOrder === 'bgr';
    return tf.tidy(() => {
      let y = tf.cast(x, 'float32') as tf.Tensor4D;
      if (bgr) y = tf.reverse(y, 3);
      return tf.add(tf.mul(y, tf.tensor1d(a)), tf.tensor1d(b)) as tf.Tensor4D;
    });
  }

  /** The graph cut at `tap` (cached file when its sidecar verifies, else rewritten from the source file). */
  async onnxGraph(tap: string | undefined, opts: { cacheDir?: string; log?: (message: string) => void } = {}): Promise<LoadedOnnxModel> {
    const node = this.resolveTap(tap);
    const o = this.options;
    const settings = JSON.stringify({ inputName: o.inputName ?? null, layout: o.layout, tapLayout: o.tapLayout ?? o.layout, preprocessing: o.preprocessing });
    const expect = {
      backboneId: this.id, weightsHash: this.weightsHash, weightsFingerprint: sha256(new TextEncoder().encode(`${this.weightsHash}\n${settings}`)),
      inputSize: this.inputSize, layer: node, exporter: ONNX_REWRITER_VERSION,
    };
    const path = join(cacheDir(opts.cacheDir), 'onnx', `${safe(this.id)}-${this.weightsHash.slice(0, 16)}-${expect.weightsFingerprint.slice(0, 8)}-${this.inputSize}-${safe(node)}-r${ONNX_REWRITER_VERSION}.onnx`);
    if (existsSync(path)) {
      try {
        const got = await verifiedOnnxModel(path, expect);
        this.measured.set(node, got.file.outputShape);
        return got;
      } catch (err) {
        opts.log?.(`ONNX cache ${path} is not trustworthy (${(err as Error).message}); rewriting`);
      }
    }
    const { bytes: source } = await readModel(o, this.path); // the file may have changed since load()
    const graph = buildTapGraph(source, {
      inputName: o.inputName, layout: o.layout, tapLayout: o.tapLayout, inputSize: this.inputSize, preprocessing: o.preprocessing, tap: node, source: this.path,
    });
    const outputShape = await probeOutputShape(graph.bytes, graph.inputName, graph.outputName, this.inputSize, `${this.id} (${this.path}) up to '${node}'`);
    const record: OnnxModelFile = { ...expect, path, sha256: sha256(graph.bytes), outputShape, inputName: graph.inputName, outputName: graph.outputName };
    await writeOnnxModel(record, graph.bytes);
    opts.log?.(`cut ${this.path} at '${node}' (${graph.keptNodes} nodes kept) into ${path} (${graph.bytes.length} bytes)`);
    this.measured.set(node, outputShape);
    return { file: record, bytes: graph.bytes };
  }

  dispose(): void {
    this.measured.clear();
  }
}

/** Per-image NHWC shape of the cut graph's output, from one black image (also proves the graph runs). */
async function probeOutputShape(bytes: Uint8Array, input: string, output: string, size: number, what: string): Promise<number[]> {
  const ort = await loadOnnxRuntime();
  let session: import('onnxruntime-node').InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const out = (await session.run({ [input]: new ort.Tensor('uint8', new Uint8Array(size * size * 3), [1, size, size, 3]) }))[output];
    return out.dims.slice(1).map(Number);
  } catch (err) {
    throw new Error(`${what}: the cut graph does not run (${(err as Error).message.split('\n')[0]}); taps must be 4-D feature maps in the declared tapLayout`);
  } finally {
    await session?.release();
  }
}

/** The spec (registry entry) of an ONNX-file backbone; `registerOnnxBackbone` also registers it. */
export function onnxBackboneSpec(options: OnnxBackboneOptions): BackboneSpec {
  checkOptions(options);
  const where = options.file ?? `${options.resource!.files[0].url} (\`udtl fetch ${options.id}\` keeps it in <cache>/models/${options.resource!.dir}/; a models root of yours also works)`;
  return {
    id: options.id,
    description: options.description,
    inputSize: options.inputSize,
    taps: Object.fromEntries(Object.entries(options.taps).map(([k, t]) => [k, { layer: t.node, shape: t.shape, description: t.description }])),
    defaultTap: options.defaultTap,
    weightsSource: `${where}, ${options.licence}`,
    frozenOnly: true,
    async load(opts: LoadOptions = {}) {
      const path = await locate(options, opts);
      const { bytes, hash } = await readModel(options, path);
      const names = onnxTensorNames(parseOnnxModel(bytes, path));
      for (const [name, t] of Object.entries(options.taps)) {
        if (!names.includes(t.node)) throw new Error(`${options.id}: tap '${name}' names tensor '${t.node}', which ${path} does not have; its tensors: ${someTensorNames(names)}`);
      }
      return new OnnxFileBackbone(options, path, hash, names, opts.inputSize ?? options.inputSize);
    },
  };
}

/** Register an ONNX classifier file as a frozen backbone (timm-like; `{ override: true }` to replace one). */
export function registerOnnxBackbone(options: OnnxBackboneOptions, opts: { override?: boolean } = {}): BackboneSpec {
  return registerBackbone(onnxBackboneSpec(options), opts);
}
