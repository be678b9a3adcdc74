/**
 * ONNX files as frozen backbones. References: a hand computation on a tiny NCHW/BGR graph written
 * here through onnx-proto (the rewriter never sees how it was built), and tfjs's own
 * MobileNet v1 0.25 for the same network exported to ONNX (a second implementation).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { getResource, mulberry32, type ImageBatch } from '@udtl/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { extractTap, getBackbone, listBackbones, loadBackbone, type Backbone } from '../src/backbones/index.js';
import {
  buildTapGraph, createFrozenEngine, layersModelToOnnx, parseOnnxModel, registerOnnxBackbone, type OnnxBackboneOptions,
} from '../src/backbones/onnx/index.js';
import { DataType, decodeModel, encodeModel, floatTensor, node, onnx, tensorValueInfo } from '../src/backbones/onnx/messages.js';
import { frozenTapSource } from '../src/extractor/frozen.js';

const dir = mkdtempSync(join(tmpdir(), 'udtl-onnx-file-'));
const cache = join(dir, 'cache');
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function randomBatch(n: number, size: number, seed: number): ImageBatch {
  const r = mulberry32(seed);
  const data = new Uint8Array(n * size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
  return { ids: Array.from({ length: n }, (_, i) => `img-${i}`), n, height: size, width: size, channels: 3, data };
}

function register(overrides: Partial<OnnxBackboneOptions> & Pick<OnnxBackboneOptions, 'id'>): void {
  registerOnnxBackbone({
    description: 'test', inputSize: 4, layout: 'nchw', licence: 'test',
    preprocessing: { channelOrder: 'bgr', mean: [104, 117, 123], std: [2, 4, 8] },
    taps: { conv: { node: 'conv_out', shape: [4, 3, 2] } }, defaultTap: 'conv',
    file: join(dir, 'tiny.onnx'),
    ...overrides,
  }, { override: true });
}

// Tiny classifier: data_0 [N, 3, 4, 4] → Conv 2x3x1x2 (kernel 1 high, 2 wide: tells rows from columns) → Relu.
const S = 4;
const W = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => ((i * 7) % 11) / 10 - 0.45); // [k][c][0][j]
const B = Float32Array.of(0.25, -0.5);
const MEAN = [104, 117, 123];
const STD = [2, 4, 8];

beforeAll(async () => {
  await initBackend({ force: 'wasm' });
  writeFileSync(join(dir, 'tiny.onnx'), encodeModel({
    // Like the zoo's AlexNet: opset 8, weights listed among the graph inputs too (IR < 4 style).
    irVersion: 3, producerName: 'test', opsetImport: [{ domain: '', version: 8 }],
    graph: {
      name: 'tiny',
      node: [
        node('Conv', ['data_0', 'w', 'b'], ['conv_out'], 'conv', { kernel_shape: [1, 2] }),
        node('Relu', ['conv_out'], ['relu_out'], 'relu'),
      ],
      initializer: [floatTensor('w', [2, 3, 1, 2], W), floatTensor('b', [2], B)],
      input: [
        tensorValueInfo('data_0', DataType.FLOAT, ['N', 3, S, S]),
        tensorValueInfo('w', DataType.FLOAT, [2, 3, 1, 2]),
        tensorValueInfo('b', DataType.FLOAT, [2]),
      ],
      output: [tensorValueInfo('relu_out', DataType.FLOAT, ['N', 2, S, S - 1])],
    },
  }));
  register({ id: 'test-tiny-bgr' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a third-party NCHW, BGR, mean/std model', () => {
  it('taps an intermediate tensor as NHWC maps equal to a hand computation', async () => {
    const bb = await loadBackbone('test-tiny-bgr');
    const batch = randomBatch(2, S, 5);
    // Hand computation: model channel c is image channel 2 - c (BGR); (x - mean) / std; 1x2 conv over columns.
    const px = (n: number, h: number, w: number, c: number) => (batch.data[((n * S + h) * S + w) * 3 + (2 - c)] - MEAN[c]) / STD[c];
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) for (let h = 0; h < S; h++) for (let w = 0; w < S - 1; w++) {
      for (let k = 0; k < 2; k++) {
        let v = B[k];
        for (let c = 0; c < 3; c++) for (let j = 0; j < 2; j++) v += W[(k * 3 + c) * 2 + j] * px(n, h, w + j, c);
        expected.push(v);
      }
    }
    const engine = await createFrozenEngine(bb, undefined, { engine: 'onnxruntime', cacheDir: cache, threads: 1 });
    try {
      expect(engine.outputShape).toEqual([S, S - 1, 2]);
      expect(engine.weightsHash).toBe(sha(join(dir, 'tiny.onnx')));
      const got = Array.from(await engine.run(batch));
      expect(got).toHaveLength(expected.length);
      got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
      expect(expected.some((v) => v < 0)).toBe(true); // the tap is before the Relu
    } finally {
      await engine.dispose();
    }
    // preprocess() (tfjs, for callers that want tensors) does the same arithmetic.
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(batch.data, [2, S, S, 3], 'int32');
    const pre = bb.preprocess(x);
    expect(pre.dataSync()[((1 * S + 2) * S + 3) * 3 + 1]).toBeCloseTo(px(1, 2, 3, 1), 5);
    tf.dispose([x, pre]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('cuts the decoded model without copying its weights, keeping only those the tap reads', () => {
    const file = readFileSync(join(dir, 'tiny.onnx'));
    const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
    const parsed = parseOnnxModel(bytes, 'tiny.onnx');
    expect(parsed.opset).toBe(8);
    const w = parsed.graph.initializer?.find((t) => t.name === 'w')?.rawData as Uint8Array;
    expect(w.buffer).toBe(bytes.buffer); // a view into the file's bytes, not a copy
    expect(new Float32Array(w.slice().buffer)).toEqual(W);
    const cutAt = (tap: string) => onnx.ModelProto.toObject(decodeModel(buildTapGraph(bytes, {
      layout: 'nchw', inputSize: S, tap, source: 'tiny.onnx', preprocessing: { channelOrder: 'rgb', mean: [0, 0, 0] },
    }).bytes), { arrays: true });
    const names = (list: Array<{ name: string }>) => list.map((x) => x.name);
    const cut = cutAt('conv_out');
    expect(cut.graph.node.map((n: { opType: string }) => n.opType)).toEqual(['Cast', 'Constant', 'Mul', 'Constant', 'Add', 'Transpose', 'Conv', 'Transpose']);
    expect([names(cut.graph.input), names(cut.graph.output)]).toEqual([['udtl_images', 'w', 'b'], ['udtl_features']]);
    expect([cut.graph.name, cut.producerName, names(cut.graph.initializer)]).toEqual(['tiny', 'test', ['w', 'b']]);
    // Cut at the image input: no node reads the weights, so they go.
    const atInput = cutAt('data_0');
    expect([names(atInput.graph.initializer), names(atInput.graph.input)]).toEqual([[], ['udtl_images']]);
  });

  it('is frozen-only: no tfjs model, no tfjs engine, clear messages', async () => {
    const bb = await loadBackbone('test-tiny-bgr');
    expect(bb.frozenOnly).toBe(true);
    expect(getBackbone('test-tiny-bgr').frozenOnly).toBe(true);
    expect(() => bb.model).toThrow(/test-tiny-bgr is an ONNX-only frozen backbone.*fine-tuned.*need a tfjs backbone such as mobilenet-v2-1.0/);
    await expect(createFrozenEngine(bb, undefined, { engine: 'tfjs', cacheDir: cache })).rejects.toThrow(/ONNX-only backbone .* onnxruntime only/);
  });

  it('rejects a missing file, a wrong sha256, corrupt or truncated files and unknown taps, naming them', async () => {
    register({ id: 'test-missing', file: join(dir, 'nope.onnx') });
    await expect(loadBackbone('test-missing')).rejects.toThrow(`ONNX model file not found: ${join(dir, 'nope.onnx')}`);
    register({ id: 'test-badsha', sha256: '0'.repeat(64) });
    await expect(loadBackbone('test-badsha')).rejects.toThrow(/tiny\.onnx: sha256 [0-9a-f]{64} does not match the expected 0{64} of test-badsha/);
    writeFileSync(join(dir, 'noise.onnx'), Uint8Array.from(randomBatch(1, 16, 3).data));
    register({ id: 'test-noise', file: join(dir, 'noise.onnx') });
    await expect(loadBackbone('test-noise')).rejects.toThrow(/noise\.onnx: not a readable ONNX model .*truncated or corrupt/);
    writeFileSync(join(dir, 'cut.onnx'), readFileSync(join(dir, 'tiny.onnx')).subarray(0, 100));
    register({ id: 'test-cut', file: join(dir, 'cut.onnx') });
    await expect(loadBackbone('test-cut')).rejects.toThrow(/cut\.onnx: not a readable ONNX model/);
    register({ id: 'test-badtap', taps: { conv: { node: 'conv5', shape: [1, 1, 1] } } });
    await expect(loadBackbone('test-badtap')).rejects.toThrow(/tap 'conv' names tensor 'conv5', which .*tiny\.onnx does not have; its tensors: conv_out, relu_out/);
    const bb = await loadBackbone('test-tiny-bgr');
    expect(() => bb.resolveTap('pool9')).toThrow(/unknown tap 'pool9'; taps: conv; or one of its 2 graph tensors: conv_out, relu_out/);
    await expect(createFrozenEngine(bb, 'pool9', { cacheDir: cache })).rejects.toThrow(/unknown tap 'pool9'/);
    expect(() => registerOnnxBackbone({ ...baseOptions(), id: 'test-bad-layout', layout: 'nwhc' as 'nchw' })).toThrow(/layout must be 'nchw' or 'nhwc', got "nwhc"/);
  });
});

function baseOptions(): OnnxBackboneOptions {
  return {
    id: 'x', description: 'test', inputSize: 4, layout: 'nchw', licence: 'test', file: join(dir, 'tiny.onnx'),
    preprocessing: { channelOrder: 'rgb', mean: [0, 0, 0] }, taps: { conv: { node: 'conv_out', shape: [4, 3, 2] } }, defaultTap: 'conv',
  };
}

describe('MobileNet v1 0.25 exported to ONNX and served back as an ONNX-file backbone', () => {
  let v1: Backbone;
  beforeAll(async () => {
    v1 = await loadBackbone('mobilenet-v1-0.25');
    // A whole classifier, float NHWC input, no preprocessing inside: what a tf2onnx-style export looks like.
    writeFileSync(join(dir, 'mnv1.onnx'), layersModelToOnnx(v1.model, 'act_softmax').bytes);
    registerOnnxBackbone({
      id: 'test-mnv1-onnx', description: 'test', file: join(dir, 'mnv1.onnx'), inputSize: 224, licence: 'Apache-2.0',
      layout: 'nhwc', tapLayout: 'nchw', // the exporter keeps conv activations channels-first inside
      preprocessing: { channelOrder: 'rgb', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] }, // = x / 127.5 - 1
      taps: { pw5: { node: 'conv_pw_5_relu', shape: [28, 28, 64] } }, defaultTap: 'pw5',
    }, { override: true });
  });
  afterAll(() => v1?.dispose());

  it('gives the tfjs backbone\'s maps at an intermediate node, through frozenTapSource, keyed by the file\'s sha256 and tap', async () => {
    const bb = await loadBackbone('test-mnv1-onnx');
    const logs: string[] = [];
    const source = await frozenTapSource(bb, 'pw5', { cacheDir: cache, log: (m) => logs.push(m) });
    expect([source.backboneId, source.weightsHash, source.tap]).toEqual(['test-mnv1-onnx', sha(join(dir, 'mnv1.onnx')), 'pw5']);
    expect(source.engine).toMatch(/^onnxruntime /);
    expect(logs.join('\n')).toMatch(/cut .*mnv1\.onnx at 'conv_pw_5_relu' \(\d+ nodes kept\)/);
    const batch = randomBatch(2, 224, 11);
    const maps = await source.run!(batch);
    expect([maps.n, maps.height, maps.width, maps.channels]).toEqual([2, 28, 28, 64]);
    const before = tf.memory().numTensors;
    const ref = extractTap(v1, 'conv_pw_5_relu', batch);
    const want = ref.dataSync();
    ref.dispose();
    expect(tf.memory().numTensors).toBe(before);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(maps.data[i] - want[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(Math.max(...want)).toBeGreaterThan(1); // not trivially zero maps
    expect(bb.tapShape('pw5')).toEqual([28, 28, 64]);
  });

  it('reuses the cut graph while its sidecar verifies, and rewrites it when the cached file is corrupt', async () => {
    const bb = await loadBackbone('test-mnv1-onnx');
    const first = await bb.onnxGraph!('pw5', { cacheDir: cache });
    const logs: string[] = [];
    const again = await bb.onnxGraph!('pw5', { cacheDir: cache, log: (m) => logs.push(m) });
    expect(again.file.path).toBe(first.file.path);
    expect(logs).toEqual([]);
    // Only what the tap needs is kept: the cut graph is smaller than the whole classifier.
    expect(first.bytes.length).toBeLessThan(readFileSync(join(dir, 'mnv1.onnx')).length);
    writeFileSync(first.file.path, first.bytes.subarray(0, 1000));
    const rebuilt = await bb.onnxGraph!('pw5', { cacheDir: cache, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toMatch(/not trustworthy \(sha256 .* does not match the sidecar's/);
    expect(sha(rebuilt.file.path)).toBe(first.file.sha256);
  });
});

describe('alexnet, the paper\'s backbone', () => {
  it('is registered with the ONNX model zoo file\'s exact URL, size, sha256 and licence', () => {
    expect(listBackbones()).toContain('alexnet');
    const spec = getBackbone('alexnet');
    expect([spec.frozenOnly, spec.defaultTap, spec.inputSize, spec.taps.pool5.layer, spec.taps.pool5.shape]).toEqual([true, 'pool5', 224, 'pool5_1', [6, 6, 256]]);
    const r = getResource('alexnet');
    expect(r.licence).toBe('BSD-3-Clause');
    expect(r.files).toEqual([{
      name: 'bvlcalexnet-8.onnx',
      url: 'https://github.com/onnx/models/raw/main/validated/vision/classification/alexnet/model/bvlcalexnet-8.onnx',
      size: 243863542,
      sha256: '9a4dc22fd706a19462aaec3b08e027e0ef89daf63d123824f20b59b6de9a727b',
    }]);
  });

  it('without the file, load fails naming the URL and where to put it (no download, offline)', async () => {
    const models = join(dir, 'models');
    const url = 'https://github.com/onnx/models/raw/main/validated/vision/classification/alexnet/model/bvlcalexnet-8.onnx';
    const err = await loadBackbone('alexnet', { modelsDir: models, cacheDir: cache, download: false }).catch((e: Error) => e);
    expect((err as Error).message).toContain(url);
    expect((err as Error).message).toContain(`into ${join(models, 'bvlcalexnet-8')}`);
    // Downloading with no network (a closed local port stands in for the host): same advice.
    const saved = process.env.UDTL_FETCH_BASE_URL;
    process.env.UDTL_FETCH_BASE_URL = 'http://127.0.0.1:9';
    try {
      const offline = await loadBackbone('alexnet', { modelsDir: models, cacheDir: cache }).catch((e: Error) => e);
      expect((offline as Error).message).toMatch(/download of .* \(for https:\/\/github\.com\/onnx\/models\/raw\/main\/.*bvlcalexnet-8\.onnx\) failed/);
      expect((offline as Error).message).toContain(`put the files into ${join(models, 'bvlcalexnet-8')}`);
    } finally {
      if (saved === undefined) delete process.env.UDTL_FETCH_BASE_URL;
      else process.env.UDTL_FETCH_BASE_URL = saved;
    }
  });
});
