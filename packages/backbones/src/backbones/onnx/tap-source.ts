/** A frozen engine as a TapSource, so the feature cache (extractor/tapMaps) computes maps through it. */
import { backboneTapSource, type TapSource } from '../tap-source.js';
import type { Backbone } from '../types.js';
import { createFrozenEngine, engineLabel, type FrozenEngine, type FrozenEngineOptions } from './engine.js';

export interface EngineTapSource extends TapSource {
  frozenEngine: FrozenEngine;
}

/**
 * `backbone` up to `tap` on the best available engine (onnxruntime when it loads, else tfjs; see
 * createFrozenEngine). Maps come from `run`; the engine's name, version and provider go into the
 * feature-cache key. `extract` (the tfjs path) stays available for callers that want tensors.
 */
export async function engineTapSource(backbone: Backbone, tap?: string, opts: FrozenEngineOptions = {}): Promise<EngineTapSource> {
  const base = backboneTapSource(backbone, tap);
  const engine = await createFrozenEngine(backbone, base.tap, opts);
  if (engine.outputShape.length !== 3) {
    await engine.dispose();
    throw new Error(`engineTapSource: ${backbone.id} tap ${base.tap} outputs [${engine.outputShape}], not a feature map [h, w, c]`);
  }
  const [height, width, channels] = engine.outputShape;
  return {
    ...base,
    engine: engineLabel(engine),
    frozenEngine: engine,
    run: async (batch) => ({ n: batch.n, height, width, channels, data: await engine.run(batch) }),
  };
}
