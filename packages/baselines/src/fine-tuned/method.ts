/**
 * `fine-tuned`: the pretrained backbone with a new linear head, trained with labels (class-weighted
 * cross-entropy, Adam, flips, early stopping on a seeded stratified validation split of the
 * labelled images). Only the last `trainBlocks` blocks are trained; the frozen part's output at the
 * cut is read from the feature cache, so an epoch runs only the trained blocks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  backboneTapSource,
  batchToTensor,
  childSeed,
  getBackbone,
  gridConfigs,
  listBackbones,
  mulberry32,
  registerMethod,
  tapMaps,
  ZERO_BIAS_CAE_DEFAULTS,
  type Backbone,
  type FeatureMaps,
  type FitContext,
  type FitData,
  type FittedModel,
  type Method,
  type MethodSpec,
  type TapSource,
} from '@udtl/core';
import type { ImageSet, ResizeMode } from '@udtl/datasets';
import { checkFitData, checkImages, positiveInteger, pretrainedBackbone, resolveParams } from '../common.js';
import { copyTrunk, cutFor, glorotUniform, INPUT_CUT } from './network.js';

export type FineTunedParams = {
  backbone: string;
  inputSize: number;
  resizeMode: ResizeMode;
  trainBlocks: number | 'all';
  epochs: number;
  patience: number;
  batchSize: number;
  minStepsPerEpoch: number;
  maxStepsPerEpoch: number;
  learningRate: number;
  backboneLearningRate: number;
  dropout: number;
  classWeighting: boolean;
  augment: boolean;
  cropScale: number;
  valFraction: number;
  /** Configurations chosen among by validation loss (each epoch of each is a candidate). */
  grid: Record<string, unknown>[];
  extractBatchSize: number;
};

/** What a grid entry may change. */
const TUNABLE = ['learningRate', 'backboneLearningRate', 'dropout', 'epochs', 'patience', 'classWeighting', 'augment'] as const;

export const FINE_TUNED_DEFAULTS: FineTunedParams = {
  backbone: ZERO_BIAS_CAE_DEFAULTS.backbone,
  inputSize: ZERO_BIAS_CAE_DEFAULTS.inputSize,
  resizeMode: ZERO_BIAS_CAE_DEFAULTS.resizeMode,
  trainBlocks: 1,
  // 2 learning rates × ≤ 4 epochs (early stopping picks the epoch): 8 candidates, as every
  // probe method's 2 configurations × 4 C values.
  epochs: 4,
  patience: 2,
  batchSize: 32,
  minStepsPerEpoch: 4,
  maxStepsPerEpoch: 8,
  learningRate: 3e-3,
  backboneLearningRate: 3e-4,
  dropout: 0.2,
  classWeighting: true,
  augment: true,
  cropScale: 0.85,
  valFraction: 0.2,
  grid: [{}, { learningRate: 1e-3 }],
  extractBatchSize: ZERO_BIAS_CAE_DEFAULTS.extractBatchSize,
};

const PARAM_DOCS: Record<keyof FineTunedParams, string> = {
  backbone: 'pretrained ImageNet backbone (registry id)',
  inputSize: 'square image size the backbone sees (images must be requested at this size)',
  resizeMode: "how images reach inputSize: 'resize' (stretch) or 'pad' (zero-pad)",
  trainBlocks:
    "blocks trained with the head: 0 = head only, k = the last k blocks (MobileNetV2: 1 = Conv_1 from the cached block_16_project maps, 2 = + block_16), 'all' = the whole network from the pixels (needs a GPU to be practical)",
  epochs: 'maximum epochs (early stopping usually ends sooner)',
  patience: 'epochs without a lower validation loss before stopping (the best epoch’s weights are kept)',
  batchSize: 'images per Adam step',
  minStepsPerEpoch: 'Adam steps per epoch at least (small labelled sets are cycled, reshuffled each pass), so 5 labels per class still get trained',
  maxStepsPerEpoch: 'cap on Adam steps per epoch (a random subset of the training images each epoch when the cap bites); 0 = no cap',
  learningRate: 'Adam learning rate of the new head',
  backboneLearningRate: 'Adam learning rate of the trained backbone blocks (lower: they start pretrained)',
  dropout: 'dropout rate before the head, during training',
  classWeighting: 'weight each class’s loss by n / (classes · n_class), for imbalanced data',
  augment:
    "random horizontal flips (of the cached cut-point maps: a cheap stand-in for image flips); with trainBlocks 'all' also random crops of cropScale of the side, resized back",
  cropScale: "smallest crop side / image side for trainBlocks 'all'",
  valFraction: 'fraction of each class (≥ 3 images) held out, seeded, for early stopping and the grid choice; none held out → runs all epochs of the first configuration. With an official validation split that split is used instead',
  grid: `configurations (overrides of ${TUNABLE.join(', ')}) trained and chosen among by their best validation loss; [{}] = the base parameters only`,
  extractBatchSize: 'images per backbone batch (cached frozen part)',
};

const ID = 'fine-tuned';
const PREDICT_BATCH = 64;

/** Network inputs of a set of images: cached cut-point maps, or uint8 pixels when training from the input. */
interface Inputs {
  n: number;
  shape: [number, number, number];
  /** Rows `rows` as a float tensor the trunk accepts, row i mirrored left-right when flip[i] (caller disposes). */
  batch(rows: number[], flip?: boolean[]): tf.Tensor4D;
}

/** Copy NHWC row `r` of `src` into row `i` of `dst`, mirrored along the width when `flip`. */
function copyRow<T extends Float32Array | Uint8Array>(src: T, dst: T, r: number, i: number, h: number, w: number, c: number, flip: boolean): void {
  const size = h * w * c;
  if (!flip) {
    dst.set(src.subarray(r * size, (r + 1) * size), i * size);
    return;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = r * size + (y * w + (w - 1 - x)) * c;
      dst.set(src.subarray(from, from + c), i * size + (y * w + x) * c);
    }
  }
}

function mapInputs(maps: FeatureMaps): Inputs {
  const { height: h, width: w, channels: c } = maps;
  return {
    n: maps.n,
    shape: [h, w, c],
    batch: (rows, flip) => {
      const data = new Float32Array(rows.length * h * w * c);
      rows.forEach((r, i) => copyRow(maps.data, data, r, i, h, w, c, flip?.[i] ?? false));
      return tf.tensor4d(data, [rows.length, h, w, c]);
    },
  };
}

async function pixelInputs(images: ImageSet, backbone: Backbone, batchSize: number): Promise<Inputs> {
  const s = images.height;
  const pixels = new Uint8Array(images.ids.length * s * s * 3);
  let o = 0;
  for await (const b of images.batches(batchSize)) {
    pixels.set(b.data, o);
    o += b.data.length;
  }
  return {
    n: images.ids.length,
    shape: [s, s, 3],
    batch: (rows, flip) =>
      tf.tidy(() => {
        const data = new Uint8Array(rows.length * s * s * 3);
        rows.forEach((r, i) => copyRow(pixels, data, r, i, s, s, 3, flip?.[i] ?? false));
        return backbone.preprocess(batchToTensor({ ids: [], data, n: rows.length, height: s, width: s, channels: 3 }));
      }),
  };
}

/** Images early stopping and the grid choice are scored on. */
interface Held {
  inputs: Inputs;
  labels: Int32Array;
  rows: number[];
}

interface TrainHistory {
  epochsRun: number;
  bestEpoch: number;
  bestValidationLoss: number | null;
  nTrain: number;
  nValidation: number;
  trainLoss: number[];
  validationLoss: number[];
}

/** Seeded stratified hold-out: per class (≥ 3 images) round(n·fraction) ≥ 1 images. */
export function validationSplit(labels: Int32Array, fraction: number, seed: number): { train: number[]; val: number[] } {
  const random = mulberry32(childSeed(seed, 101));
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => byClass.set(y, [...(byClass.get(y) ?? []), i]));
  const train: number[] = [];
  const val: number[] = [];
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(y)!;
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j], members[i]];
    }
    const nVal = members.length >= 3 && fraction > 0 ? Math.max(1, Math.round(members.length * fraction)) : 0;
    val.push(...members.slice(0, nVal));
    train.push(...members.slice(nVal));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

/** Per-class loss weights n / (K · n_c) over the K classes present (1 for every class when off). */
export function classWeights(labels: ArrayLike<number>, nClasses: number, balanced: boolean): Float32Array {
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  const present = counts.filter((c) => c > 0).length;
  return Float32Array.from(counts, (c) => (!balanced ? 1 : c > 0 ? labels.length / (present * c) : 0));
}

class FineTunedNetwork {
  readonly head: { W: tf.Variable; b: tf.Variable };

  constructor(readonly trunk: tfl.LayersModel, channels: number, nClasses: number, seed: number) {
    const W = tf.tensor2d(glorotUniform(channels, nClasses, mulberry32(childSeed(seed, 7))), [channels, nClasses]);
    const b = tf.zeros([nClasses]);
    this.head = { W: tf.variable(W, true), b: tf.variable(b, true) }; // tf.variable copies its initial value
    tf.dispose([W, b]);
  }

  get trunkVariables(): tf.Variable[] {
    return this.trunk.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /** Logits; BN layers (if any) stay in inference mode: batches are small and the statistics pretrained. */
  logits(x: tf.Tensor4D, dropout?: { rate: number; seed: number }): tf.Tensor2D {
    return tf.tidy(() => {
      const maps = this.trunk.layers.length > 1 ? (this.trunk.apply(x, { training: false }) as tf.Tensor4D) : x;
      let v: tf.Tensor2D = tf.mean(maps, [1, 2]);
      if (dropout && dropout.rate > 0) v = tf.dropout(v, dropout.rate, undefined, dropout.seed) as tf.Tensor2D;
      return tf.add(tf.matMul(v, this.head.W), this.head.b);
    });
  }

  snapshot(): tf.Tensor[] {
    return [...this.trunkVariables, this.head.W, this.head.b].map((v) => tf.clone(v));
  }

  restore(values: tf.Tensor[]): void {
    [...this.trunkVariables, this.head.W, this.head.b].forEach((v, i) => v.assign(values[i]));
  }

  dispose(): void {
    this.trunk.dispose();
    this.head.W.dispose();
    this.head.b.dispose();
  }
}

/** Weighted mean cross-entropy: Σ w_y·CE / Σ w_y. */
function weightedLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, weights: tf.Tensor1D, nClasses: number): tf.Scalar {
  return tf.tidy(() => {
    const w = tf.gather(weights, labels);
    const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, nClasses), tf.logSoftmax(logits)), 1));
    return tf.div(tf.sum(tf.mul(ce, w)), tf.maximum(tf.sum(w), 1e-12)) as tf.Scalar;
  });
}

/** A training batch: flips (any input) and, from pixels, random crops of ≥ cropScale of the side resized back. */
function trainingBatch(inputs: Inputs, rows: number[], p: FineTunedParams, fromPixels: boolean, random: () => number): tf.Tensor4D {
  if (!p.augment) return inputs.batch(rows);
  const flip = rows.map(() => random() < 0.5);
  const x = inputs.batch(rows, flip);
  if (!fromPixels || p.cropScale >= 1) return x;
  return tf.tidy(() => {
    const n = rows.length;
    const boxes: number[] = [];
    for (let i = 0; i < n; i++) {
      const side = p.cropScale + random() * (1 - p.cropScale);
      const y0 = random() * (1 - side);
      const x0 = random() * (1 - side);
      boxes.push(y0, x0, y0 + side, x0 + side);
    }
    const out = tf.image.cropAndResize(x, tf.tensor2d(boxes, [n, 4]), tf.range(0, n, 1, 'int32') as tf.Tensor1D, [x.shape[1], x.shape[2]]);
    x.dispose();
    return out;
  });
}

/** Backbones without a trainable tfjs model (ONNX files such as `alexnet`) cannot be fine-tuned. */
function frozenOnly(id: string): Error {
  return new Error(`${ID}: ${id} is an ONNX-only frozen backbone; fine-tuned needs a tfjs backbone such as mobilenet-v2-1.0`);
}

class FineTunedMethod implements Method {
  readonly id = ID;
  readonly params: Readonly<FineTunedParams>;

  constructor(params: Partial<FineTunedParams> = {}) {
    const p = resolveParams(ID, FINE_TUNED_DEFAULTS, params);
    for (const pk of gridConfigs(ID, p, p.grid, TUNABLE)) FineTunedMethod.validate(pk);
    if (listBackbones().includes(p.backbone) && getBackbone(p.backbone).frozenOnly) throw frozenOnly(p.backbone);
    this.params = Object.freeze(p);
  }

  private static validate(p: FineTunedParams): void {
    for (const k of ['epochs', 'batchSize', 'extractBatchSize'] as const) positiveInteger(ID, k, p[k]);
    for (const k of ['patience', 'minStepsPerEpoch', 'maxStepsPerEpoch'] as const) {
      if (!Number.isInteger(p[k]) || p[k] < 0) throw new Error(`${ID}: ${k} must be a non-negative integer, got ${JSON.stringify(p[k])}`);
    }
    if (p.trainBlocks !== 'all' && !(Number.isInteger(p.trainBlocks) && p.trainBlocks >= 0)) {
      throw new Error(`${ID}: trainBlocks must be 'all' or a non-negative integer, got ${JSON.stringify(p.trainBlocks)}`);
    }
    for (const k of ['learningRate', 'backboneLearningRate'] as const) if (!(p[k] > 0)) throw new Error(`${ID}: ${k} must be > 0, got ${p[k]}`);
    for (const k of ['dropout', 'valFraction'] as const) if (!(p[k] >= 0 && p[k] < 1)) throw new Error(`${ID}: ${k} must be in [0, 1), got ${p[k]}`);
    if (!(p.cropScale > 0 && p.cropScale <= 1)) throw new Error(`${ID}: cropScale must be in (0, 1], got ${p.cropScale}`);
  }

  private async frozen(ctx: FitContext): Promise<{ backbone: Backbone; cut: string; end: string; source?: TapSource }> {
    const backbone = await pretrainedBackbone(this.params.backbone, this.params.inputSize, ctx); // read only: fits copy what they train
    if (backbone.frozenOnly) throw frozenOnly(backbone.id);
    const { cut, end } = cutFor(backbone, this.params.trainBlocks);
    return { backbone, cut, end, source: cut === INPUT_CUT ? undefined : backboneTapSource(backbone, cut) };
  }

  private async inputs(images: ImageSet, f: { backbone: Backbone; source?: TapSource }, ctx: FitContext): Promise<Inputs> {
    if (!f.source) return pixelInputs(images, f.backbone, this.params.extractBatchSize);
    return mapInputs(await tapMaps(images, f.source, { cacheDir: ctx.cacheDir, batchSize: this.params.extractBatchSize, log: ctx.log }));
  }

  async prepare(images: ImageSet, ctx: FitContext): Promise<void> {
    checkImages(ID, images, this.params, 'prepared');
    const f = await this.frozen(ctx);
    if (f.source) await tapMaps(images, f.source, { cacheDir: ctx.cacheDir, batchSize: this.params.extractBatchSize, log: ctx.log });
  }

  async fit(data: FitData, ctx: FitContext): Promise<FittedModel> {
    const p = this.params;
    const { labelled, validation } = data;
    checkFitData(ID, data, p);
    const f = await this.frozen(ctx);
    const inputs = await this.inputs(labelled.images, f, ctx);
    const nClasses = labelled.classNames.length;
    // Early stopping and the grid choice: the official validation split when given, else a
    // seeded stratified hold-out of the labelled images.
    const split = validation ? { train: Array.from(labelled.labels, (_, i) => i), val: [] } : validationSplit(labelled.labels, p.valFraction, ctx.seed);
    const val: Held | undefined = validation
      ? { inputs: await this.inputs(validation.images, f, ctx), labels: validation.labels, rows: Array.from(validation.labels, (_, i) => i) }
      : split.val.length ? { inputs, labels: labelled.labels, rows: split.val } : undefined;
    const configs = gridConfigs(ID, p, p.grid, TUNABLE);
    const started = performance.now();
    let best: { net: FineTunedNetwork; k: number; history: TrainHistory } | undefined;
    const bestLoss: (number | null)[] = [];
    try {
      // Without validation images there is nothing to choose by: the first configuration only.
      for (const [k, pk] of (val ? configs : configs.slice(0, 1)).entries()) {
        const trunk = copyTrunk(f.backbone, f.cut, f.end);
        const net = new FineTunedNetwork(trunk, (trunk.outputs[0].shape as number[]).at(-1)!, nClasses, ctx.seed);
        let history: TrainHistory;
        try {
          history = this.train(net, pk, inputs, labelled.labels, split.train, val, nClasses, ctx);
        } catch (err) {
          net.dispose();
          throw err;
        }
        bestLoss.push(history.bestValidationLoss);
        if (!best || (history.bestValidationLoss ?? Infinity) < (best.history.bestValidationLoss ?? Infinity)) {
          best?.net.dispose();
          best = { net, k, history };
        } else net.dispose();
      }
      const { net, k, history } = best!;
      const chosen = {
        config: p.grid[k],
        selection: validation ? 'validation' : val ? 'held-out' : 'fallback',
        candidates: configs.reduce((n, c) => n + c.epochs, 0),
        configValidationLoss: bestLoss,
        backbone: f.backbone.id,
        weightsHash: f.backbone.weightsHash,
        cut: f.cut,
        trainedLayers: net.trunk.layers.filter((l) => l.trainableWeights.length).map((l) => l.name),
        trainedParameters: net.trunkVariables.reduce((s, v) => s + v.size, 0) + net.head.W.size + net.head.b.size,
        ...history,
        trainSeconds: Math.round((performance.now() - started) / 10) / 100,
      };
      ctx.log?.(`${ID}: ${configs.length} configuration(s), chose ${JSON.stringify(chosen.config)} (best epoch ${chosen.bestEpoch}) on ${inputs.n} images from '${f.cut}' in ${chosen.trainSeconds} s`);
      return this.fitted(net, f, nClasses, chosen, ctx);
    } catch (err) {
      best?.net.dispose();
      throw err;
    }
  }

  private train(net: FineTunedNetwork, p: FineTunedParams, inputs: Inputs, labels: Int32Array, train: number[], val: Held | undefined, nClasses: number, ctx: FitContext): TrainHistory {
    const weights = tf.tensor1d(classWeights(train.map((i) => labels[i]), nClasses, p.classWeighting));
    const trunkVars = net.trunkVariables;
    const headVars = [net.head.W, net.head.b];
    const headOpt = tf.train.adam(p.learningRate);
    const trunkOpt = tf.train.adam(p.backboneLearningRate);
    const fromPixels = p.trainBlocks === 'all';
    const trainLoss: number[] = [];
    const valLoss: number[] = [];
    let best = { loss: Infinity, epoch: 0, weights: undefined as tf.Tensor[] | undefined };
    let epoch = 0;
    try {
      for (; epoch < p.epochs; epoch++) {
        const random = mulberry32(childSeed(ctx.seed, 3, epoch));
        const batch = Math.min(p.batchSize, train.length);
        const steps = Math.max(p.minStepsPerEpoch, Math.min(Math.ceil(train.length / batch), p.maxStepsPerEpoch || Infinity));
        // Passes over the training rows, each reshuffled, as long as the epoch's steps need.
        const order: number[] = [];
        while (order.length < steps * batch) {
          const pass = [...train];
          for (let i = pass.length - 1; i > 0; i--) {
            const j = Math.floor(random() * (i + 1));
            [pass[i], pass[j]] = [pass[j], pass[i]];
          }
          order.push(...pass);
        }
        let sum = 0;
        let seen = 0;
        for (let s = 0; s < steps; s++) {
          const rows = order.slice(s * batch, (s + 1) * batch);
          const x = trainingBatch(inputs, rows, p, fromPixels, random);
          const y = tf.tensor1d(rows.map((r) => labels[r]), 'int32');
          const dropoutSeed = childSeed(ctx.seed, 5, epoch, s);
          const { value, grads } = tf.variableGrads(() => weightedLoss(net.logits(x, { rate: p.dropout, seed: dropoutSeed }), y, weights, nClasses), [...trunkVars, ...headVars]);
          tf.dispose([x, y]);
          headOpt.applyGradients(headVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
          if (trunkVars.length) trunkOpt.applyGradients(trunkVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
          tf.dispose(Object.values(grads));
          const loss = value.dataSync()[0];
          value.dispose();
          if (!Number.isFinite(loss)) throw new Error(`${ID}: training diverged (epoch ${epoch + 1}, step ${s + 1}: loss ${loss}); lower learningRate`);
          sum += loss * rows.length;
          seen += rows.length;
        }
        trainLoss.push(sum / seen);
        if (!val) continue;
        const v = this.evaluate(net, val.inputs, val.labels, val.rows, weights, nClasses);
        valLoss.push(v);
        ctx.log?.(`${ID}: epoch ${epoch + 1}: train loss ${trainLoss.at(-1)!.toFixed(4)}, validation loss ${v.toFixed(4)}`);
        if (v < best.loss) {
          tf.dispose(best.weights ?? []);
          best = { loss: v, epoch: epoch + 1, weights: net.snapshot() };
        } else if (epoch + 1 - best.epoch >= Math.max(1, p.patience)) {
          epoch++;
          break;
        }
      }
      if (best.weights) net.restore(best.weights);
    } finally {
      tf.dispose(best.weights ?? []);
      weights.dispose();
      headOpt.dispose();
      trunkOpt.dispose();
    }
    const round = (xs: number[]) => xs.map((x) => Math.round(x * 1e5) / 1e5);
    return {
      epochsRun: epoch,
      bestEpoch: val ? best.epoch : epoch,
      bestValidationLoss: val ? Math.round(best.loss * 1e5) / 1e5 : null,
      nTrain: train.length,
      nValidation: val?.rows.length ?? 0,
      trainLoss: round(trainLoss),
      validationLoss: round(valLoss),
    };
  }

  private evaluate(net: FineTunedNetwork, inputs: Inputs, labels: Int32Array, rows: number[], weights: tf.Tensor1D, nClasses: number): number {
    let sum = 0;
    let total = 0;
    for (let i = 0; i < rows.length; i += PREDICT_BATCH) {
      const part = rows.slice(i, i + PREDICT_BATCH);
      const [loss, w] = tf.tidy(() => {
        const y = tf.tensor1d(part.map((r) => labels[r]), 'int32');
        const logits = net.logits(inputs.batch(part));
        return [tf.mul(weightedLoss(logits, y, weights, nClasses), tf.sum(tf.gather(weights, y))), tf.sum(tf.gather(weights, y))];
      });
      sum += loss.dataSync()[0];
      total += w.dataSync()[0];
      tf.dispose([loss, w]);
    }
    return sum / Math.max(total, 1e-12);
  }

  private fitted(net: FineTunedNetwork, f: { backbone: Backbone; source?: TapSource }, nClasses: number, chosen: Record<string, unknown>, ctx: FitContext): FittedModel {
    let disposed = false;
    return {
      predictProba: async (images) => {
        if (disposed) throw new Error(`${ID}: predictProba called after dispose()`);
        checkImages(ID, images, this.params, 'test');
        const inputs = await this.inputs(images, f, ctx);
        const out: number[][] = [];
        for (let i = 0; i < inputs.n; i += PREDICT_BATCH) {
          const rows = Array.from({ length: Math.min(PREDICT_BATCH, inputs.n - i) }, (_, k) => i + k);
          const proba = tf.tidy(() => tf.softmax(net.logits(inputs.batch(rows))));
          out.push(...(proba.arraySync() as number[][]));
          proba.dispose();
        }
        if (out.some((row) => row.length !== nClasses)) throw new Error(`${ID}: internal error: head has the wrong number of classes`);
        return out;
      },
      chosen: () => structuredClone(chosen),
      dispose: () => {
        if (!disposed) net.dispose();
        disposed = true;
      },
    };
  }
}

export const fineTunedSpec: MethodSpec<FineTunedParams> = {
  id: ID,
  description:
    'The pretrained backbone with a new linear head, fine-tuned with labels (class-weighted cross-entropy, Adam, flips, early stopping on a stratified validation split); trains the last trainBlocks blocks from the cached cut-point maps',
  defaults: FINE_TUNED_DEFAULTS,
  paramDocs: PARAM_DOCS,
  create: (params) => new FineTunedMethod(params),
};

registerMethod(fineTunedSpec);
