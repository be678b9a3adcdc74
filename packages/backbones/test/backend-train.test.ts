/**
 * End to end: a small conv net (conv stride 2 'same', depthwise 'valid' with multiplier 2, 1x1
 * conv, pooling, dense) trained with tfjs-layers model.fit on wasm ends with the same weights as
 * the same training on cpu. Proves conv training works on wasm with the registered kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';

function buildModel(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [9, 9, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', activation: 'tanh' }));
  m.add(tfl.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false }));
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: 2, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
  return m;
}

interface Run {
  initial: Float32Array[];
  trained: Float32Array[];
  tensorsLeaked: number;
}

/** Trains on `backend` from the given start weights (or the model's own init) for 3 epochs. */
async function train(backend: string, x: Float32Array, y: Float32Array, start?: Float32Array[]): Promise<Run> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const model = buildModel();
  if (start) {
    const values = start.map((w, i) => tf.tensor(w, model.getWeights()[i].shape));
    model.setWeights(values); // copies
    tf.dispose(values);
  }
  const initial = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
  const xs = tf.tensor4d(x, [8, 9, 9, 3]);
  const ys = tf.tensor2d(y, [8, 2]);
  await model.fit(xs, ys, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
  const trained = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
  tf.dispose([xs, ys]);
  model.optimizer.dispose(); // model.dispose() leaves the optimizer's tensors alone
  model.dispose();
  return { initial, trained, tensorsLeaked: tf.memory().numTensors - before };
}

describe('training a conv net on wasm', () => {
  beforeAll(async () => {
    await initBackend({ force: 'wasm' });
  });

  it('model.fit on wasm ends within 1e-4 of the same training on cpu', async () => {
    await tf.setBackend('cpu');
    const x = tf.tidy(() => tf.randomUniform([8, 9, 9, 3], 0, 1, 'float32', 7).dataSync() as Float32Array).slice();
    const y = new Float32Array([1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1]);

    const cpu = await train('cpu', x, y);
    const wasm = await train('wasm', x, y, cpu.initial);
    expect(tf.getBackend()).toBe('wasm');

    for (let i = 0; i < cpu.trained.length; i++) {
      expect(wasm.initial[i]).toEqual(cpu.initial[i]);
      let moved = 0;
      let diff = 0;
      for (let j = 0; j < cpu.trained[i].length; j++) {
        moved = Math.max(moved, Math.abs(cpu.trained[i][j] - cpu.initial[i][j]));
        diff = Math.max(diff, Math.abs(wasm.trained[i][j] - cpu.trained[i][j]));
      }
      // Every weight tensor (conv kernels included) really trained, and wasm agrees with cpu.
      expect(moved, `weights ${i} moved`).toBeGreaterThan(1e-3);
      expect(diff, `weights ${i} wasm vs cpu`).toBeLessThan(1e-4);
    }
    expect(cpu.tensorsLeaked).toBe(0);
    expect(wasm.tensorsLeaked).toBe(0);
  });
});
