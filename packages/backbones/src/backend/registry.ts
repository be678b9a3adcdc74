import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerNativeWasmKernels, type NativeKernelsRecord } from './native-kernels.js';
import { configureWasmPaths } from './wasm-paths.js';
import { initWebGpu, type WebGpuAdapter } from './webgpu.js';
import { registerWasmGradientKernels } from './wasm-kernels/register.js';

/** Which compute backend ran a result; recorded with every result. */
export interface BackendInfo {
  /** Candidate name: 'webgpu' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu' (or a registered extra). */
  name: string;
  /** Runs on a GPU (webgpu's software adapter does not). */
  gpu: boolean;
  /** webgpu only: the adapter (name, vendor, Dawn backend type, software or not). */
  adapter?: WebGpuAdapter;
  /** tfjs-core version in use. */
  tfjsVersion: string;
  /** Compute threads, where the backend tells (wasm: XNNPACK pool size; cpu: 1). */
  threads?: number;
  /** 'onednn' when @udtl/native's kernels run on this backend (wasm only). */
  native?: 'onednn';
  /** The tfjs kernels that run natively. */
  nativeKernels?: string[];
  /** oneDNN's thread count. */
  nativeThreads?: number;
}

export interface BackendCandidate {
  name: string;
  /** Higher is tried first. */
  priority: number;
  /**
   * Loads and activates the backend (tf.setBackend); throws with the reason when it can't.
   * `requested`: chosen by name (force/UDTL_BACKEND), not just tried in the chain.
   */
  init(context: { requested: boolean }): Promise<{ tfjsName: string; gpu: boolean; threads?: number; adapter?: WebGpuAdapter } & Partial<NativeKernelsRecord>>;
}

export interface InitBackendOptions {
  /** Use exactly this candidate (error if it fails). Overrides the UDTL_BACKEND environment variable. */
  force?: string;
}

const candidates = new Map<string, BackendCandidate>();

/** Adds (or replaces, by name) a backend candidate for `initBackend`. */
export function registerBackendCandidate(candidate: BackendCandidate): void {
  if (!candidate.name) throw new Error('registerBackendCandidate: a candidate needs a name');
  if (!Number.isFinite(candidate.priority)) {
    throw new Error(`registerBackendCandidate: priority of "${candidate.name}" must be a finite number`);
  }
  candidates.set(candidate.name, candidate);
}

/** Removes a candidate (mainly for tests); unknown name → error listing known ones. */
export function unregisterBackendCandidate(name: string): void {
  getBackendCandidate(name);
  candidates.delete(name);
}

/** Candidate names, highest priority first (the order `initBackend` tries them in). */
export function listBackendCandidates(): string[] {
  return [...candidates.values()].sort((a, b) => b.priority - a.priority).map((c) => c.name);
}

export function getBackendCandidate(name: string): BackendCandidate {
  const c = candidates.get(name);
  if (c == null) throw new Error(`unknown backend "${name}"; known backends: ${listBackendCandidates().join(', ')}`);
  return c;
}

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

/**
 * The directory holding tfjs-node(-gpu)'s native addon, or an Error saying why there is none. Checked
 * before importing: a failed import still registers ~200 kernels and prints a warning for each.
 */
function nativeAddonDir(pkg: string): string {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  const lib = join(root, 'lib');
  const dirs = existsSync(lib) ? readdirSync(lib).filter((d) => existsSync(join(lib, d, 'tfjs_binding.node'))) : [];
  if (dirs.length === 0) throw new Error(`${pkg} is installed without its native addon (no ${lib}/napi-v*/tfjs_binding.node)`);
  return join(lib, dirs[0]);
}

/** tfjs-node(-gpu) are optional; importing them by a computed name keeps them out of type-checking and bundles. */
async function nodeBinding(pkg: string, gpu: boolean): Promise<{ tfjsName: string; gpu: boolean }> {
  nativeAddonDir(pkg);
  await import(pkg);
  if (tf.findBackendFactory('tensorflow') == null) {
    throw new Error(`${pkg} loaded but registered no "tensorflow" backend with this copy of tfjs-core`);
  }
  await activate('tensorflow');
  return { tfjsName: 'tensorflow', gpu };
}

async function activate(tfjsName: string): Promise<void> {
  // tf.setBackend reports failure as `false` (and a console warning), not as an exception.
  if (!(await tf.setBackend(tfjsName))) throw new Error(`tf.setBackend('${tfjsName}') failed`);
  await tf.ready();
}

registerBackendCandidate({
  name: 'webgpu',
  priority: 500,
  init: ({ requested }) => initWebGpu(requested),
});
registerBackendCandidate({
  name: 'tfjs-node-gpu',
  priority: 400,
  init: () => nodeBinding('@tensorflow/tfjs-node-gpu', true),
});
registerBackendCandidate({
  name: 'tfjs-node',
  priority: 300,
  init: () => nodeBinding('@tensorflow/tfjs-node', false),
});
registerBackendCandidate({
  name: 'wasm',
  priority: 200,
  init: async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    configureWasmPaths();
    registerWasmGradientKernels();
    await activate('wasm');
    // After activation: the native kernels wrap wasm's, whose setup runs when the backend starts.
    const native = await registerNativeWasmKernels();
    return { tfjsName: 'wasm', gpu: false, threads: wasm.getThreadsCount(), ...native };
  },
});
registerBackendCandidate({
  name: 'cpu',
  priority: 100,
  init: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
    return { tfjsName: 'cpu', gpu: false, threads: 1 };
  },
});

/**
 * In Node, tfjs-core's CommonJS build registers no gradient functions (tf.grads fails with
 * "gradient function not found for Sum"); tfjs-layers' build registers all of them on import.
 */
async function ensureGradients(): Promise<void> {
  if (tf.getGradient('Sum') == null) await import('@tensorflow/tfjs-layers');
  if (tf.getGradient('Sum') == null) throw new Error('tfjs gradient functions are not registered after importing @tensorflow/tfjs-layers');
}

let current: { info: BackendInfo; tfjsName: string } | undefined;
let skipped: string[] = [];
let pending: Promise<BackendInfo> | undefined;

async function initCandidate(c: BackendCandidate, requested: boolean): Promise<BackendInfo> {
  const r = await c.init({ requested });
  const info: BackendInfo = { name: c.name, gpu: r.gpu, tfjsVersion: tf.version_core };
  if (r.adapter != null) info.adapter = r.adapter;
  if (r.threads != null) info.threads = r.threads;
  if (r.native != null) Object.assign(info, { native: r.native, nativeKernels: r.nativeKernels, nativeThreads: r.nativeThreads });
  current = { info: Object.freeze(info) as BackendInfo, tfjsName: r.tfjsName };
  return current.info;
}

async function select(requested: string | undefined, source: string): Promise<BackendInfo> {
  if (requested != null) {
    skipped = [];
    const c = getBackendCandidate(requested);
    try {
      return await initCandidate(c, true);
    } catch (err) {
      throw new Error(`backend "${requested}" (chosen by ${source}) failed to initialise: ${reason(err)}`);
    }
  }
  const failures: string[] = [];
  skipped = failures;
  for (const name of listBackendCandidates()) {
    try {
      return await initCandidate(candidates.get(name)!, false);
    } catch (err) {
      failures.push(`${name}: ${reason(err)}`);
    }
  }
  throw new Error(`no backend could be initialised:\n  ${failures.join('\n  ')}`);
}

/**
 * Activates the best available backend: `force`, else UDTL_BACKEND, else the first candidate (by
 * priority: webgpu (a real GPU; its software adapter only when asked for), tfjs-node-gpu, tfjs-node, wasm, cpu) that initialises. Idempotent: while the chosen
 * backend is still tfjs's active one, later calls (without a different `force`) return the same
 * info. On wasm it also registers the conv gradient kernels wasm lacks, and @udtl/native's oneDNN
 * kernels when that addon loads (UDTL_NATIVE=off keeps wasm's); on every backend it makes sure
 * tfjs's gradient functions are registered.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const env = process.env.UDTL_BACKEND?.trim();
  const requested = options.force ?? (env ? env : undefined);
  const source = options.force != null ? 'initBackend({ force })' : 'UDTL_BACKEND';
  if (pending != null) await pending.catch(() => undefined);
  if (current != null && tf.getBackend() === current.tfjsName && (requested == null || requested === current.info.name)) {
    return current.info;
  }
  await ensureGradients();
  pending = select(requested, source);
  try {
    return await pending;
  } finally {
    pending = undefined;
  }
}

/** The info of the backend `initBackend` activated; throws if it has not run. */
export function backendInfo(): BackendInfo {
  if (current == null) throw new Error('backendInfo(): no backend initialised yet; call `await initBackend()` first');
  return current.info;
}

/** Why each candidate above the chosen one was skipped by the last chain selection ('name: reason'); empty when one was forced. */
export function skippedBackends(): string[] {
  return skipped.slice();
}
