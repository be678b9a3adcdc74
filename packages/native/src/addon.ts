import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled addon's functions (addon/*.cc). Heap arguments are the wasm memory's ArrayBuffer. */
export interface NativeAddon {
  gemm(heap: ArrayBuffer, params: Float64Array): void;
  conv(heap: ArrayBuffer, params: Float64Array): void;
  convImpl(params: Float64Array): string;
  setThreads(n: number): void;
  threads(): number;
  version(): string;
}

/** build/Release/udtl_native.node, from src/ (tests) as from dist/. */
export const ADDON_PATH = join(dirname(dirname(fileURLToPath(import.meta.url))), 'build', 'Release', 'udtl_native.node');

let loaded: { addon?: NativeAddon; reason?: string } | undefined;

function load(): { addon?: NativeAddon; reason?: string } {
  if (process.env.UDTL_NATIVE?.trim().toLowerCase() === 'off') return { reason: 'disabled by UDTL_NATIVE=off' };
  if (!existsSync(ADDON_PATH)) {
    return { reason: `the addon was not built (no ${ADDON_PATH}; needs libdnnl-dev and a C++ compiler, then \`node packages/native/scripts/build-addon.mjs --force\`)` };
  }
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    addon.setThreads(defaultThreads());
    return { addon };
  } catch (err) {
    return { reason: `the addon failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * oneDNN's threads: UDTL_ENGINE_THREADS (the experiment runner sets it to cores / workers, as for
 * onnxruntime), else every core.
 */
export function defaultThreads(): number {
  const env = Number(process.env.UDTL_ENGINE_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : availableParallelism();
}

/** The addon, or an Error saying why it is unavailable (UDTL_NATIVE=off, not built, failed to load). */
export function loadAddon(): NativeAddon {
  loaded ??= load();
  if (loaded.addon == null) throw new Error(`@udtl/native: ${loaded.reason}`);
  return loaded.addon;
}

/** Why the addon is unavailable, or undefined when it loads. */
export function addonUnavailableReason(): string | undefined {
  loaded ??= load();
  return loaded.reason;
}
