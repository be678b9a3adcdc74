import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm the native kernels use. */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

export function asWasm(backend: KernelBackend): WasmBackendLike {
  const b = backend as unknown as Partial<WasmBackendLike>;
  if (b.wasm?.HEAPU8 == null || b.dataIdMap == null || typeof b.makeOutput !== 'function') {
    throw new Error('@udtl/native: kernel called with a backend that is not tfjs-backend-wasm');
  }
  return b as WasmBackendLike;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function offsetOf(backend: WasmBackendLike, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data == null) throw new Error(`@udtl/native: tensor [${t.shape}] has no data on the wasm backend (disposed?)`);
  return data.memoryOffset;
}

/**
 * The heap's current ArrayBuffer. Take it after the last allocation of a kernel (makeOutput may
 * grow the wasm memory, which detaches the previous buffer), and never keep it across calls.
 */
export function heapOf(backend: WasmBackendLike): ArrayBuffer {
  return backend.wasm.HEAPU8.buffer as ArrayBuffer;
}

/** Allocates the output, runs `fill` on it (the native call), and frees the output if that throws. */
export function withOutput(backend: WasmBackendLike, shape: number[], fill: (out: TensorInfo) => void): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  try {
    fill(out);
  } catch (err) {
    backend.disposeData(out.dataId, true);
    throw err;
  }
  return out;
}
