/**
 * Every registered backbone through the conformance kit (like timm's tests over its registry): a
 * backbone a user registers gets the same checks. Backbones whose weights are not on this machine
 * are checked on their spec, and their load must fail naming what is missing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBackbone, checkBackboneSpec, getBackbone, listBackbones, loadBackbone, type Backbone, type BackboneSpec } from '../src/backbones/index.js';
import { useWasm } from './helpers/backend.js';
import { photoBatch } from './helpers/images.js';
import { removeTempDirs, tempDir } from './helpers/paths.js';

let cache: string;
beforeAll(async () => {
  await useWasm();
  cache = tempDir('conformance');
});
afterAll(() => removeTempDirs());

async function tryLoad(id: string): Promise<Backbone | Error> {
  try {
    return await loadBackbone(id, { cacheDir: cache, download: false });
  } catch (err) {
    return err as Error;
  }
}

describe.each(listBackbones())('backbone %s', (id) => {
  it('its spec conforms', () => {
    expect(() => checkBackboneSpec(getBackbone(id))).not.toThrow();
  });

  it('loaded, it conforms to its spec; without weights, loading says what is missing', async () => {
    const loaded = await tryLoad(id);
    if (loaded instanceof Error) {
      // Absent weights are an expected state (no download here); the message must say what to fetch.
      expect(loaded.message).toContain(id);
      expect(loaded.message).toMatch(/weights not found .*https?:\/\//);
      return;
    }
    try {
      const images = await photoBatch(['cat.bmp', 'coffee.png'], loaded.inputSize);
      await expect(checkBackbone(loaded, { images })).resolves.toBeUndefined();
    } finally {
      loaded.dispose();
    }
  });
});

describe('the kit can fail', () => {
  it('rejects specs that break a rule, naming the backbone', () => {
    const good: BackboneSpec = {
      id: 'kit-dummy', description: 'd', inputSize: 32, weightsSource: 'none', defaultTap: 'a',
      taps: { a: { layer: 'a', shape: [1, 1, 4] } }, load: () => Promise.reject(new Error('not loadable')),
    };
    expect(() => checkBackboneSpec(good)).not.toThrow();
    expect(() => checkBackboneSpec({ ...good, taps: { a: { layer: 'a', shape: [1, 0, 4] } } })).toThrow(/'kit-dummy': tap 'a' has shape \[1,0,4\]/);
    expect(() => checkBackboneSpec({ ...good, weightsSource: ' ' })).toThrow(/'kit-dummy': needs a weightsSource/);
    expect(() => checkBackboneSpec({ ...good, defaultTap: 'b' })).toThrow(/default tap 'b'/);
  });

  it('catches a fast path that drifts from the tap model, and a leak', async () => {
    const bb = await loadBackbone('mobilenet-v2-1.0', { cacheDir: cache, download: false });
    const images = await photoBatch(['cat.bmp', 'coffee.png']);
    try {
      const drifting = Object.assign(Object.create(bb) as Backbone, {
        extract: (x: tf.Tensor4D, tap?: string) => tf.tidy(() => tf.add(bb.extract(x, tap), 0.01) as tf.Tensor4D),
      });
      await expect(checkBackbone(drifting, { images })).rejects.toThrow(/'mobilenet-v2-1\.0': tap '\w+': extract\(\) differs from tapModel\(\)\.predict\(\) by 0\.01/);
      const kept: tf.Tensor[] = [];
      const leaking = Object.assign(Object.create(bb) as Backbone, {
        extract: (x: tf.Tensor4D, tap?: string) => {
          kept.push(tf.zeros([1]));
          return bb.extract(x, tap);
        },
      });
      await expect(checkBackbone(leaking, { images })).rejects.toThrow(/leaked \d+ tensors/);
      tf.dispose(kept);
    } finally {
      bb.dispose();
    }
  });
});
