import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBackbone, dequantize, extractTap, loadBackbone, readTflite, type Backbone } from '../src/backbones/index.js';
import { useWasm } from './helpers/backend.js';
import { photoBatch } from './helpers/images.js';
import { removeTempDirs, tempDir, V2_TFLITE } from './helpers/paths.js';
import { convAt, depthwiseAt } from './helpers/reference-conv.js';

const cache = tempDir('v2cache');
let bb: Backbone;
const logs: string[] = [];

beforeAll(async () => {
  await useWasm();
  bb = await loadBackbone('mobilenet-v2-1.0', { cacheDir: cache, log: (m) => logs.push(m) });
});
afterAll(() => {
  bb?.dispose();
  removeTempDirs();
});

describe('mobilenet-v2-1.0 classifies the reference photos', () => {
  // Expected classes: /work/shared/README.md (Coral test images; skimage's coffee).
  it('cat.bmp → Egyptian cat ≥ 0.7, bird.bmp → chickadee, coffee.png → espresso', async () => {
    const [cat, bird, coffee] = await bb.classify(await photoBatch(['cat.bmp', 'bird.bmp', 'coffee.png']), 3);
    expect(cat[0].className).toBe('Egyptian cat');
    expect(cat[0].index).toBe(286); // background offset: output 286 is ImageNet class 285
    expect(cat[0].imagenetClass).toBe(285);
    expect(cat[0].probability).toBeGreaterThanOrEqual(0.7);
    expect(bird[0].className).toBe('chickadee');
    expect(bird[0].probability).toBeGreaterThan(0.9);
    expect(coffee[0].className).toBe('espresso');
  });
});

describe('imported layers equal a direct convolution with TFLite weights (second implementation)', () => {
  it('Conv1 (3x3 stride 2 SAME) and expanded_conv_depthwise, at edges where padding matters', () => {
    const graph = readTflite(readFileSync(V2_TFLITE), V2_TFLITE);
    const [conv, dw] = graph.operators;
    const w1 = graph.tensors[conv.inputs[1]];
    const b1 = dequantize(graph.tensors[conv.inputs[2]]);
    const w2 = graph.tensors[dw.inputs[1]];
    const b2 = dequantize(graph.tensors[dw.inputs[2]]);
    const probe = tfl.model({ inputs: bb.model.inputs, outputs: ['Conv1', 'Conv1_relu', 'expanded_conv_depthwise'].map((n) => bb.model.getLayer(n).output as tfl.SymbolicTensor) });
    const pixels = tf.randomUniform([1, 224, 224, 3], 0, 256, 'int32', 7) as tf.Tensor4D;
    const x = bb.preprocess(pixels);
    const [c1, r1, d1] = probe.predict(x) as tf.Tensor4D[];
    const xv = { data: x.dataSync(), h: 224, w: 224, c: 3 };
    const c1v = c1.dataSync();
    const r1v = { data: r1.dataSync(), h: 112, w: 112, c: 32 };
    const d1v = d1.dataSync();
    for (const [oy, ox] of [[0, 0], [111, 111], [0, 111], [57, 23]]) {
      for (const oc of [0, 5, 31]) {
        expect(c1v[(oy * 112 + ox) * 32 + oc]).toBeCloseTo(convAt(xv, dequantize(w1), w1.shape, b1, 2, oy, ox, oc), 3);
        expect(d1v[(oy * 112 + ox) * 32 + oc]).toBeCloseTo(depthwiseAt(r1v, dequantize(w2), w2.shape, b2, 1, oy, ox, oc), 3);
      }
    }
    tf.dispose([pixels, x, c1, r1, d1]);
  });
});

describe('taps', () => {
  it('default block_16_project is 7x7x320 (linear projection: takes negative values); out_relu is 7x7x1280 in [0, 6]', async () => {
    expect(bb.defaultTap).toBe('block_16_project');
    const batch = await photoBatch(['cat.bmp', 'coffee.png']);
    const before = tf.memory().numTensors;
    const proj = extractTap(bb, undefined, batch);
    const relu = extractTap(bb, 'out_relu', batch);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(proj.shape).toEqual([2, 7, 7, 320]);
    expect(relu.shape).toEqual([2, 7, 7, 1280]);
    expect(bb.tapShape('last_conv')).toEqual([7, 7, 1280]);
    const [projMin, reluMin, reluMax] = tf.tidy(() => [tf.min(proj), tf.min(relu), tf.max(relu)].map((t) => t.dataSync()[0]));
    expect(projMin).toBeLessThan(0);
    expect(reluMin).toBeGreaterThanOrEqual(0);
    expect(reluMax).toBeLessThanOrEqual(6);
    // Any layer name works as a tap.
    expect(bb.tapShape('block_13_expand')).toEqual([14, 14, 576]);
    tf.dispose([proj, relu]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('conforms to its spec, the fused path equal to the tf.layers graph at every kind of tap', async () => {
    const extraTaps = ['Conv1', 'Conv1_relu', 'block_2_add', 'block_13_expand_relu', 'Logits'];
    const images = await photoBatch(['bird.bmp', 'cat.bmp']);
    await expect(checkBackbone(bb, { images, extraTaps })).resolves.toBeUndefined();
  });

  it('tap models share the classifier variables and are trainable', () => {
    const tapVars = bb.tapModel('block_16_project').trainableWeights.map((w) => w.read());
    const all = new Set(bb.model.trainableWeights.map((w) => w.read()));
    expect(tapVars.length).toBeGreaterThan(100);
    expect(tapVars.every((v) => all.has(v))).toBe(true);
  });

  it('an unknown tap or wrongly shaped images give clear errors', () => {
    expect(() => bb.tapModel('nope')).toThrow(/unknown tap 'nope'; taps: block_16_project, out_relu, last_conv/);
    const bad = tf.zeros([1, 100, 100, 3]) as tf.Tensor4D;
    expect(() => extractTap(bb, undefined, bad)).toThrow(/expected images of shape \[n, 224, 224, 3\], got \[1, 100, 100, 3\]/);
    expect(() => extractTap(bb, undefined, { ids: ['a'], data: new Uint8Array(10), n: 1, height: 224, width: 224, channels: 3 })).toThrow(/expected 1x224x224x3 = 150528 bytes, got 10/);
    bad.dispose();
  });
});

describe('model cache and weight files', () => {
  it('the second load reads the cache and gives the same features', async () => {
    const dirs = readdirSync(join(cache, 'backbones'));
    expect(dirs).toHaveLength(1);
    expect(existsSync(join(cache, 'backbones', dirs[0], 'weights.bin'))).toBe(true);
    const again = await loadBackbone('mobilenet-v2-1.0', { cacheDir: cache });
    const batch = await photoBatch(['bird.bmp']);
    const a = extractTap(bb, undefined, batch);
    const b = extractTap(again, undefined, batch);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
    expect(again.weightsHash).toBe(bb.weightsHash);
    tf.dispose([a, b]);
    again.dispose();
  });

  it('a corrupt cache is detected and rebuilt', async () => {
    const dir = join(cache, 'backbones', readdirSync(join(cache, 'backbones'))[0]);
    const weights = readFileSync(join(dir, 'weights.bin'));
    writeFileSync(join(dir, 'weights.bin'), weights.subarray(0, 1000));
    const seen: string[] = [];
    const rebuilt = await loadBackbone('mobilenet-v2-1.0', { cacheDir: cache, log: (m) => seen.push(m) });
    expect(seen.join('\n')).toMatch(/ignoring corrupt model cache .*checksum mismatch/);
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(weights.byteLength);
    const [top] = await rebuilt.classify(await photoBatch(['coffee.png']), 1);
    expect(top[0].className).toBe('espresso');
    rebuilt.dispose();
  });

  it('a missing or truncated model file fails naming the file', async () => {
    const models = tempDir('v2models');
    await expect(loadBackbone('mobilenet-v2-1.0', { modelsDir: models, cacheDir: cache, download: false })).rejects.toThrow(/MobileNetV2 weights not found: .*mobilenet_v2_1\.0_224_quant\.tflite/);
    mkdirSync(join(models, 'mobilenet_v2_1.0_224_quant'));
    const target = join(models, 'mobilenet_v2_1.0_224_quant', 'mobilenet_v2_1.0_224_quant.tflite');
    writeFileSync(target, readFileSync(V2_TFLITE).subarray(0, 2_000_000));
    await expect(loadBackbone('mobilenet-v2-1.0', { modelsDir: models, cacheDir: cache })).rejects.toThrow(/mobilenet_v2_1\.0_224_quant\.tflite: sha256 .* does not match/);
    copyFileSync(V2_TFLITE, target); // the right file but no labels file beside it: generic class names
    const unlabelled = await loadBackbone('mobilenet-v2-1.0', { modelsDir: models, cacheDir: cache });
    expect(unlabelled.classNames[286]).toBe('imagenet_285');
    unlabelled.dispose();
  });

  it('loads at another input size with the pools kept global', async () => {
    const small = await loadBackbone('mobilenet-v2-1.0', { cacheDir: cache, inputSize: 160 });
    expect(small.tapShape()).toEqual([5, 5, 320]);
    const [top] = await small.classify(await photoBatch(['coffee.png'], 160), 1);
    expect(top[0].className).toBe('espresso');
    small.dispose();
  });
});
