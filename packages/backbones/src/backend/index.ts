export {
  backendInfo,
  getBackendCandidate,
  initBackend,
  listBackendCandidates,
  registerBackendCandidate,
  skippedBackends,
  unregisterBackendCandidate,
  type BackendCandidate,
  type BackendInfo,
  type InitBackendOptions,
} from './registry.js';
export { configureWasmPaths } from './wasm-paths.js';
export { registerWasmGradientKernels, WASM_GRADIENT_KERNEL_NAMES } from './wasm-kernels/register.js';
export { findWebGpuAdapter, webGpuAdapterMode, type WebGpuAdapter, type WebGpuAdapterMode } from './webgpu.js';
export { probeBackends, type BackendAttempt, type BackendProbe } from './probe.js';
export { readScalars } from './read-scalars.js';
