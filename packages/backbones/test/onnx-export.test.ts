import { mulberry32 } from '@udtl/datasets';
/**
 * The ONNX exporter on small tf.layers graphs: every supported layer type, odd map sizes (asymmetric
 * SAME padding), dilation, depth multiplier, folded and unfolded batch norm, layout changes. The
 * reference is tfjs itself (cpu backend) running the same layers: a second implementation.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { layersModelToOnnx, ONNX_EXPORTER_VERSION, probePreprocess, samePads, SUPPORTED_LAYERS } from '../src/backbones/onnx/export.js';
import { LAYER_CONVERTERS } from '../src/backbones/onnx/layer-converters.js';
import { decodeModel, onnx } from '../src/backbones/onnx/messages.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OnnxObject = any; // onnx-proto's toObject output
import type { Backbone } from '../src/backbones/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic weights. */
const rng = mulberry32;

function randomiseWeights(model: tfl.LayersModel, seed: number): void {
  const r = rng(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const short = w.originalName.split('/').pop()!;
      const n = w.shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const u = r();
        v[i] = short === 'moving_variance' ? 0.5 + 1.5 * u : short === 'gamma' ? 0.5 + u : (u - 0.5) * (short.includes('kernel') ? 0.8 : 1);
      }
      return tf.tensor(v, w.shape);
    });
    if (values.length) {
      layer.setWeights(values);
      tf.dispose(values);
    }
  }
}

/** A graph using every supported layer type; 13x13 input so stride-2 SAME pads are asymmetric. */
function testModel(): tfl.LayersModel {
  const L = tfl.layers;
  const input = tfl.input({ shape: [13, 13, 3], name: 'in' });
  const ap = <T extends tfl.SymbolicTensor | tfl.SymbolicTensor[]>(l: tfl.layers.Layer, x: T) => l.apply(x) as tfl.SymbolicTensor;
  const c1 = ap(L.conv2d({ name: 'c1', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), input); // 7x7x8
  const bn1 = ap(L.batchNormalization({ name: 'c1_bn', epsilon: 1e-3 }), c1); // not foldable (relu in between)
  const dil = ap(L.conv2d({ name: 'dil', filters: 8, kernelSize: 3, dilationRate: 2, padding: 'same' }), bn1);
  const dw = ap(L.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false }), dil); // 7x7x16
  const dwBn = ap(L.batchNormalization({ name: 'dw_bn', epsilon: 1e-3 }), dw); // folded into dw
  const r6 = ap(L.reLU({ name: 'r6', maxValue: 6 }), dwBn);
  const pw = ap(L.conv2d({ name: 'pw', filters: 16, kernelSize: 1, useBias: false }), r6);
  const add = ap(L.add({ name: 'add' }), [r6, pw]);
  const pad = ap(L.zeroPadding2d({ name: 'pad', padding: [[1, 0], [0, 1]] }), add); // 8x8x16
  const mx = ap(L.maxPooling2d({ name: 'mx', poolSize: 3, strides: 2, padding: 'same' }), pad); // 4x4
  const av = ap(L.averagePooling2d({ name: 'av', poolSize: 3, strides: 2, padding: 'same' }), pad);
  const s5 = ap(L.conv2d({ name: 's5', filters: 4, kernelSize: 2, strides: 2, padding: 'valid', activation: 'relu6' }), ap(L.activation({ name: 'sig', activation: 'sigmoid' }), pad)); // 4x4x4
  const cat = ap(L.concatenate({ name: 'cat', axis: -1 }), [mx, av, s5]); // 4x4x36
  const catBn = ap(L.batchNormalization({ name: 'cat_bn' }), cat);
  const gap = ap(L.globalAveragePooling2d({ name: 'gap' }), catBn);
  const d1 = ap(L.dense({ name: 'd1', units: 6 }), gap);
  const flat = ap(L.flatten({ name: 'flat' }), ap(L.reshape({ name: 'rs', targetShape: [8, 2, 36] }), catBn));
  const d2 = ap(L.dense({ name: 'd2', units: 6, activation: 'tanh' }), ap(L.dropout({ name: 'drop', rate: 0.5 }), flat));
  const sum = ap(L.add({ name: 'sum' }), [d1, d2]);
  const out = ap(L.softmax({ name: 'prob' }), sum);
  const model = tfl.model({ inputs: input, outputs: out, name: 'every_layer' });
  randomiseWeights(model, 7);
  return model;
}

async function runOnnx(bytes: Uint8Array, input: ort.Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = (await session.run({ images: input })).features;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

function maxRelDiff(a: Float32Array, ref: Float32Array): number {
  let maxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - ref[i]));
  }
  return maxDiff / maxAbs;
}

describe('samePads', () => {
  // TensorFlow's documented SAME rule: out = ceil(in / s), pad_total = max((out − 1)·s + k_eff − in, 0),
  // pad_before = floor(pad_total / 2), the remainder after.
  it('puts the extra pixel at the end for stride 2 on even sizes', () => {
    expect(samePads(224, 3, 2)).toEqual([0, 1]);
    expect(samePads(112, 3, 2)).toEqual([0, 1]);
  });
  it('pads symmetrically when the total is even', () => {
    expect(samePads(224, 3, 1)).toEqual([1, 1]);
    expect(samePads(7, 3, 2)).toEqual([1, 1]);
    expect(samePads(13, 3, 1, 2)).toEqual([2, 2]);
  });
  it('never pads negatively', () => {
    expect(samePads(8, 1, 2)).toEqual([0, 0]);
  });
});

describe('layersModelToOnnx', () => {
  it('matches tfjs at every supported layer type (float input, layouts converted at the boundary)', async () => {
    const model = testModel();
    const x = tf.randomUniform([3, 13, 13, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
    const xs = x.dataSync() as Float32Array;
    for (const layer of ['c1_bn', 'dil', 'add', 'cat', 'cat_bn', 'flat', 'prob']) {
      const exported = layersModelToOnnx(model, layer);
      const refT = tf.tidy(() => tfl.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tfl.SymbolicTensor }).predict(x) as tf.Tensor);
      const ref = refT.dataSync() as Float32Array;
      const got = await runOnnx(exported.bytes, new ort.Tensor('float32', xs, [3, 13, 13, 3]));
      expect(got.dims).toEqual(refT.shape);
      expect(exported.outputShape).toEqual(refT.shape.slice(1));
      expect(maxRelDiff(got.data, ref), layer).toBeLessThan(1e-5);
      refT.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('puts per-channel input scaling in the graph and takes uint8 NHWC', async () => {
    const model = testModel();
    const r = rng(3);
    const pixels = Uint8Array.from({ length: 2 * 13 * 13 * 3 }, () => Math.floor(r() * 256));
    const scale = [1 / 127.5, 1 / 100, 1 / 64];
    const bias = [-1, -0.5, 0.25];
    const exported = layersModelToOnnx(model, 'cat', { preprocess: { scale, bias } });
    const refT = tf.tidy(() => {
      const x = tf.add(tf.mul(tf.tensor4d(pixels, [2, 13, 13, 3], 'float32'), scale), bias);
      return tfl.model({ inputs: model.inputs, outputs: model.getLayer('cat').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor;
    });
    const got = await runOnnx(exported.bytes, new ort.Tensor('uint8', pixels, [2, 13, 13, 3]));
    expect(maxRelDiff(got.data, refT.dataSync() as Float32Array)).toBeLessThan(1e-5);
    refT.dispose();
    model.dispose();
  });

  it('writes the model header, typed input/output and metadata that onnxruntime and the cache read', () => {
    const model = testModel();
    const { bytes } = layersModelToOnnx(model, 'cat', { preprocess: { scale: [1, 1, 1], bias: [0, 0, 0] }, graphName: 'g', metadata: { layer: 'cat' } });
    const m = onnx.ModelProto.toObject(decodeModel(bytes), { longs: Number, arrays: true });
    expect([m.irVersion, m.producerName, m.producerVersion]).toEqual([7, '@udtl/core', `exporter ${ONNX_EXPORTER_VERSION}`]);
    expect(m.opsetImport).toEqual([{ domain: '', version: 13 }]);
    expect(m.metadataProps).toEqual([{ key: 'layer', value: 'cat' }]);
    const io = (v: OnnxObject) => [v.name, v.type.tensorType.elemType, v.type.tensorType.shape.dim.map((d: OnnxObject) => d.dimParam ?? d.dimValue)];
    expect([m.graph.name, ...m.graph.input.map(io), ...m.graph.output.map(io)]).toEqual(['g', ['images', 2, ['N', 13, 13, 3]], ['features', 1, ['N', 4, 4, 36]]]);
    // The SAME average pool excludes padding, as TensorFlow does: an INT attribute of value 0 must be written.
    const avg = m.graph.node.find((n: OnnxObject) => n.opType === 'AveragePool');
    expect(avg.attribute.find((a: OnnxObject) => a.name === 'count_include_pad')).toMatchObject({ type: 2, i: 0 });
    model.dispose();
  });

  it('has a converter for every layer type of the test graph, and each converter is exercised here or by a backbone', () => {
    const model = testModel();
    const used = new Set(model.layers.map((l) => l.getClassName()));
    model.dispose();
    expect([...used].filter((c) => !(c in LAYER_CONVERTERS))).toEqual([]);
    // Not in the test graph: MobileNetV2's ReLU6 (onnx-backbones.test.ts) and global max pooling (below).
    expect(SUPPORTED_LAYERS.filter((c) => !used.has(c))).toEqual(['UdtlReLU6', 'GlobalMaxPooling2D']);
  });

  it('matches tfjs on global max pooling', async () => {
    const input = tfl.input({ shape: [5, 5, 4] });
    const gmp = tfl.layers.globalMaxPooling2d({ name: 'gmp' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: gmp });
    const x = tf.randomUniform([2, 5, 5, 4], -1, 1, 'float32', 5);
    const refT = model.predict(x) as tf.Tensor;
    const got = await runOnnx(layersModelToOnnx(model, 'gmp').bytes, new ort.Tensor('float32', x.dataSync() as Float32Array, [2, 5, 5, 4]));
    expect(got.dims).toEqual([2, 4]);
    expect(maxRelDiff(got.data, refT.dataSync() as Float32Array)).toBeLessThan(1e-6);
    tf.dispose([x, refT]);
    model.dispose();
  });

  it('names the layer of an unsupported type', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const up = tfl.layers.upSampling2d({ name: 'my_upsampling', size: [2, 2] }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: up });
    expect(() => layersModelToOnnx(model, 'my_upsampling')).toThrow(/layer 'my_upsampling' of type UpSampling2D is not supported; supported layer types: InputLayer, Conv2D, DepthwiseConv2D, /);
    model.dispose();
  });

  it('names the layer of an unsupported activation and an unknown output layer', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const c = tfl.layers.conv2d({ name: 'elu_conv', filters: 2, kernelSize: 1, activation: 'elu' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: c });
    expect(() => layersModelToOnnx(model, 'elu_conv')).toThrow(/layer 'elu_conv' \(Conv2D\) has activation 'elu'/);
    expect(() => layersModelToOnnx(model, 'nope')).toThrow(/nope/);
    model.dispose();
  });

  it('refuses a dilated depthwise conv (tfjs-layers ignores its dilation, so the graphs would differ)', () => {
    const input = tfl.input({ shape: [8, 8, 3] });
    const c = tfl.layers.depthwiseConv2d({ name: 'dil_dw', kernelSize: 3, dilationRate: 2, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: c });
    expect(() => layersModelToOnnx(model, 'dil_dw')).toThrow(/layer 'dil_dw' \(DepthwiseConv2D\) has dilation 2x2/);
    model.dispose();
  });

  it('does not leak tensors', () => {
    const model = testModel();
    const before = tf.memory().numTensors;
    layersModelToOnnx(model, 'prob');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('probePreprocess', () => {
  const fake = (preprocess: (x: tf.Tensor4D) => tf.Tensor4D) => ({ id: 'fake', inputSize: 4, preprocess }) as unknown as Backbone;

  it('recovers x/127.5 − 1 and per-channel scalings', async () => {
    const p = await probePreprocess(fake((x) => tf.sub(tf.div(tf.cast(x, 'float32'), 127.5), 1)));
    for (let c = 0; c < 3; c++) {
      expect(p.scale[c]).toBeCloseTo(1 / 127.5, 7);
      expect(p.bias[c]).toBeCloseTo(-1, 6);
    }
    const q = await probePreprocess(fake((x) => tf.sub(tf.mul(tf.cast(x, 'float32'), [0.1, 0.2, 0.3]), [1, 2, 3])));
    expect(q.scale.map((v) => +v.toFixed(6))).toEqual([0.1, 0.2, 0.3]);
    expect(q.bias.map((v) => +v.toFixed(5))).toEqual([-1, -2, -3]);
  });

  it('rejects a preprocessing that is not affine per channel', async () => {
    await expect(probePreprocess(fake((x) => tf.sqrt(tf.cast(x, 'float32'))))).rejects.toThrow(/fake.*not a per-channel affine map/);
  });
});
