import { getKernel, registerKernel, unregisterKernel, type KernelFunc } from '@tensorflow/tfjs-core';
import {
  conv2DBackpropFilter,
  conv2DBackpropInput,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
} from './conv2d.js';

/** Gradient kernels tfjs-backend-wasm 4.22 lacks; without them conv training fails on wasm. */
const MISSING: Record<string, KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput,
};

/**
 * wasm has its own Conv2DBackpropInput, a direct loop; ours runs through XNNPACK's Conv2D and was
 * 2-4x faster (dy 16x7x7x2048 → 320 channels, 3x3: ~2 s vs 7-10 s; 16x56x56x32 stride 2, 64
 * filters: ~0.25 s vs ~0.6 s, on the shared 2-core machine), so it replaces wasm's.
 */
const REPLACED: Record<string, KernelFunc> = {
  Conv2DBackpropInput: conv2DBackpropInput,
};

export const WASM_GRADIENT_KERNEL_NAMES: readonly string[] = [...Object.keys(MISSING), ...Object.keys(REPLACED)];

const ours = new Set<KernelFunc>([...Object.values(MISSING), ...Object.values(REPLACED)]);

/**
 * Registers the udtl conv gradient kernels for the 'wasm' backend. Idempotent; a kernel that some
 * other code already registered for wasm is left alone (except the replaced one above). Returns
 * the names this call registered.
 */
export function registerWasmGradientKernels(): string[] {
  const added: string[] = [];
  for (const [kernelName, kernelFunc] of Object.entries(MISSING)) {
    if (getKernel(kernelName, 'wasm') != null) continue;
    registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    added.push(kernelName);
  }
  for (const [kernelName, kernelFunc] of Object.entries(REPLACED)) {
    const existing = getKernel(kernelName, 'wasm');
    if (existing != null && ours.has(existing.kernelFunc)) continue;
    if (existing != null) unregisterKernel(kernelName, 'wasm');
    registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    added.push(kernelName);
  }
  return added;
}
