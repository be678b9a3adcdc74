import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMethod, extractTap, initBackend, loadBackbone, type Backbone } from '@udtl/core';
import { applyBudget, loadDataset, stratifiedKFold, type Dataset } from '@udtl/datasets';
import { pretrainedBackbone } from '../src/common.js';
import { blockOutputs, checkpointSteps, classWeights, copyTrunk, cutFor, INPUT_CUT, plannedSteps, selectionSplit, validationSplit } from '../src/fine-tuned/index.js';
import { tempDir } from './helpers.js';

const cacheDir = tempDir('baselines-ft');
let v2: Backbone;
let v1: Backbone;
let ds: Dataset;

beforeAll(async () => {
  await initBackend();
  v2 = await loadBackbone('mobilenet-v2-1.0', { cacheDir });
  v1 = await loadBackbone('mobilenet-v1-0.25', { inputSize: 96, cacheDir });
  ds = await loadDataset('mednist-tiny');
}, 300_000);

async function firstImages(n: number, size: number) {
  for await (const b of ds.images(ds.samples.slice(0, n).map((s) => s.id), { size }).batches(n)) return b;
  throw new Error('no images');
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('fine-tuned network', () => {
  it('knows the MobileNet blocks; trainBlocks picks the cut', () => {
    const b2 = blockOutputs(v2);
    expect(b2).toHaveLength(18); // expanded_conv, block_1..16, Conv_1
    expect(b2.slice(-3)).toEqual(['block_15_add', 'block_16_project', 'out_relu']);
    expect(b2.filter((n) => n.endsWith('_add'))).toHaveLength(10); // the 10 ADD operators of the TFLite graph
    expect(cutFor(v2, 1)).toEqual({ cut: 'block_16_project', end: 'out_relu' });
    expect(cutFor(v2, 0)).toEqual({ cut: 'out_relu', end: 'out_relu' });
    expect(cutFor(v2, 'all')).toEqual({ cut: INPUT_CUT, end: 'out_relu' });
    expect(cutFor(v1, 1)).toEqual({ cut: 'conv_pw_12_relu', end: 'conv_pw_13_relu' });
    expect(() => cutFor(v2, 18)).toThrow(/trainBlocks must be 'all' or an integer 0\.\.17 for mobilenet-v2-1.0/);
  });

  it('a copied trunk computes what the backbone computes (v2 from block_15_add and from the input; v1 against its BN-folded fast path)', async () => {
    const before = tf.memory().numTensors;
    const img2 = await firstImages(2, 224);
    const t2 = copyTrunk(v2, 'block_15_add', 'out_relu');
    const all2 = copyTrunk(v2, INPUT_CUT, 'out_relu');
    const img1 = await firstImages(2, 96);
    const t1 = copyTrunk(v1, 'conv_pw_11_relu', 'conv_pw_13_relu');
    const diffs = tf.tidy(() => {
      const want2 = extractTap(v2, 'out_relu', img2);
      const want1 = extractTap(v1, 'conv_pw_13_relu', img1); // fused conv+folded-BN path of core
      return [
        maxAbsDiff(t2.apply(extractTap(v2, 'block_15_add', img2)) as tf.Tensor, want2),
        maxAbsDiff(all2.apply(v2.preprocess(tf.tensor4d(img2.data, [2, 224, 224, 3], 'int32'))) as tf.Tensor, want2),
        maxAbsDiff(t1.apply(extractTap(v1, 'conv_pw_11_relu', img1), { training: false }) as tf.Tensor, want1),
        tf.max(want2).dataSync()[0],
      ];
    });
    expect(diffs[3]).toBeGreaterThan(1); // ReLU6 maps, not all zero
    expect(diffs[0]).toBeLessThan(1e-4);
    expect(diffs[1]).toBeLessThan(1e-3);
    expect(diffs[2]).toBeLessThan(1e-3);
    expect(t2.layers.map((l) => l.name)).toEqual(['cut_input', 'block_16_expand', 'block_16_expand_relu', 'block_16_depthwise', 'block_16_depthwise_relu', 'block_16_project', 'Conv_1', 'out_relu']);
    [t2, all2, t1].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a cut that does not separate the graph', () => {
    // block_14_add's output also feeds block_15_add (residual): block_15_expand alone is no cut
    expect(() => copyTrunk(v2, 'block_15_expand', 'out_relu')).toThrow(/does not separate 'out_relu' from the input/);
  });

  it('validation split: stratified, seeded, disjoint; classes with < 3 images stay in training', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2]);
    const a = validationSplit(labels, 0.2, 0);
    expect(validationSplit(labels, 0.2, 0)).toEqual(a);
    expect([...a.train, ...a.val].sort((x, y) => x - y)).toEqual([...labels.keys()]);
    const valCounts = [0, 1, 2].map((c) => a.val.filter((i) => labels[i] === c).length);
    expect(valCounts).toEqual([2, 1, 0]); // round(10·0.2), max(1, round(5·0.2)), none from 2 images
    expect(validationSplit(labels, 0.2, 1).val).not.toEqual(a.val);
  });

  it('class weights equal scikit-learn compute_class_weight("balanced")', () => {
    // /usr/bin/python3 (scikit-learn 1.2.1): compute_class_weight('balanced', classes=np.unique(y), y=y)
    // with y = [0]*6 + [1]*2 + [3]*12 → [1.11111111, 3.33333333, 0.55555556]
    const y = [...Array(6).fill(0), 1, 1, ...Array(12).fill(3)];
    const w = classWeights(y, 5, true);
    expect(w[0]).toBeCloseTo(1.11111111, 6);
    expect(w[1]).toBeCloseTo(3.33333333, 6);
    expect(w[3]).toBeCloseTo(0.55555556, 6);
    expect([w[2], w[4]]).toEqual([0, 0]); // absent classes
    expect([...classWeights(y, 5, false)]).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('fine-tuned method', () => {
  it('learns from a fold of mednist-tiny without touching the shared pretrained backbone; reports what it trained', async () => {
    const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
    const fold = applyBudget(f, ds.samples, 'all', 0);
    const opts = { size: 224, mode: 'resize' as const };
    const ctx = { seed: 0, cacheDir };
    const shared = await pretrainedBackbone('mobilenet-v2-1.0', 224, ctx);
    const conv1Before = shared.model.getLayer('Conv_1').getWeights()[0].dataSync().slice();
    // A short run (12 steps per selection run) keeps the test quick; the protocol is the default's.
    const model = await createMethod('fine-tuned', { maxSteps: 12 }).fit({ labelled: ds.labelledSet(fold.labelled, opts), unlabelled: ds.images(fold.unlabelled, opts) }, ctx);
    const test = ds.labelledSet(fold.test, opts);
    const proba = await model.predictProba(test.images);
    const hits = proba.filter((r, i) => r.indexOf(Math.max(...r)) === test.labels[i]).length;
    expect(hits / proba.length).toBeGreaterThan(0.7); // chance 1/6
    const chosen = model.chosen() as Record<string, any>;
    expect(chosen.cut).toBe('block_16_project');
    expect(chosen.trainedLayers).toEqual(['Conv_1']);
    expect(chosen.trainedParameters).toBe(320 * 1280 + 1280 + 1280 * 6 + 6);
    // Selection: 2 learning rates × 6 training lengths on the held-out primary metric (balanced accuracy by default)...
    expect(chosen.selection).toBe('held-out');
    expect(chosen.selectionMetric).toBe('balanced_accuracy');
    expect(chosen.candidates).toBe(chosen.scores.length);
    expect(chosen.candidates).toBeLessThanOrEqual(12);
    expect([{}, { learningRate: 1e-3 }]).toContainEqual(chosen.config);
    const scored = chosen.scores.filter((x: any) => x.score !== null).map((x: any) => x.score);
    expect(chosen.scores.find((x: any) => x.steps === chosen.selectionSteps && JSON.stringify(x.config) === JSON.stringify(chosen.config)).score).toBe(Math.max(...scored));
    expect(chosen.nHeldOut).toBeGreaterThan(0);
    expect(chosen.selectionLossCurves).toHaveLength(2);
    // ...then the refit: every labelled image, unweighted loss, the chosen epochs (at least one pass).
    expect(chosen.nRefit).toBe(fold.labelled.length);
    expect(chosen.refitImagesSeen).toBe(fold.labelled.length);
    expect(chosen.classWeighting).toBe(false);
    expect(chosen.epochs).toBeGreaterThanOrEqual(1);
    expect(chosen.lossCurve.length).toBe(chosen.lossSteps.length);
    expect(chosen.lossSteps.at(-1)).toBe(chosen.steps);
    expect(typeof chosen.converged).toBe('boolean');
    expect(typeof chosen.stepCapHit).toBe('boolean');
    model.dispose();
    expect(shared.model.getLayer('Conv_1').getWeights()[0].dataSync()).toEqual(conv1Before);

    // With an official validation split: the split scores the candidates (1 configuration × 6 lengths of 8 steps: 1, 2, 3, 4, 6, 8), and the refit still uses every labelled image.
    const validation = ds.labelledSet(fold.test.slice(0, 12), opts);
    const onVal = await createMethod('fine-tuned', { grid: [{}], maxSteps: 8 }).fit({ labelled: ds.labelledSet(fold.labelled, opts), unlabelled: ds.images([], opts), validation }, { ...ctx, primaryMetric: 'accuracy' });
    const v = onVal.chosen() as Record<string, any>;
    expect([v.selection, v.nHeldOut, v.candidates, v.selectionMetric, v.refitImagesSeen]).toEqual(['validation', 12, 6, 'accuracy', fold.labelled.length]);
    onVal.dispose();
  }, 400_000);

  it('selection split, planned steps and checkpoints', () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : 1));
    const s = selectionSplit(labels, 0.2, 600, 0);
    expect(s.train.length + s.val.length).toBe(600);
    expect(new Set([...s.train, ...s.val]).size).toBe(600);
    expect(s.val.filter((i) => labels[i] === 1).length).toBe(Math.round(180 * 0.2)); // 30% of 600 are class 1, 20% of them held out
    expect(selectionSplit(labels, 0.2, 600, 0)).toEqual(s);
    const small = selectionSplit(labels.slice(690, 720), 0.2, 600, 0);
    expect(small.train.length + small.val.length).toBe(30);
    const p = { batchSize: 32, minStepsPerEpoch: 4, maxEpochs: 8, maxSteps: 24 };
    expect(plannedSteps(p, 20)).toBe(24); // 8 epochs of 4 steps, capped at 24
    expect(plannedSteps({ ...p, maxSteps: 0 }, 20)).toBe(32);
    expect(plannedSteps({ ...p, maxSteps: 0 }, 640)).toBe(160);
    expect(checkpointSteps(24)).toEqual([3, 6, 9, 12, 18, 24]);
    expect(checkpointSteps(2)).toEqual([1, 2]);
  });

  it("trains the whole network from pixels with trainBlocks 'all' (MobileNet v1 0.25 at 96 px, one epoch)", async () => {
    const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
    const fold = applyBudget(f, ds.samples, { perClass: 3 }, 0);
    const opts = { size: 96, mode: 'resize' as const };
    const method = createMethod('fine-tuned', { backbone: 'mobilenet-v1-0.25', inputSize: 96, trainBlocks: 'all', maxEpochs: 1, minStepsPerEpoch: 1 });
    const ctx = { seed: 0, cacheDir };
    const warm = await method.fit({ labelled: ds.labelledSet(fold.labelled, opts), unlabelled: ds.images(fold.unlabelled, opts) }, ctx);
    warm.dispose();
    const before = tf.memory().numTensors;
    const model = await method.fit({ labelled: ds.labelledSet(fold.labelled, opts), unlabelled: ds.images(fold.unlabelled, opts) }, ctx);
    const chosen = model.chosen() as Record<string, any>;
    expect(chosen.cut).toBe(INPUT_CUT);
    expect(chosen.trainedLayers).toContain('conv1');
    expect(chosen.trainedLayers).toContain('conv_pw_13');
    expect(Number.isFinite(chosen.lossCurve[0])).toBe(true);
    const proba = await model.predictProba(ds.images(fold.test.slice(0, 4), opts));
    proba.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad parameters with clear errors', async () => {
    expect(() => createMethod('fine-tuned', { trainBlocks: -1 })).toThrow(/trainBlocks must be 'all' or a non-negative integer, got -1/);
    expect(() => createMethod('fine-tuned', { dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(() => createMethod('fine-tuned', { learningRate: 0 })).toThrow(/learningRate must be > 0/);
    expect(() => createMethod('fine-tuned', { grid: [{}, { learningRate: -1 }] })).toThrow(/learningRate must be > 0, got -1/);
    expect(() => createMethod('fine-tuned', { grid: [{ trainBlocks: 2 }] })).toThrow(/sets 'trainBlocks', which is not tunable/);
    expect(() => createMethod('fine-tuned', { backbone: 'alexnet' })).toThrow(/alexnet is an ONNX-only frozen backbone; fine-tuned needs a tfjs backbone/);
    const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
    const data = { labelled: ds.labelledSet(f.train, { size: 224 }), unlabelled: ds.images([], { size: 224 }) };
    await expect(createMethod('fine-tuned', { trainBlocks: 40 }).fit(data, { seed: 0, cacheDir })).rejects.toThrow(/integer 0\.\.17/);
    await expect(createMethod('fine-tuned', { backbone: 'no-such-net' }).fit(data, { seed: 0, cacheDir })).rejects.toThrow(/unknown backbone 'no-such-net'; known backbones: .*mobilenet-v2-1.0/);
  });
});
