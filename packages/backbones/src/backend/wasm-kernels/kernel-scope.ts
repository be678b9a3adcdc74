import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/**
 * Runs other wasm kernels from inside a kernel, the way tfjs-backend-wasm's own composite kernels
 * do (call the kernelFunc directly, free intermediates with backend.disposeData). Going through
 * `tf` ops instead would create engine-tracked tensors inside a kernel, which the engine's scopes
 * and gradient tape are not meant to see.
 */
export class KernelScope {
  private readonly made: TensorInfo[] = [];

  constructor(private readonly backend: KernelBackend) {}

  run(kernelName: string, inputs: Record<string, TensorInfo> | TensorInfo[], attrs: NamedAttrMap = {}): TensorInfo {
    const config = getKernel(kernelName, 'wasm');
    if (config == null) throw new Error(`wasm kernel "${kernelName}" is not registered (needed by a udtl gradient kernel)`);
    const out = config.kernelFunc({ inputs: inputs as never, backend: this.backend, attrs });
    if (Array.isArray(out)) throw new Error(`wasm kernel "${kernelName}" returned several outputs; expected one`);
    this.made.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  /** Frees every intermediate except `keep` (reshapes share data via ref counts, so this is safe). */
  finish(keep?: TensorInfo): void {
    for (const t of this.made) if (t !== keep) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }
}

/** Runs `body` in a scope; frees all intermediates, and on error the would-be output too. */
export function withScope(backend: KernelBackend, body: (s: KernelScope) => TensorInfo): TensorInfo {
  const scope = new KernelScope(backend);
  let out: TensorInfo | undefined;
  try {
    out = body(scope);
    return out;
  } finally {
    scope.finish(out);
  }
}
