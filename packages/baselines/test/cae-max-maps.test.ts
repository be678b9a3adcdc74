import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMethod, initBackend, syntheticImageProblem } from '@udtl/core';
import '../src/index.js';
import { tempDir } from './helpers.js';

// pixel-cae runs the same CaeProbeMethod body as zero-bias-cae without a backbone: the cheap way
// to check that caeMaxMaps caps the CAE's training maps and is recorded with the job.
beforeAll(async () => {
  await initBackend();
});

describe('caeMaxMaps', () => {
  it('caps the CAE training pool, records it in chosen(), and leaks no tensor', async () => {
    const all = syntheticImageProblem({ classes: 3, perClass: 14, seed: 1 });
    const ids = all.images.ids;
    const labelledIds = ids.slice(0, 12);
    const labelled = { ...all, images: all.images.subset(labelledIds), labels: all.labels.slice(0, 12) };
    const unlabelled = all.images.subset(ids.slice(12));
    const cacheDir = tempDir('cae-max-maps');
    const fit = async (params: Record<string, unknown>) => {
      const method = createMethod('pixel-cae', { inputSize: 32, pixelSize: 8, epochs: 1, grid: [{}], cCandidates: [1e-2], innerFolds: 2, ...params });
      const model = await method.fit({ labelled, unlabelled }, { seed: 0, cacheDir });
      const chosen = model.chosen();
      model.dispose();
      return chosen;
    };
    await fit({}); // warm-up: backend and cache
    const before = tf.memory().numTensors;
    const whole = await fit({});
    expect(whole.caeTrainingMaps).toBe(42);
    expect(whole.caePoolImages).toBe(42);
    const capped = await fit({ caeMaxMaps: 10 });
    expect(capped.caeTrainingMaps).toBe(10);
    expect(capped.caePoolImages).toBe(42);
    expect(capped.caeLossHistory).not.toEqual(whole.caeLossHistory); // trained on other maps
    expect(tf.memory().numTensors).toBe(before);
    expect(() => createMethod('pixel-cae', { caeMaxMaps: 0 })).toThrow(/caeMaxMaps/);
  }, 120_000);
});
