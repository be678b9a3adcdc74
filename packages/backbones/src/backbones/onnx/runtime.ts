/**
 * onnxruntime-node, loaded on first use so that a machine without its native binary still runs
 * everything on tfjs. The CUDA provider is used only where its libraries were installed (the npm
 * package ships the CPU provider; `ONNXRUNTIME_NODE_INSTALL=cuda12` at install adds CUDA).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type OnnxRuntime = typeof import('onnxruntime-node');

let loaded: Promise<OnnxRuntime> | undefined;

/** The onnxruntime-node module; rejects with the reason when its native binding cannot load. */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  loaded ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: OnnxRuntime }).default ?? m) as OnnxRuntime,
    (err: unknown) => {
      loaded = undefined;
      throw new Error(`onnxruntime-node cannot be loaded: ${(err as Error).message?.split('\n')[0] ?? String(err)}`);
    },
  );
  return loaded;
}

/** Version of the onnxruntime-node binding in use. */
export function onnxRuntimeVersion(ort: OnnxRuntime): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
}

/** Whether the CUDA execution provider's library sits beside the binding (it is a separate download). */
export function cudaProviderInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    return readdirSync(join(root, 'bin')).some((napi) => {
      const bin = join(root, 'bin', napi, process.platform, process.arch);
      return existsSync(join(bin, 'libonnxruntime_providers_cuda.so')) || existsSync(join(bin, 'onnxruntime_providers_cuda.dll'));
    });
  } catch {
    return false;
  }
}
