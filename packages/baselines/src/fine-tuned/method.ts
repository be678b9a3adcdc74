/**
 * `fine-tuned`: the pretrained backbone with a new linear head, trained with labels (cross-entropy,
 * Adam, flips). Learning rate and training length are chosen on held-out labelled images with the
 * primary metric, then the choice is refit on every labelled image, as the probe methods refit
 * their chosen C. Only the last `trainBlocks` blocks are trained; the frozen part's output at the
 * cut is read from the feature cache, so a step runs only the trained blocks. An image set whose
 * inputs exceed mapsInMemoryMiB is read in windows (./inputs.ts), with the same batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  better,
  checkSelectionMetric,
  DEFAULT_SELECTION_METRIC,
  selectionScore,
  stratifiedSubsample,
  type SelectionMetric,
  backboneTapSource,
  getBackbone,
  defineMethod,
  expandGrid,
  param,
  z,
  listBackbones,
  registerMethod,
  prepareTapMaps,
  readScalars,
  type Backbone,
  type FitContext,
  type FitData,
  type FittedModel,
  type Method,
  type MethodSpec,
  type TapSource,
} from '@udtl/core';
import { indicesByClass, rngFor, seedFor, shuffleClasses, takeFromClasses, type ImageSet, type ResizeMode } from '@udtl/datasets';
import { BACKBONE_PARAMS, checkFitData, checkImages, pretrainedBackbone } from '../common.js';
import { InputRows, mapReader, PassOrder, pixelReader, type Inputs } from './inputs.js';
import { copyTrunk, cutFor, glorotUniform, INPUT_CUT } from './network.js';

export type FineTunedParams = {
  backbone: string;
  inputSize: number;
  resizeMode: ResizeMode;
  trainBlocks: number | 'all';
  /** Longest selection run, in epochs (passes over its training rows). */
  maxEpochs: number;
  /** Step cap of one training run (each selection run; the refit never stops before one full pass); 0 = none. */
  maxSteps: number;
  /** Relative decrease of the training loss between checkpoints below which a run has converged. */
  convergenceTol: number;
  batchSize: number;
  minStepsPerEpoch: number;
  learningRate: number;
  backboneLearningRate: number;
  dropout: number;
  classWeighting: boolean;
  augment: boolean;
  cropScale: number;
  valFraction: number;
  /** Labelled images the selection runs use at most (a seeded stratified subsample, as the probes' inner CV). */
  maxSelectionImages: number;
  /** Configurations chosen among, each with CHECKPOINTS training lengths, on the held-out primary metric. */
  grid: Record<string, unknown>[];
  extractBatchSize: number;
  /** MiB of network inputs (cut-point maps, or pixels) held per image set; a larger set is read in windows. */
  mapsInMemoryMiB: number;
};

/** What a grid entry may change. */
const TUNABLE = ['learningRate', 'backboneLearningRate', 'dropout', 'maxEpochs', 'classWeighting', 'augment'] as const;

/** Training lengths scored per configuration: these fractions of the run's planned steps. */
// Six lengths × two configurations = 12 candidates: the probes' 2 configurations × 6 C values
// (an equal selection budget; the checkpoints of one run cost only a held-out forward pass each).
const CHECKPOINTS = [1 / 8, 1 / 4, 3 / 8, 1 / 2, 3 / 4, 1] as const;

const TRAIN_BLOCKS_RULE = "must be 'all' or a non-negative integer";

const FINE_TUNED_PARAMS = z
  .object({
    backbone: BACKBONE_PARAMS.backbone.describe('pretrained ImageNet backbone (registry id)'),
    inputSize: BACKBONE_PARAMS.inputSize,
    resizeMode: BACKBONE_PARAMS.resizeMode,
    trainBlocks: z
      .union([z.literal('all'), z.number().int({ error: TRAIN_BLOCKS_RULE }).min(0, { error: TRAIN_BLOCKS_RULE })], { error: TRAIN_BLOCKS_RULE })
      .default(1)
      .describe("blocks trained with the head: 0 = head only, k = the last k blocks (MobileNetV2: 1 = Conv_1 from the cached block_16_project maps, 2 = + block_16), 'all' = the whole network from the pixels (needs a GPU to be practical)"),
    // 2 learning rates × 4 training lengths: 8 candidates, as every probe method's 2 configurations × 4 C values.
    // 6 epochs of ≥ 4 steps fit the 24-step cap with 5 and 20 labels per class; with every label the
    // cap ends the selection runs within their first epoch, and says so.
    maxEpochs: param.wholeNumber(1).default(6).describe('longest selection run in epochs (passes over its training rows); a run stops sooner when its training loss has converged or at maxSteps'),
    maxSteps: param
      .wholeNumber(0)
      .default(24)
      .describe('step cap of each selection run (0 = none); the refit on every labelled image runs the chosen number of epochs, at least one full pass, capped at max(one pass, maxSteps); chosen() records whether a cap was hit'),
    convergenceTol: param.fraction().default(0.01).describe('a run has converged when its mean training loss falls by less than this fraction between two checkpoints'),
    batchSize: param.wholeNumber(1).default(32).describe('images per Adam step'),
    minStepsPerEpoch: param.wholeNumber(0).default(4).describe('Adam steps per epoch at least (small labelled sets are cycled, reshuffled each pass), so 5 labels per class still get trained'),
    learningRate: param.positive().default(3e-3).describe('Adam learning rate of the new head'),
    backboneLearningRate: param.positive().default(3e-4).describe('Adam learning rate of the trained backbone blocks (lower: they start pretrained)'),
    dropout: param.fraction().default(0.2).describe('dropout rate before the head, during training'),
    // The probes' classifiers weight every image alike; so does the fine-tune.
    classWeighting: param.flag().default(false).describe('weight each class’s loss by n / (classes · n_class); off by default, as the probe methods weight no class'),
    augment: param
      .flag()
      .default(true)
      .describe("random horizontal flips (of the cached cut-point maps: a cheap stand-in for image flips); with trainBlocks 'all' also random crops of cropScale of the side, resized back"),
    cropScale: z
      .number({ error: 'must be in (0, 1]' })
      .gt(0, { error: 'must be in (0, 1]' })
      .max(1, { error: 'must be in (0, 1]' })
      .default(0.85)
      .describe("smallest crop side / image side for trainBlocks 'all'"),
    valFraction: param
      .fraction()
      .default(0.2)
      .describe('fraction of each class (≥ 3 images) of the selection images held out, seeded, to score the candidates on the primary metric; none held out → the first configuration, maxEpochs (capped), on every labelled image. With an official validation split that split scores instead'),
    maxSelectionImages: param
      .wholeNumber(1)
      .default(600)
      .describe('labelled images the selection runs use at most (seeded, stratified), as the probes’ inner CV uses at most 600; the refit uses every labelled image'),
    grid: param
      .grid()
      .default([{}, { learningRate: 1e-3 }])
      .describe(`configurations (overrides of ${TUNABLE.join(', ')}), each scored after ${CHECKPOINTS.length} training lengths (${CHECKPOINTS.join(', ')} of the run) on the held-out primary metric; the best (configuration, length) is refit on every labelled image`),
    extractBatchSize: BACKBONE_PARAMS.extractBatchSize.describe('images per backbone batch (cached frozen part)'),
    // 1 GiB: 17,000 maps of 7×7×320 or 7,100 images of 224² pixels, above every bundled dataset (≤ 3,100 images), which stay whole.
    mapsInMemoryMiB: param
      .positive()
      .default(1024)
      .describe(
        "MiB of network inputs (the cut's cached maps, or uint8 pixels with trainBlocks 'all') held per image set (labelled, validation, test); a larger set is read from the feature cache in windows of this size (the same batches and results, more reads)",
      ),
  })
  .superRefine((p, ctx) => {
    if (listBackbones().includes(p.backbone) && getBackbone(p.backbone).frozenOnly) ctx.addIssue({ code: 'custom', path: ['backbone'], message: frozenOnlyReason(p.backbone) });
  });

const ID = 'fine-tuned';
const PREDICT_BATCH = 64;
/** Training steps whose losses are read together: each read waits for a GPU backend's queue to drain. */
const LOSS_READ_EVERY = 32;

/** Rows per forward pass when scoring or predicting: PREDICT_BATCH, fewer when a window holds fewer. */
const predictBatch = (inputs: InputRows) => (inputs.windowed ? Math.min(PREDICT_BATCH, inputs.capRows) : PREDICT_BATCH);

/** `rows` from index `from` on, without copying them. */
function* following(rows: number[], from: number): Generator<number> {
  for (let i = from; i < rows.length; i++) yield rows[i];
}

/** Images the candidates are scored on. */
interface Held {
  inputs: InputRows;
  labels: Int32Array;
  rows: number[];
}

/** One training run: its loss curve, where it stopped and why. */
interface RunRecord {
  steps: number;
  /** Mean training loss between consecutive checkpoints (the run's loss curve). */
  lossCurve: number[];
  /** Steps at which the curve's points end. */
  lossSteps: number[];
  converged: boolean;
  /** Stopped by the step cap (maxSteps) before its planned epochs or convergence. */
  stepCapHit: boolean;
}

/** A (configuration, training length) candidate and its held-out scores. */
interface CandidateScore {
  config: Record<string, unknown>;
  steps: number;
  epochs: number;
  score: number | null;
  heldOutLoss: number;
}

/** Seeded stratified hold-out: per class (≥ 3 images) round(n·fraction) ≥ 1 images. */
export function validationSplit(labels: Int32Array, fraction: number, seed: number): { train: number[]; val: number[] } {
  const random = rngFor('fine-tuned-holdout', seed);
  const classes = shuffleClasses(indicesByClass(labels), () => random);
  const { taken, rest } = takeFromClasses(classes, (_c, n) => (n >= 3 && fraction > 0 ? Math.max(1, Math.round(n * fraction)) : 0));
  return { train: rest.sort((a, b) => a - b), val: taken.sort((a, b) => a - b) };
}

/**
 * The selection rows: a seeded stratified subsample of at most `maxImages` labelled rows (all of
 * them when fewer), split into training and held-out rows by `validationSplit`.
 */
export function selectionSplit(labels: Int32Array, fraction: number, maxImages: number, seed: number): { train: number[]; val: number[] } {
  const pick = labels.length > maxImages ? stratifiedSubsample(labels, maxImages, rngFor('fine-tuned-subsample', seed)) : Array.from(labels, (_, i) => i);
  const inner = validationSplit(Int32Array.from(pick, (i) => labels[i]), fraction, seed);
  return { train: inner.train.map((i) => pick[i]), val: inner.val.map((i) => pick[i]) };
}

/** Steps of a selection run on n rows: maxEpochs epochs (≥ minStepsPerEpoch steps each), capped at maxSteps. */
export function plannedSteps(p: Pick<FineTunedParams, 'batchSize' | 'minStepsPerEpoch' | 'maxEpochs' | 'maxSteps'>, n: number): number {
  const perEpoch = Math.max(p.minStepsPerEpoch, Math.ceil(n / Math.min(p.batchSize, n)), 1);
  return Math.min(perEpoch * p.maxEpochs, p.maxSteps || Infinity);
}

/** The steps at which a run of `steps` is scored: CHECKPOINTS of it, distinct, the last being `steps`. */
export function checkpointSteps(steps: number): number[] {
  return [...new Set(CHECKPOINTS.map((f) => Math.max(1, Math.round(f * steps))))].sort((a, b) => a - b);
}

const round3 = (x: number) => Math.round(x * 1e3) / 1e3;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

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
    const W = tf.tensor2d(glorotUniform(channels, nClasses, rngFor('fine-tuned-head', seed)), [channels, nClasses]);
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
const frozenOnlyReason = (id: string) => `${id} is an ONNX-only frozen backbone; fine-tuned needs a tfjs backbone such as mobilenet-v2-1.0`;
const frozenOnly = (id: string) => new Error(`${ID}: ${frozenOnlyReason(id)}`);

class FineTunedMethod implements Method {
  readonly id = ID;
  readonly params: Readonly<FineTunedParams>;

  /** `params` are complete and valid (the spec's schema checked them, grid configurations included). */
  constructor(params: FineTunedParams) {
    this.params = Object.freeze(params);
  }

  private async frozen(ctx: FitContext): Promise<{ backbone: Backbone; cut: string; end: string; source?: TapSource }> {
    const backbone = await pretrainedBackbone(this.params.backbone, this.params.inputSize, ctx); // read only: fits copy what they train
    if (backbone.frozenOnly) throw frozenOnly(backbone.id);
    const { cut, end } = cutFor(backbone, this.params.trainBlocks);
    return { backbone, cut, end, source: cut === INPUT_CUT ? undefined : backboneTapSource(backbone, cut) };
  }

  /** The set's inputs within mapsInMemoryMiB: held whole when they fit (read once), else read in windows. */
  private inputs(images: ImageSet, f: { backbone: Backbone; cut: string; source?: TapSource }, ctx: FitContext): InputRows {
    const p = this.params;
    const reader = f.source
      ? mapReader(images, f.source, (f.backbone.model.getLayer(f.cut).outputShape as number[]).slice(1) as [number, number, number], { cacheDir: ctx.cacheDir, batchSize: p.extractBatchSize, log: ctx.log })
      : pixelReader(images, f.backbone, p.extractBatchSize);
    const capRows = Math.floor((p.mapsInMemoryMiB * 2 ** 20) / reader.rowBytes);
    const batch = Math.min(p.batchSize, reader.n);
    if (reader.n > capRows && capRows < batch) {
      throw new Error(
        `${ID}: mapsInMemoryMiB ${p.mapsInMemoryMiB} holds ${capRows} inputs of ${reader.shape.join('x')} (${(reader.rowBytes / 2 ** 10).toFixed(1)} KiB each) ` +
          `but a training batch is ${batch} (batchSize); raise mapsInMemoryMiB to at least ${Math.ceil(((batch * reader.rowBytes) / 2 ** 20) * 100) / 100}`,
      );
    }
    return new InputRows(reader, capRows);
  }

  /** What the inputs of a set held: recorded in chosen(). */
  private heldReport(rows: InputRows): Record<string, unknown> {
    return { capMiB: this.params.mapsInMemoryMiB, capRows: rows.capRows, windowed: rows.windowed, maxRowsHeld: rows.maxRowsHeld, windowsRead: rows.windowsRead };
  }

  async prepare(images: ImageSet, ctx: FitContext): Promise<void> {
    checkImages(ID, images, this.params, 'prepared');
    const f = await this.frozen(ctx);
    if (f.source) await prepareTapMaps(images, f.source, { cacheDir: ctx.cacheDir, batchSize: this.params.extractBatchSize, log: ctx.log });
  }

  /**
   * Selection, then refit (as the probes): each configuration trains on the selection rows and is
   * scored on the held-out rows (or the official validation split) with the primary metric at
   * CHECKPOINTS of its run; the best (configuration, epochs) is trained again from the pretrained
   * weights on every labelled image for the same number of epochs (at least one full pass).
   */
  async fit(data: FitData, ctx: FitContext): Promise<FittedModel> {
    const p = this.params;
    const { labelled, validation } = data;
    checkFitData(ID, data, p);
    const metric = checkSelectionMetric(ctx.primaryMetric ?? DEFAULT_SELECTION_METRIC);
    const f = await this.frozen(ctx);
    const inputs = this.inputs(labelled.images, f, ctx);
    const nClasses = labelled.classNames.length;
    const all = Array.from(labelled.labels, (_, i) => i);
    const split = selectionSplit(labelled.labels, validation ? 0 : p.valFraction, p.maxSelectionImages, ctx.seed);
    const held: Held | undefined = validation
      ? { inputs: this.inputs(validation.images, f, ctx), labels: validation.labels, rows: Array.from(validation.labels, (_, i) => i) }
      : split.val.length ? { inputs, labels: labelled.labels, rows: split.val } : undefined;
    const configs = expandGrid(p, p.grid);
    const started = performance.now();
    const scores: CandidateScore[] = [];
    const selectionRuns: RunRecord[] = [];
    let best: { k: number; steps: number; epochs: number; score: number; loss: number } | undefined;
    // Without held-out images there is nothing to choose by: the first configuration, its full run.
    for (const [k, pk] of (held ? configs : []).entries()) {
      const rows = split.train;
      const run = await this.withNetwork(f, nClasses, ctx.seed, (net) =>
        this.train(net, pk, inputs, labelled.labels, rows, plannedSteps(pk, rows.length), ctx, async (steps) => {
          const { score, loss } = await this.score(net, held!, metric, nClasses);
          const epochs = round3((steps * Math.min(pk.batchSize, rows.length)) / rows.length);
          scores.push({ config: p.grid[k], steps, epochs, score: Number.isFinite(score) ? round4(score) : null, heldOutLoss: round4(loss) });
          // Better score wins; ties go to the lower held-out loss, then to the shorter run and the earlier configuration.
          if (!best || better(score, best.score) || (score === best.score && loss < best.loss)) best = { k, steps, epochs, score, loss };
        }),
      );
      selectionRuns.push(run);
    }
    const k = best?.k ?? 0;
    const pk = configs[k];
    // The refit: every labelled image, the chosen number of epochs, never less than one full pass.
    const batch = Math.min(pk.batchSize, all.length);
    const onePass = Math.ceil(all.length / batch);
    const wanted = best ? Math.round((best.epochs * all.length) / batch) : plannedSteps(pk, all.length);
    const cap = Math.max(onePass, pk.maxSteps || Infinity);
    const refitSteps = Math.min(Math.max(onePass, wanted), cap);
    const seen = new Set<number>();
    let refit: RunRecord | undefined;
    const net = await this.withNetwork(f, nClasses, ctx.seed, async (n) => {
      refit = await this.train(n, pk, inputs, labelled.labels, all, refitSteps, ctx, undefined, seen);
      return n;
    }, true);
    try {
      const chosenRun = selectionRuns[k];
      const chosen = {
        config: p.grid[k],
        selection: validation ? 'validation' : held ? 'held-out' : 'fallback',
        selectionMetric: metric,
        candidates: scores.length,
        scores,
        selectionImages: split.train.length + split.val.length,
        nHeldOut: held?.rows.length ?? 0,
        selectionSteps: best?.steps ?? null,
        selectionLossCurves: selectionRuns.map((r) => ({ steps: r.lossSteps, loss: r.lossCurve, converged: r.converged, stepCapHit: r.stepCapHit })),
        epochs: round3((refitSteps * batch) / all.length),
        steps: refitSteps,
        // Converged: the chosen configuration's selection run (the refit's when nothing was selected) met convergenceTol.
        converged: chosenRun ? chosenRun.converged : refit!.converged,
        stepCapHit: selectionRuns.some((r) => r.stepCapHit) || wanted > cap || (!best && refit!.stepCapHit),
        lossCurve: refit!.lossCurve,
        lossSteps: refit!.lossSteps,
        nRefit: all.length,
        refitImagesSeen: seen.size,
        classWeighting: pk.classWeighting,
        backbone: f.backbone.id,
        weightsHash: f.backbone.weightsHash,
        cut: f.cut,
        trainedLayers: net.trunk.layers.filter((l) => l.trainableWeights.length).map((l) => l.name),
        trainedParameters: net.trunkVariables.reduce((s, v) => s + v.size, 0) + net.head.W.size + net.head.b.size,
        trainSeconds: Math.round((performance.now() - started) / 10) / 100,
        inputsHeld: this.heldReport(inputs),
      };
      ctx.log?.(`${ID}: chose ${JSON.stringify(chosen.config)} at ${chosen.selectionSteps ?? '-'} steps; refit ${refitSteps} steps on ${all.length} images from '${f.cut}' in ${chosen.trainSeconds} s`);
      return this.fitted(net, f, nClasses, chosen, ctx);
    } catch (err) {
      net.dispose();
      throw err;
    }
  }

  /** A fresh network (pretrained trunk copy + new head) for `use`; disposed afterwards unless `keep`. */
  private async withNetwork<T>(f: { backbone: Backbone; cut: string; end: string }, nClasses: number, seed: number, use: (net: FineTunedNetwork) => Promise<T>, keep = false): Promise<T> {
    const trunk = copyTrunk(f.backbone, f.cut, f.end);
    const net = new FineTunedNetwork(trunk, (trunk.outputs[0].shape as number[]).at(-1)!, nClasses, seed);
    try {
      const out = await use(net);
      if (!keep) net.dispose();
      return out;
    } catch (err) {
      net.dispose();
      throw err;
    }
  }

  /**
   * `steps` Adam steps over `rows` (cycled in reshuffled passes). With `onCheckpoint`, training
   * pauses at CHECKPOINTS of the run to score it, and stops early once the mean training loss falls
   * by less than convergenceTol between two checkpoints. `seen` collects every row trained on.
   */
  private async train(
    net: FineTunedNetwork,
    p: FineTunedParams,
    inputs: InputRows,
    labels: Int32Array,
    rows: number[],
    steps: number,
    ctx: FitContext,
    onCheckpoint?: (steps: number) => Promise<void>,
    seen?: Set<number>,
  ): Promise<RunRecord> {
    const nClasses = net.head.b.shape[0];
    const weights = tf.tensor1d(classWeights(rows.map((i) => labels[i]), nClasses, p.classWeighting));
    const trunkVars = net.trunkVariables;
    const headVars = [net.head.W, net.head.b];
    const headOpt = tf.train.adam(p.learningRate);
    const trunkOpt = tf.train.adam(p.backboneLearningRate);
    const fromPixels = p.trainBlocks === 'all';
    const batch = Math.min(p.batchSize, rows.length);
    const marks = checkpointSteps(steps);
    const random = rngFor('fine-tuned-batches', ctx.seed);
    const order = new PassOrder(rows, batch, random);
    const lossCurve: number[] = [];
    const lossSteps: number[] = [];
    let sum = 0;
    let count = 0;
    let step = 0;
    let converged = false;
    // Losses of steps not yet read: read LOSS_READ_EVERY at a time and at every checkpoint (the same sums as reading each step).
    let pending: tf.Tensor[] = [];
    const settle = async (): Promise<void> => {
      const losses = pending;
      pending = [];
      const values = await readScalars(losses);
      values.forEach((loss, i) => {
        if (!Number.isFinite(loss)) throw new Error(`${ID}: training diverged (step ${step - losses.length + i + 1}: loss ${loss}); lower learningRate`);
        sum += loss;
        count++;
      });
    };
    try {
      while (step < steps) {
        const part = order.next();
        part.forEach((r) => seen?.add(r));
        // Above the cap, the window holds this batch and the pass's next rows (the same batches as when held whole).
        const x = trainingBatch(await inputs.hold(part, order.upcoming()), part, p, fromPixels, random);
        const y = tf.tensor1d(part.map((r) => labels[r]), 'int32');
        const dropoutSeed = seedFor('fine-tuned-dropout', ctx.seed, step);
        const { value, grads } = tf.variableGrads(() => weightedLoss(net.logits(x, { rate: p.dropout, seed: dropoutSeed }), y, weights, nClasses), [...trunkVars, ...headVars]);
        tf.dispose([x, y]);
        headOpt.applyGradients(headVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
        if (trunkVars.length) trunkOpt.applyGradients(trunkVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
        tf.dispose(Object.values(grads));
        pending.push(value);
        step++;
        if (pending.length === LOSS_READ_EVERY) await settle();
        if (!marks.includes(step)) continue;
        await settle();
        lossCurve.push(round4(sum / count));
        lossSteps.push(step);
        sum = 0;
        count = 0;
        await onCheckpoint?.(step);
        const [prev, last] = lossCurve.slice(-2);
        if (lossCurve.length >= 2 && (prev - last) / Math.max(Math.abs(prev), 1e-12) < p.convergenceTol) {
          converged = true;
          if (onCheckpoint) break; // a selection run ends here; a refit runs the length it was given
        }
      }
      await settle(); // a divergence after the last checkpoint still fails the run
    } finally {
      tf.dispose(pending);
      weights.dispose();
      headOpt.dispose();
      trunkOpt.dispose();
    }
    const planned = Math.max(p.minStepsPerEpoch, Math.ceil(rows.length / batch)) * p.maxEpochs;
    return { steps: step, lossCurve, lossSteps, converged, stepCapHit: !converged && p.maxSteps > 0 && step === p.maxSteps && p.maxSteps < planned };
  }

  /** Primary metric and mean cross-entropy of the held-out rows. */
  private async score(net: FineTunedNetwork, held: Held, metric: SelectionMetric, nClasses: number): Promise<{ score: number; loss: number }> {
    const proba = new Float64Array(held.rows.length * nClasses);
    let loss = 0;
    const chunk = predictBatch(held.inputs);
    for (let i = 0; i < held.rows.length; i += chunk) {
      const part = held.rows.slice(i, i + chunk);
      const x = await held.inputs.hold(part, following(held.rows, i + chunk));
      const logp = tf.tidy(() => tf.logSoftmax(net.logits(x.batch(part))));
      let values: Float32Array;
      try {
        values = (await logp.data()) as Float32Array;
      } finally {
        logp.dispose();
      }
      part.forEach((r, j) => {
        loss -= values[j * nClasses + held.labels[r]];
        for (let c = 0; c < nClasses; c++) proba[(i + j) * nClasses + c] = Math.exp(values[j * nClasses + c]);
      });
    }
    const truth = held.rows.map((r) => held.labels[r]);
    const classes = Array.from({ length: nClasses }, (_, c) => c);
    return { score: selectionScore(metric, truth, { rows: held.rows.length, cols: nClasses, data: proba }, classes), loss: loss / held.rows.length };
  }

  private fitted(net: FineTunedNetwork, f: { backbone: Backbone; cut: string; source?: TapSource }, nClasses: number, chosen: Record<string, unknown>, ctx: FitContext): FittedModel {
    let disposed = false;
    return {
      predictProba: async (images) => {
        if (disposed) throw new Error(`${ID}: predictProba called after dispose()`);
        checkImages(ID, images, this.params, 'test');
        // Whole when the test set fits mapsInMemoryMiB, else in windows of consecutive rows.
        const inputs = this.inputs(images, f, ctx);
        const all = Array.from({ length: inputs.n }, (_, k) => k);
        const chunk = predictBatch(inputs);
        const out: number[][] = [];
        for (let i = 0; i < inputs.n; i += chunk) {
          const rows = all.slice(i, i + chunk);
          const x = await inputs.hold(rows, following(all, i + chunk));
          const proba = tf.tidy(() => tf.softmax(net.logits(x.batch(rows))));
          try {
            out.push(...((await proba.array()) as number[][]));
          } finally {
            proba.dispose();
          }
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

export const fineTunedSpec: MethodSpec<FineTunedParams> = defineMethod<FineTunedParams>({
  id: ID,
  description:
    'The pretrained backbone with a new linear head, fine-tuned with labels (cross-entropy, Adam, flips); learning rate and training length chosen on held-out labels with the primary metric, then refit on every labelled image; trains the last trainBlocks blocks from the cached cut-point maps',
  params: FINE_TUNED_PARAMS,
  tunable: TUNABLE,
  build: (params) => new FineTunedMethod(params),
});

registerMethod(fineTunedSpec);
