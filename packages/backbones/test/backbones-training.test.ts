import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMobilenetV1 } from '../src/backbones/index.js';
import { ReLU6 } from '../src/backbones/relu6-layer.js';

// cpu: it has every gradient kernel (wasm's conv gradients come from src/backend/).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('ReLU6 layer', () => {
  it('clips to [0, 6] and passes gradient 1 strictly inside, 0 outside', () => {
    const x = tf.tensor1d([-2, 0.5, 3, 6.5, 10]);
    const layer = new ReLU6({ name: 'r' });
    const y = layer.apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([0, 0.5, 3, 6, 6]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t) as tf.Tensor))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 0, 0]);
    tf.dispose([x, y, g]);
  });

  it('survives a save/load round trip of a model (registered for serialization)', async () => {
    const input = tfl.input({ shape: [3] });
    const m = tfl.model({ inputs: input, outputs: new ReLU6({ name: 'clip' }).apply(input) as tfl.SymbolicTensor });
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const back = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(back.getLayer('clip').getClassName()).toBe('UdtlReLU6');
    const out = tf.tidy(() => Array.from((back.predict(tf.tensor2d([[-1, 2, 9]])) as tf.Tensor).dataSync()));
    expect(out).toEqual([0, 2, 6]);
    m.dispose();
    back.dispose();
  });
});

describe('MobileNet v1 is trainable', () => {
  it('one SGD step on the tap changes the conv weights and lowers the loss', () => {
    const start = tf.memory().numTensors;
    const m = buildMobilenetV1({ width: 0.25, inputSize: 32 });
    const tap = tfl.model({ inputs: m.inputs, outputs: m.getLayer('conv_pw_3_relu').output as tfl.SymbolicTensor });
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 3);
    const loss = () => tf.mean(tf.square(tap.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
    const before = tf.tidy(() => loss().dataSync()[0]);
    const kernel = m.getLayer('conv_pw_3').getWeights()[0].clone();
    const opt = tf.train.sgd(0.1);
    opt.minimize(loss);
    const after = tf.tidy(() => loss().dataSync()[0]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(m.getLayer('conv_pw_3').getWeights()[0], kernel))).dataSync()[0])).toBeGreaterThan(0);
    expect(after).toBeLessThan(before);
    tf.dispose([x, kernel]);
    opt.dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
