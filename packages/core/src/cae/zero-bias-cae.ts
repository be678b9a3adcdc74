import * as tf from '@tensorflow/tfjs-core';
import { Adam, activate, lossAndGrads, type LayerWeights } from './layer.js';
import { checkFeatureMaps, readScalars, type FeatureMaps } from '@udtl/backbones';
import { channelStats, identityStats, type ChannelStats } from './maps.js';
import { caeLayers, resolveCaeParams, type CaeLayerSpec, type CaeParams } from './params.js';
import { samplePatches } from './patches.js';
import { mulberry32, normalArray, rngFor } from './random.js';

export interface CaeEpochLog {
  layer: number;
  epoch: number;
  /** Mean reconstruction MSE over the epoch's patches (standardised units for layer 0). */
  loss: number;
}

/** A loss this many times the first batch's loss counts as divergence. */
const EXPLODE_FACTOR = 1e4;
/** Maps per batch when encoding full maps (bounds peak memory, not results). */
const ENCODE_BATCH = 64;
/** Training steps whose losses are read together: each read waits for a GPU backend's queue to drain. */
const LOSS_READ_EVERY = 32;

interface FittedLayer {
  spec: CaeLayerSpec;
  inChannels: number;
  weights: LayerWeights;
  /** Conv kernel [k, k, C, F] (a reshape of W) and encoder bias, for full-map encoding. */
  kernel: tf.Tensor4D;
}

/**
 * The zero-bias convolutional auto-encoder (Konda et al., ICLR 2015) used by Ahn et al. (ISBI 2019)
 * on frozen CNN feature maps. scikit-learn style: `new ZeroBiasCAE(params)` stores parameters,
 * `fit(maps)` learns (layer by layer, on random k×k patches, Adam, MSE), `encode(x)` maps full
 * feature maps [N, H, W, C] to codes with the learned convolutions. Seeded and deterministic.
 * Owns tensors: call `dispose()`.
 */
export class ZeroBiasCAE {
  readonly params: CaeParams;
  readonly history: CaeEpochLog[] = [];
  private layers: FittedLayer[] = [];
  private stats?: ChannelStats;
  private statsTensors?: { mean: tf.Tensor1D; invStd: tf.Tensor1D };

  constructor(params: Partial<CaeParams> = {}) {
    this.params = resolveCaeParams(params);
  }

  get fitted(): boolean {
    return this.layers.length === this.params.layers;
  }

  /** Output channels of `encode`. */
  get codeChannels(): number {
    return caeLayers(this.params).at(-1)!.filters;
  }

  /** Per-channel input statistics fitted on the training maps (identity when `standardise` is off). */
  get inputStats(): ChannelStats | undefined {
    return this.stats;
  }

  async fit(maps: FeatureMaps, opts: { log?: (message: string) => void } = {}): Promise<this> {
    checkFeatureMaps(maps, 'CAE training maps');
    if (maps.n === 0) throw new Error('Cannot fit the CAE: the unlabelled pool is empty (0 feature maps)');
    this.disposeWeights();
    this.history.length = 0;
    this.stats = this.params.standardise ? channelStats(maps) : identityStats(maps.channels);
    this.statsTensors = { mean: tf.tensor1d(this.stats.mean), invStd: tf.tensor1d(this.stats.invStd) };
    let input = maps;
    let stats = this.stats;
    const specs = caeLayers(this.params);
    for (const [l, spec] of specs.entries()) {
      if (l > 0) {
        input = await this.encodeLayerMaps(input, l - 1);
        stats = identityStats(input.channels);
      }
      this.layers.push(await this.trainLayer(input, stats, spec, l, opts.log));
    }
    return this;
  }

  /** Codes of full maps [N, H, W, C] → [N, H', W', F] (H' = H unless poolBetween shrinks it). */
  encode(x: tf.Tensor4D): tf.Tensor4D {
    if (!this.fitted || !this.statsTensors) throw new Error('ZeroBiasCAE.encode called before fit');
    const c = this.layers[0].inChannels;
    if (x.rank !== 4 || x.shape[3] !== c) {
      throw new Error(`ZeroBiasCAE.encode expects [N, H, W, ${c}] maps, got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let h: tf.Tensor4D = tf.mul(tf.sub(x, this.statsTensors!.mean), this.statsTensors!.invStd);
      this.layers.forEach((_, l) => {
        if (l > 0) h = this.poolBetween(h);
        h = this.encodeLayer(h, l);
      });
      return h;
    });
  }

  /** Fraction of non-zero code units of `encode(x)`. */
  async codeDensity(x: tf.Tensor4D): Promise<number> {
    const density = tf.tidy(() => tf.mean(tf.cast(tf.notEqual(this.encode(x), 0), 'float32')));
    try {
      return (await density.data())[0];
    } finally {
      density.dispose();
    }
  }

  /** Mean reconstruction MSE of layer 0 on `rows` fresh random patches of `maps` (seeded). */
  async patchLoss(maps: FeatureMaps, rows: number, seed: number): Promise<number> {
    if (!this.fitted || !this.stats) throw new Error('ZeroBiasCAE.patchLoss called before fit');
    const layer = this.layers[0];
    const d = layer.spec.kernelSize ** 2 * layer.inChannels;
    const buf = new Float32Array(rows * d);
    samplePatches(maps, layer.spec.kernelSize, this.stats, mulberry32(seed), rows, buf);
    const loss = tf.tidy(() => lossAndGrads(tf.tensor2d(buf, [rows, d]), layer.weights, this.params.activation, this.params.theta).loss);
    try {
      return (await loss.data())[0];
    } finally {
      loss.dispose();
    }
  }

  /** Copies of the learned weights (JS arrays), e.g. for inspection or saving. */
  async weights(): Promise<Array<Record<string, { shape: number[]; data: Float32Array }>>> {
    const all: Array<Record<string, { shape: number[]; data: Float32Array }>> = [];
    for (const layer of this.layers) {
      const out: Record<string, { shape: number[]; data: Float32Array }> = {};
      for (const [name, t] of Object.entries(layer.weights)) {
        if (t) out[name] = { shape: t.shape.slice(), data: (await (t as tf.Tensor).data()) as Float32Array };
      }
      all.push(out);
    }
    return all;
  }

  dispose(): void {
    this.disposeWeights();
  }

  private disposeWeights(): void {
    for (const layer of this.layers) {
      for (const t of Object.values(layer.weights)) t?.dispose();
      layer.kernel.dispose();
    }
    this.layers = [];
    this.statsTensors?.mean.dispose();
    this.statsTensors?.invStd.dispose();
    this.statsTensors = undefined;
  }

  private initWeights(d: number, f: number, rng: () => number): LayerWeights {
    // N(0, 1/D): with standardised inputs z ≈ N(0, 1) at start, so θ = 1 keeps ~16% of units.
    const w: LayerWeights = { W: tf.tensor2d(normalArray(d * f, 1 / Math.sqrt(d), rng), [d, f]) };
    if (!this.params.tied) w.V = tf.tensor2d(normalArray(f * d, 1 / Math.sqrt(f), rng), [f, d]);
    if (this.params.bias) w.b = tf.zeros([f]);
    if (this.params.decoderBias) w.c = tf.zeros([d]);
    return w;
  }

  private async trainLayer(
    maps: FeatureMaps,
    stats: ChannelStats,
    spec: CaeLayerSpec,
    l: number,
    log?: (message: string) => void,
  ): Promise<FittedLayer> {
    const { epochs, batchSize, patchesPerMap, learningRate, activation, theta, seed } = this.params;
    const k = spec.kernelSize;
    const d = k * k * maps.channels;
    let weights = this.initWeights(d, spec.filters, rngFor('cae-init', seed, l));
    const adam = new Adam(learningRate);
    const buf = new Float32Array(batchSize * d);
    const total = maps.n * patchesPerMap;
    let firstLoss: number | undefined;
    // Losses of steps not yet read: read LOSS_READ_EVERY at a time (a divergence stops training at the
    // next read, naming its first step; the recorded sums are the same as reading every step).
    let pending: Array<{ loss: tf.Scalar; rows: number; step: number }> = [];
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const rng = rngFor('cae-patches', seed, l, epoch);
        let sum = 0;
        const settle = async (): Promise<void> => {
          const steps = pending;
          pending = [];
          const values = await readScalars(steps.map((s) => s.loss));
          steps.forEach(({ rows, step }, i) => {
            const value = values[i];
            firstLoss ??= value;
            if (!Number.isFinite(value) || value > EXPLODE_FACTOR * Math.max(firstLoss, 1e-12)) {
              throw new Error(
                `CAE training diverged (layer ${l}, epoch ${epoch}, step ${step}): loss ${value} ` +
                  `(first batch ${firstLoss}); lower learningRate (now ${learningRate}) or check the input maps for NaN/Inf`,
              );
            }
            sum += value * rows;
          });
        };
        for (let done = 0, step = 0; done < total; step++) {
          const rows = Math.min(batchSize, total - done);
          samplePatches(maps, k, stats, rng, rows, buf);
          const x = tf.tensor2d(buf.subarray(0, rows * d), [rows, d]);
          const { loss, grads } = lossAndGrads(x, weights, activation, theta);
          x.dispose();
          pending.push({ loss, rows, step });
          weights = adam.step(weights, grads);
          for (const g of Object.values(grads)) g?.dispose();
          done += rows;
          if (pending.length === LOSS_READ_EVERY) await settle();
        }
        await settle();
        const entry = { layer: l, epoch, loss: sum / total };
        this.history.push(entry);
        log?.(`CAE layer ${l} epoch ${epoch + 1}/${epochs}: loss ${entry.loss.toFixed(5)}`);
      }
    } catch (err) {
      tf.dispose(pending.map((s) => s.loss));
      for (const t of Object.values(weights)) t?.dispose();
      throw err;
    } finally {
      adam.dispose();
    }
    const kernel = tf.reshape(weights.W, [k, k, maps.channels, spec.filters]) as tf.Tensor4D;
    return { spec, inChannels: maps.channels, weights, kernel };
  }

  private encodeLayer(x: tf.Tensor4D, l: number): tf.Tensor4D {
    const { kernel, weights } = this.layers[l];
    return tf.tidy(() => {
      let z: tf.Tensor4D = tf.conv2d(x, kernel, 1, 'same');
      if (weights.b) z = tf.add(z, weights.b);
      return activate(z, this.params.activation, this.params.theta);
    });
  }

  private poolBetween(x: tf.Tensor4D): tf.Tensor4D {
    if (this.params.poolBetween === 'max2') return tf.maxPool(x, 2, 2, 'same');
    if (this.params.poolBetween === 'avg2') return tf.avgPool(x, 2, 2, 'same');
    return x;
  }

  /** Pooled codes of layer l for JS-held maps of its input (the next layer's training input). */
  private async encodeLayerMaps(maps: FeatureMaps, l: number): Promise<FeatureMaps> {
    const { n, height: h, width: w, channels: c } = maps;
    const parts: Float32Array[] = [];
    let shape: number[] = [n, h, w, c];
    for (let i = 0; i < n; i += ENCODE_BATCH) {
      const m = Math.min(ENCODE_BATCH, n - i);
      const out = tf.tidy(() => {
        let x: tf.Tensor4D = tf.tensor4d(maps.data.subarray(i * h * w * c, (i + m) * h * w * c), [m, h, w, c]);
        if (l === 0) x = tf.mul(tf.sub(x, this.statsTensors!.mean), this.statsTensors!.invStd);
        return this.poolBetween(this.encodeLayer(x, l));
      });
      shape = out.shape;
      try {
        parts.push((await out.data()) as Float32Array);
      } finally {
        out.dispose();
      }
    }
    const data = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      data.set(p, o);
      o += p.length;
    }
    return { n, height: shape[1], width: shape[2], channels: shape[3], data };
  }
}
