import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { defaultThreads, loadAddon } from './addon.js';
import {
  conv2D,
  conv2DBackpropFilter,
  conv2DBackpropInput,
  depthwiseConv2dNative,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
  fusedConv2D,
} from './kernels/conv.js';
import { batchMatMul, fusedMatMul } from './kernels/matmul.js';
import type { NativeImpl, NativeKernelArgs } from './kernels/types.js';

/** The kernels the addon takes over from tfjs-backend-wasm, by tfjs kernel name. */
const NATIVE: Record<string, NativeImpl> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNative: depthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter,
};

export const NATIVE_KERNEL_NAMES: readonly string[] = Object.keys(NATIVE);

/** What registerNativeKernels set up; recorded with results. */
export interface NativeKernelsInfo {
  native: 'onednn';
  /** oneDNN version, e.g. "2.6.3". */
  version: string;
  threads: number;
  /** tfjs kernel names now running natively on 'wasm' (unsupported attrs fall back per call). */
  kernels: string[];
}

/** The wasm kernels ours replaced (restored by unregisterNativeKernels), by name. */
const replaced = new Map<string, KernelConfig | undefined>();
const ours = new Set<KernelFunc>();
const calls: Record<string, { native: number; fallback: number }> = {};

function wrap(kernelName: string, impl: NativeImpl, previous: KernelConfig | undefined): KernelFunc {
  const addon = loadAddon();
  const count = (calls[kernelName] ??= { native: 0, fallback: 0 });
  const kernelFunc: KernelFunc = (args) => {
    const out = impl(args as unknown as NativeKernelArgs, addon);
    if (out != null) {
      count.native++;
      return out;
    }
    if (previous == null) throw new Error(`${kernelName} on wasm: these inputs/attrs need the wasm kernel, which is not registered`);
    count.fallback++;
    return previous.kernelFunc(args) as TensorInfo | TensorInfo[];
  };
  ours.add(kernelFunc);
  return kernelFunc;
}

/**
 * Registers the oneDNN kernels for tfjs's 'wasm' backend, each replacing the wasm kernel of that
 * name (kept as the fallback for inputs the addon does not handle: prelu, non-float32, odd
 * broadcasts). Call after the wasm backend is initialised, so the replaced kernels' setup has run;
 * a replaced kernel's setupFunc is kept, so a re-initialised backend still sets them up.
 * Idempotent. Throws, saying why, when the addon is unavailable (UDTL_NATIVE=off, not built).
 */
export function registerNativeKernels(options: { threads?: number } = {}): NativeKernelsInfo {
  const addon = loadAddon();
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`registerNativeKernels: threads must be a positive integer, got ${threads}`);
  addon.setThreads(threads);
  for (const [kernelName, impl] of Object.entries(NATIVE)) {
    const existing = getKernel(kernelName, 'wasm');
    if (existing != null && ours.has(existing.kernelFunc)) continue;
    if (existing != null) unregisterKernel(kernelName, 'wasm');
    replaced.set(kernelName, existing);
    registerKernel({ kernelName, backendName: 'wasm', setupFunc: existing?.setupFunc, kernelFunc: wrap(kernelName, impl, existing) });
  }
  return { native: 'onednn', version: addon.version(), threads: addon.threads(), kernels: [...NATIVE_KERNEL_NAMES] };
}

/** Puts back the wasm kernels registerNativeKernels replaced (benchmarks and tests compare both). */
export function unregisterNativeKernels(): void {
  for (const [kernelName, previous] of replaced) {
    const existing = getKernel(kernelName, 'wasm');
    if (existing == null || !ours.has(existing.kernelFunc)) continue;
    unregisterKernel(kernelName, 'wasm');
    if (previous != null) registerKernel(previous);
  }
  replaced.clear();
}

/** Per kernel: calls that ran natively and calls left to the wasm kernel, since the process started. */
export function nativeKernelCalls(): Record<string, { native: number; fallback: number }> {
  return structuredClone(calls);
}
