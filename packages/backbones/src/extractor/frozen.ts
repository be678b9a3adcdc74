import { loadBackbone, type Backbone } from '../backbones/index.js';
import { engineTapSource } from '../backbones/onnx/tap-source.js';
import type { TapSource } from '../backbones/tap-source.js';

/** Where shared backbones cache their files and report progress (a method's FitContext fits). */
type Ctx = { cacheDir?: string; log?: (message: string) => void };

const backbones = new Map<string, Promise<Backbone>>();
const sources = new Map<string, Promise<TapSource>>();

function memo<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = make();
    p.catch(() => map.delete(key));
    map.set(key, p);
  }
  return p;
}

/** A pretrained backbone, loaded once per worker per (id, input size) and shared read-only by every method. */
export function sharedBackbone(id: string, inputSize: number, ctx: Ctx): Promise<Backbone> {
  return memo(backbones, `${id}|${inputSize}`, () => loadBackbone(id, { inputSize, cacheDir: ctx.cacheDir, log: ctx.log }));
}

/**
 * Frozen tap features through the fastest engine that loads (onnxruntime, else tfjs; `UDTL_ENGINE`
 * forces one), once per worker per (backbone weights, tap). The engine's name goes into the
 * feature-cache key. `weightsHash` overrides the backbone's (e.g. for re-initialised weights).
 */
export function frozenTapSource(backbone: Backbone, tap: string, ctx: Ctx, weightsHash?: string): Promise<TapSource> {
  const hash = weightsHash ?? backbone.weightsHash;
  return memo(sources, `${backbone.id}|${backbone.inputSize}|${hash}|${tap}`, async () => ({
    ...(await engineTapSource(backbone, tap, { cacheDir: ctx.cacheDir, log: ctx.log })),
    weightsHash: hash,
  }));
}
