import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imagesRoot } from '@udtl/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { convKernelToTfjs, depthwiseKernelToTfjs, dequantize, importMobilenetV2, mobilenetV2LayerNames, readTflite, tfliteToLayersModel } from '../src/backbones/index.js';
import { convOptions, depthwiseOptions, poolOptions, type TfliteModel, type TfliteTensor } from '../src/backbones/tflite/schema.js';
import { useWasm } from './helpers/backend.js';
import { V2_TFLITE } from './helpers/paths.js';

const bytes = readFileSync(V2_TFLITE);

beforeAll(useWasm);

describe('TFLite flatbuffer reader on mobilenet_v2_1.0_224_quant.tflite', () => {
  // Expected facts: /work/shared/README.md, "as read with flatc".
  const model = readTflite(bytes, V2_TFLITE);

  it('finds the 66 operators flatc lists, by type', () => {
    const counts: Record<string, number> = {};
    for (const op of model.operators) counts[op.op] = (counts[op.op] ?? 0) + 1;
    expect(model.operators).toHaveLength(66);
    expect(counts).toEqual({ CONV_2D: 36, DEPTHWISE_CONV_2D: 17, ADD: 10, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 });
  });

  it('reads options: SAME everywhere, stride 2 in the first conv and in four depthwise convs, 7x7 VALID pool', () => {
    const convs = model.operators.filter((o) => o.op === 'CONV_2D').map(convOptions);
    const dws = model.operators.filter((o) => o.op === 'DEPTHWISE_CONV_2D').map(depthwiseOptions);
    expect([...convs, ...dws].every((o) => o.padding === 'SAME')).toBe(true);
    expect(convs.map((o) => o.strideH)).toEqual([2, ...Array(35).fill(1)]);
    expect(dws.filter((o) => o.strideH === 2 && o.strideW === 2)).toHaveLength(4);
    expect(dws.every((o) => o.depthMultiplier === 1)).toBe(true);
    const pool = poolOptions(model.operators.find((o) => o.op === 'AVERAGE_POOL_2D')!);
    expect(pool).toMatchObject({ padding: 'VALID', filterH: 7, filterW: 7 });
    // ReLU6 is fused in every conv except the projections (no depthwise follows and the next op is not an expansion).
    expect(convOptions(model.operators[0]).activation).toBe('RELU6');
    expect(convOptions(model.operators[2]).activation).toBe('NONE'); // expanded_conv/project
  });

  it('reads tensors: uint8 input with real = q/128 − 1, conv weights [out,kh,kw,in], int32 biases', () => {
    const input = model.tensors[model.inputs[0]];
    expect(input.shape).toEqual([1, 224, 224, 3]);
    expect(input.type).toBe('UINT8');
    expect(input.quantization?.scale[0]).toBeCloseTo(1 / 128, 10);
    expect(input.quantization?.zeroPoint[0]).toBe(128);
    const [x, w, b] = model.operators[0].inputs.map((i) => model.tensors[i]);
    expect(x).toBe(input);
    expect(w.shape).toEqual([32, 3, 3, 3]);
    expect(w.type).toBe('UINT8');
    expect(b.type).toBe('INT32');
    // Bias scale = input scale × weight scale (TFLite's quantization spec).
    expect(b.quantization!.scale[0]).toBeCloseTo(input.quantization!.scale[0] * w.quantization!.scale[0], 9);
    expect(model.tensors[model.outputs[0]].shape).toEqual([1, 1001]);
  });

  it('names layers like Keras MobileNetV2', () => {
    const names = mobilenetV2LayerNames(model.operators);
    expect(new Set(names).size).toBe(66);
    expect(names.slice(0, 4)).toEqual(['Conv1', 'expanded_conv_depthwise', 'expanded_conv_project', 'block_1_expand']);
    expect(names).toContain('block_16_project');
    expect(names).toContain('block_2_add');
    expect(names.slice(-5)).toEqual(['Conv_1', 'global_average_pooling2d', 'Logits', 'Logits_flatten', 'Predictions']);
  });
});

describe('bad files', () => {
  it('a truncated TFLite file fails naming the file', () => {
    const cut = bytes.subarray(0, 1_000_000);
    expect(() => importMobilenetV2(cut, '/x/cut.tflite')).toThrow(/\/x\/cut\.tflite: truncated or corrupt flatbuffer/);
  });

  it('a file that is not TFLite fails naming the file and the identifier', () => {
    const png = readFileSync(join(imagesRoot(), 'coffee.png'));
    expect(() => readTflite(png, 'coffee.png')).toThrow(/coffee\.png: not a TFLite model .*expected "TFL3"/);
    expect(() => readTflite(new Uint8Array(3), 'tiny')).toThrow(/tiny: not a TFLite model/);
  });

  it('an unsupported operator is named in the error', () => {
    const t = (index: number, shape: number[]): TfliteTensor => ({ index, name: `t${index}`, shape, type: 'FLOAT32' });
    const graph: TfliteModel = {
      version: 3, description: '', inputs: [0], outputs: [1],
      tensors: [t(0, [1, 4, 4, 3]), t(1, [1, 4, 4, 3])],
      operators: [{ index: 0, op: 'HARD_SWISH', inputs: [0], outputs: [1] }],
    };
    expect(() => tfliteToLayersModel(graph, { source: 'm.tflite' })).toThrow(/m\.tflite: operator 0 \(HARD_SWISH\): unsupported TFLite operator HARD_SWISH; supported: CONV_2D/);
  });
});

describe('dequantize', () => {
  // Expected values computed by hand from real = scale·(q − zero_point).
  it('uint8 with one scale and zero point per tensor', () => {
    const t: TfliteTensor = { index: 0, name: 'w', shape: [4], type: 'UINT8', data: new Uint8Array([0, 128, 130, 255]), quantization: { scale: [0.5], zeroPoint: [128], quantizedDimension: 0 } };
    expect(Array.from(dequantize(t))).toEqual([-64, 0, 1, 63.5]);
  });

  it('int8 per channel along quantized_dimension 0', () => {
    const data = new Uint8Array(new Int8Array([-128, 1, 127, 2, -2, 0]).buffer);
    const t: TfliteTensor = { index: 0, name: 'w', shape: [3, 2], type: 'INT8', data, quantization: { scale: [1, 0.5, 0.25], zeroPoint: [0, 1, -2], quantizedDimension: 0 } };
    expect(Array.from(dequantize(t))).toEqual([-128, 1, 63, 0.5, 0, 0.5]);
  });

  it('int8 per channel along the last dimension (depthwise layout)', () => {
    const data = new Uint8Array(new Int8Array([10, 10, 10, -4, -4, -4]).buffer);
    const t: TfliteTensor = { index: 0, name: 'dw', shape: [1, 2, 3], type: 'INT8', data, quantization: { scale: [1, 2, 4], zeroPoint: [0, 0, 0], quantizedDimension: 2 } };
    expect(Array.from(dequantize(t))).toEqual([10, 20, 40, -4, -8, -16]);
  });

  it('int32 biases and float32 pass through; a size mismatch names the tensor', () => {
    const i32: TfliteTensor = { index: 0, name: 'b', shape: [2], type: 'INT32', data: new Uint8Array(new Int32Array([-400, 1000]).buffer), quantization: { scale: [0.001], zeroPoint: [0], quantizedDimension: 0 } };
    const out = dequantize(i32);
    expect(out[0]).toBeCloseTo(-0.4, 6);
    expect(out[1]).toBeCloseTo(1, 6);
    const f32: TfliteTensor = { index: 1, name: 'f', shape: [2], type: 'FLOAT32', data: new Uint8Array(new Float32Array([1.5, -2]).buffer) };
    expect(Array.from(dequantize(f32))).toEqual([1.5, -2]);
    expect(() => dequantize({ ...f32, shape: [3] }, 'm.tflite')).toThrow(/m\.tflite: tensor 1 \(f\) of shape \[3\] FLOAT32 needs 12 bytes, buffer has 8/);
  });
});

describe('weight layouts', () => {
  it('conv [out,kh,kw,in] → [kh,kw,in,out] keeps every element', () => {
    const shape = [4, 3, 2, 5];
    const values = Float32Array.from({ length: 120 }, (_, i) => i);
    const t = convKernelToTfjs(values, shape);
    expect(t.shape).toEqual([3, 2, 5, 4]);
    const a = t.arraySync() as number[][][][];
    for (const [o, i, j, c] of [[0, 0, 0, 0], [3, 2, 1, 4], [1, 2, 0, 3], [2, 1, 1, 0]]) {
      expect(a[i][j][c][o]).toBe(((o * 3 + i) * 2 + j) * 5 + c);
    }
    t.dispose();
  });

  it('depthwise [1,kh,kw,c] → [kh,kw,c,1]', () => {
    const values = Float32Array.from({ length: 18 }, (_, i) => i);
    const t = depthwiseKernelToTfjs(values, [1, 3, 3, 2], 1);
    expect(t.shape).toEqual([3, 3, 2, 1]);
    expect((t.arraySync() as number[][][][])[2][1][1][0]).toBe((2 * 3 + 1) * 2 + 1);
    t.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });
});
