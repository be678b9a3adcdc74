/** Parameters of the (zero-bias) convolutional auto-encoder, with defaults and validation. */

/**
 * `trec`: h = z·[z > θ]; `tlin`: h = z·[|z| > θ] (Konda et al., ICLR 2015). `relu`: h = max(z, 0),
 * for the ordinary-CAE ablation (`bias: true, activation: 'relu'`).
 */
export type CaeActivation = 'trec' | 'tlin' | 'relu';
export const CAE_ACTIVATIONS: readonly CaeActivation[] = ['trec', 'tlin', 'relu'];

/** Pooling applied to a layer's codes before the next layer is trained on them. */
export type CaePoolBetween = 'none' | 'max2' | 'avg2';

export interface CaeParams {
  /** Number of stacked layers, trained greedily (layer l on the codes of layers < l). */
  layers: number;
  /** Code channels, one value for every layer or one per layer. */
  filters: number | number[];
  /** Odd kernel size, one value or one per layer. */
  kernelSize: number | number[];
  activation: CaeActivation;
  /** Fixed (not learned) threshold θ of `trec`/`tlin`; ignored by `relu`. */
  theta: number;
  /** Encoder bias: false for the zero-bias auto-encoder. */
  bias: boolean;
  /** Decoder bias (allowed by Konda et al.). */
  decoderBias: boolean;
  /** Decoder weights = transpose of the encoder's. */
  tied: boolean;
  /** Pooling between stacked layers. */
  poolBetween: CaePoolBetween;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Random k×k patches drawn per map per epoch (training is on patches; encoding on full maps). */
  patchesPerMap: number;
  /** Standardise each input channel with the unlabelled pool's mean and std before layer 1. */
  standardise: boolean;
  seed: number;
}

/**
 * Defaults of one `ZeroBiasCAE` (a single layer; the `zero-bias-cae` method stacks two, see
 * method.ts): a 1×1, 320 → 2048 code is overcomplete at every position, as zero-bias auto-encoders
 * intend; θ = 1 TRec on standardised inputs keeps a minority of units non-zero (cae.test.ts checks
 * sparsity and that no unit is dead). 3×3 kernels and wider codes are parameters; what each costs is
 * printed by `pnpm bench` (bench/cae.bench.ts) and tabled in the README.
 */
export const CAE_DEFAULTS: Readonly<CaeParams> = Object.freeze({
  layers: 1,
  filters: 2048,
  kernelSize: 1,
  activation: 'trec',
  theta: 1.0,
  bias: false,
  decoderBias: true,
  tied: true,
  poolBetween: 'none',
  epochs: 4,
  batchSize: 256,
  learningRate: 1e-3,
  patchesPerMap: 8,
  standardise: true,
  seed: 0,
});

/** One resolved layer of the stack. */
export interface CaeLayerSpec {
  filters: number;
  kernelSize: number;
}

function perLayer(name: string, value: number | number[], layers: number): number[] {
  if (Array.isArray(value)) {
    if (value.length !== layers) {
      throw new Error(`CAE parameter ${name} has ${value.length} values but layers = ${layers}`);
    }
    return value;
  }
  return new Array<number>(layers).fill(value);
}

function positiveInt(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`CAE parameter ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
}

/** Merge over the defaults and validate; unknown names and bad values are errors naming them. */
export function resolveCaeParams(params: Partial<CaeParams> = {}): CaeParams {
  for (const key of Object.keys(params)) {
    if (!(key in CAE_DEFAULTS)) {
      throw new Error(`Unknown CAE parameter '${key}'; known: ${Object.keys(CAE_DEFAULTS).join(', ')}`);
    }
  }
  const p: CaeParams = { ...CAE_DEFAULTS, ...params };
  for (const name of ['layers', 'epochs', 'batchSize', 'patchesPerMap'] as const) positiveInt(name, p[name]);
  if (!Number.isInteger(p.seed)) throw new Error(`CAE parameter seed must be an integer, got ${p.seed}`);
  if (!CAE_ACTIVATIONS.includes(p.activation)) {
    throw new Error(`Unknown CAE activation '${p.activation}'; known: ${CAE_ACTIVATIONS.join(', ')}`);
  }
  if (!['none', 'max2', 'avg2'].includes(p.poolBetween)) {
    throw new Error(`Unknown CAE poolBetween '${p.poolBetween}'; known: none, max2, avg2`);
  }
  if (!(Number.isFinite(p.theta) && p.theta >= 0)) throw new Error(`CAE parameter theta must be ≥ 0, got ${p.theta}`);
  if (!(Number.isFinite(p.learningRate) && p.learningRate > 0)) {
    throw new Error(`CAE parameter learningRate must be > 0, got ${p.learningRate}`);
  }
  for (const layer of caeLayers(p)) {
    positiveInt('filters', layer.filters);
    positiveInt('kernelSize', layer.kernelSize);
    if (layer.kernelSize % 2 !== 1) throw new Error(`CAE kernelSize must be odd (same padding), got ${layer.kernelSize}`);
  }
  return p;
}

export function caeLayers(p: CaeParams): CaeLayerSpec[] {
  const filters = perLayer('filters', p.filters, p.layers);
  const kernels = perLayer('kernelSize', p.kernelSize, p.layers);
  return filters.map((f, i) => ({ filters: f, kernelSize: kernels[i] }));
}
