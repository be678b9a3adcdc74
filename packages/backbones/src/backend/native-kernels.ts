/** The optional oneDNN kernels of @udtl/native on the wasm backend (see packages/native). */

/** What a backend records about native kernels, when some run. */
export interface NativeKernelsRecord {
  /** The native library: 'onednn'. */
  native: 'onednn';
  /** tfjs kernels that run natively (the wasm kernel still handles attrs the addon lacks, e.g. prelu). */
  nativeKernels: string[];
  /** oneDNN's threads: UDTL_ENGINE_THREADS (cores per worker), else every core. */
  nativeThreads: number;
}

let saidWhy = false;

/**
 * Registers @udtl/native's kernels for the initialised wasm backend. Without the addon (not built,
 * no libdnnl, UDTL_NATIVE=off) the wasm kernels stay, and the reason is printed once per process
 * (not for UDTL_NATIVE=off, which is a choice).
 */
export async function registerNativeWasmKernels(): Promise<NativeKernelsRecord | undefined> {
  try {
    const { registerNativeKernels } = await import('@udtl/native');
    const r = registerNativeKernels();
    return { native: r.native, nativeKernels: r.kernels, nativeThreads: r.threads };
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    if (!saidWhy && !/UDTL_NATIVE=off/.test(reason)) {
      console.warn(`udtl: training uses tfjs-wasm's kernels; oneDNN kernels unavailable (${reason})`);
    }
    saidWhy = true;
    return undefined;
  }
}
