/**
 * Where a frozen backbone runs: `onnxruntime` (the exported ONNX graph, native threads; ~6x tfjs
 * wasm here) or `tfjs` (whatever tfjs backend is active). A registry like the backend chain:
 * `createFrozenEngine` uses `opts.engine`, else UDTL_ENGINE, else the first engine (by priority)
 * that starts. Name, version and provider go into manifests and feature-cache keys, because float
 * rounding differs between engines.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch } from '@udtl/datasets';
import { backendInfo, initBackend } from '../../backend/registry.js';
import { extractTap } from '../layers-backbone.js';
import type { Backbone } from '../types.js';
import { ONNX_INPUT, ONNX_OUTPUT } from './export.js';
import { loadOnnxModel } from './model-file.js';
import { cudaProviderInstalled, loadOnnxRuntime, onnxRuntimeVersion } from './runtime.js';

/** What ran a frozen backbone: recorded with features and results. */
export interface EngineInfo {
  /** 'onnxruntime' | 'tfjs' (or a registered extra). */
  name: string;
  version: string;
  /** onnxruntime execution provider ('cpu', 'cuda', 'webgpu') or tfjs backend ('wasm', 'cpu', 'tensorflow', 'webgpu'). */
  provider: string;
  /** Compute threads, when known. */
  threads?: number;
}

export interface FrozenEngine extends EngineInfo {
  readonly backboneId: string;
  readonly weightsHash: string;
  readonly inputSize: number;
  /** Layer whose output `run` returns. */
  readonly layer: string;
  /** Per-image output shape, NHWC ([h, w, c] for feature maps). */
  readonly outputShape: number[];
  /** uint8 NHWC images [n, inputSize, inputSize, 3] → float32 outputs, n·prod(outputShape) values. */
  run(batch: ImageBatch): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export type OrtProvider = 'auto' | 'cpu' | 'cuda' | 'webgpu';

export interface FrozenEngineOptions {
  /** Engine name or 'auto' (default: UDTL_ENGINE, else auto). */
  engine?: string;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  /** onnxruntime provider (default UDTL_ORT_PROVIDER, else auto: CUDA when installed and working, else CPU; 'webgpu' only when named). */
  provider?: OrtProvider;
  /** Cache root for exported ONNX files (default cacheDir()). */
  cacheDir?: string;
  log?: (message: string) => void;
}

export interface FrozenEngineFactory {
  name: string;
  /** Higher is tried first by 'auto'. */
  priority: number;
  /** Throws with the reason when the engine cannot run here. */
  create(backbone: Backbone, tap: string | undefined, opts: FrozenEngineOptions): Promise<FrozenEngine>;
}

const factories = new Map<string, FrozenEngineFactory>();

export function registerFrozenEngine(factory: FrozenEngineFactory, opts: { override?: boolean } = {}): void {
  if (factories.has(factory.name) && !opts.override) throw new Error(`frozen engine '${factory.name}' is already registered`);
  factories.set(factory.name, factory);
}

/** Engine names, highest priority first (the order 'auto' tries them in). */
export function listFrozenEngines(): string[] {
  return [...factories.values()].sort((a, b) => b.priority - a.priority).map((f) => f.name);
}

export function getFrozenEngine(name: string): FrozenEngineFactory {
  const f = factories.get(name);
  if (!f) throw new Error(`unknown frozen engine '${name}'; known engines: ${listFrozenEngines().join(', ')} (or 'auto')`);
  return f;
}

/** Run `backbone` up to `tap` (default its default tap) on the chosen or best available engine. */
export async function createFrozenEngine(backbone: Backbone, tap?: string, opts: FrozenEngineOptions = {}): Promise<FrozenEngine> {
  backbone.resolveTap(tap); // unknown tap → error listing taps, before loading anything
  const env = process.env.UDTL_ENGINE?.trim();
  const requested = opts.engine ?? (env || 'auto');
  if (requested !== 'auto') {
    const f = getFrozenEngine(requested);
    try {
      return await f.create(backbone, tap, opts);
    } catch (err) {
      const by = opts.engine ? 'the engine option' : 'UDTL_ENGINE';
      throw new Error(`frozen engine '${requested}' (chosen by ${by}) failed to start: ${(err as Error).message}`);
    }
  }
  const failures: string[] = [];
  for (const name of listFrozenEngines()) {
    try {
      return await factories.get(name)!.create(backbone, tap, opts);
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message}`);
      opts.log?.(`frozen engine ${name} unavailable (${(err as Error).message}); trying the next one`);
    }
  }
  throw new Error(`no frozen engine could start:\n  ${failures.join('\n  ')}`);
}

/** The fields that identify an engine's numerics, e.g. for a cache key: 'onnxruntime 1.22.0 cpu'. */
export function engineLabel(e: EngineInfo): string {
  return `${e.name} ${e.version} ${e.provider}`;
}

function checkBatch(batch: ImageBatch, backbone: Backbone): void {
  const s = backbone.inputSize;
  const { n, height, width, channels, data } = batch;
  if (height !== s || width !== s || channels !== 3 || !(n >= 0) || data.length !== n * s * s * 3) {
    throw new Error(
      `${backbone.id}: expected a uint8 batch of [n, ${s}, ${s}, 3] images, got n=${n} ${height}x${width}x${channels} ` +
        `with ${data.length} bytes${batch.ids?.length ? ` (first id ${batch.ids[0]})` : ''}`,
    );
  }
}

function outputShapeOf(backbone: Backbone, layer: string): number[] {
  const shape = backbone.model.getLayer(layer).outputShape as (number | null)[];
  return shape.slice(1).map((d) => {
    if (d == null) throw new Error(`${backbone.id}: layer ${layer} has a dynamic output shape [${shape}]`);
    return d;
  });
}

function threadCount(threads: number | undefined): number {
  // UDTL_ENGINE_THREADS: set by the experiment runner to cores / workers, so workers don't oversubscribe.
  const t = threads ?? (Number(process.env.UDTL_ENGINE_THREADS) || availableParallelism());
  if (!Number.isInteger(t) || t < 1) throw new Error(`frozen engine: threads must be a positive integer, got ${threads}`);
  return t;
}

/**
 * 'webgpu' (onnxruntime-node's bundled WebGPU provider, its own Dawn on Vulkan/Metal/D3D12: no software
 * fallback) runs only when asked for: auto never picks it, so default features stay on today's engines.
 */
function chooseProviders(requested: OrtProvider | undefined): Array<'cpu' | 'cuda' | 'webgpu'> {
  const p = requested ?? ((process.env.UDTL_ORT_PROVIDER?.trim() || 'auto') as OrtProvider);
  if (p === 'cpu' || p === 'cuda' || p === 'webgpu') return [p];
  if (p !== 'auto') throw new Error(`unknown onnxruntime provider '${p}'; known: auto, cpu, cuda, webgpu`);
  return cudaProviderInstalled() ? ['cuda', 'cpu'] : ['cpu'];
}

registerFrozenEngine({
  name: 'onnxruntime',
  priority: 200,
  async create(backbone, tap, opts) {
    const ort = await loadOnnxRuntime();
    const threads = threadCount(opts.threads);
    const { file, bytes } = await loadOnnxModel(backbone, tap, opts);
    let session: import('onnxruntime-node').InferenceSession | undefined;
    let provider = '';
    const errors: string[] = [];
    for (const p of chooseProviders(opts.provider)) {
      try {
        session = await ort.InferenceSession.create(bytes, {
          executionProviders: [p],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        });
        provider = p;
        break;
      } catch (err) {
        errors.push(`${p}: ${(err as Error).message.split('\n')[0]}`);
        opts.log?.(`onnxruntime provider ${p} failed (${errors.at(-1)})`);
      }
    }
    if (!session) throw new Error(`no onnxruntime provider could load ${file.path}: ${errors.join('; ')}`);
    const s = session;
    const size = file.outputShape.reduce((a, b) => a * b, 1);
    let queue: Promise<unknown> = Promise.resolve();
    return {
      name: 'onnxruntime',
      version: onnxRuntimeVersion(ort),
      provider,
      threads,
      backboneId: backbone.id,
      weightsHash: backbone.weightsHash,
      inputSize: backbone.inputSize,
      layer: file.layer,
      outputShape: file.outputShape,
      async run(batch) {
        checkBatch(batch, backbone);
        // One run at a time: each already uses every intra-op thread.
        const result = queue.then(async () => {
          if (batch.n === 0) return new Float32Array(0);
          const input = new ort.Tensor('uint8', batch.data, [batch.n, batch.height, batch.width, 3]);
          const out = (await s.run({ [file.inputName ?? ONNX_INPUT]: input }))[file.outputName ?? ONNX_OUTPUT];
          const data = out.data as Float32Array;
          if (data.length !== batch.n * size) throw new Error(`onnxruntime returned ${data.length} values for ${batch.n} images of ${file.outputShape.join('x')}`);
          return data;
        });
        queue = result.catch(() => undefined);
        return result;
      },
      async dispose() {
        await queue;
        await s.release();
      },
    };
  },
});

registerFrozenEngine({
  name: 'tfjs',
  priority: 100,
  async create(backbone, tap, opts) {
    if (backbone.frozenOnly) throw new Error(`${backbone.id} is an ONNX-only backbone (no tfjs model): it runs on onnxruntime only`);
    if (tf.engine().backendNames().length === 0) await initBackend();
    const provider = tf.getBackend();
    let threads: number | undefined;
    try {
      const info = backendInfo();
      if (info.threads != null && info.name === provider) threads = info.threads;
    } catch {
      // backend chosen outside initBackend: thread count unknown
    }
    if (opts.threads != null) opts.log?.('frozen engine tfjs: the threads option applies to onnxruntime only');
    const layer = backbone.resolveTap(tap);
    return {
      name: 'tfjs',
      version: tf.version_core,
      provider,
      ...(threads != null ? { threads } : {}),
      backboneId: backbone.id,
      weightsHash: backbone.weightsHash,
      inputSize: backbone.inputSize,
      layer,
      outputShape: outputShapeOf(backbone, layer),
      async run(batch) {
        checkBatch(batch, backbone);
        if (batch.n === 0) return new Float32Array(0);
        const t = extractTap(backbone, layer, batch);
        try {
          return (await t.data()) as Float32Array;
        } finally {
          t.dispose();
        }
      },
      async dispose() {
        // The backbone belongs to the caller.
      },
    };
  },
});
