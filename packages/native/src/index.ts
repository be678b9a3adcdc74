export { addonUnavailableReason, defaultThreads, loadAddon, ADDON_PATH, type NativeAddon } from './addon.js';
export { convImplementation } from './kernels/conv.js';
export {
  nativeKernelCalls,
  NATIVE_KERNEL_NAMES,
  registerNativeKernels,
  unregisterNativeKernels,
  type NativeKernelsInfo,
} from './register.js';
