import type { KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../addon.js';

export interface NativeKernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: KernelBackend;
  attrs: NamedAttrMap;
}

/** A native kernel: its output, or undefined when these inputs/attrs are left to the wasm kernel. */
export type NativeImpl = (args: NativeKernelArgs, addon: NativeAddon) => TensorInfo | undefined;

export const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
