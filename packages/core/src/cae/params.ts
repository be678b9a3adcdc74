/** Parameters of the (zero-bias) convolutional auto-encoder: declared once, with defaults, rules and docs. */
import { param, parseMethodParams, z } from '../method/params.js';

/**
 * `trec`: h = z·[z > θ]; `tlin`: h = z·[|z| > θ] (Konda et al., ICLR 2015). `relu`: h = max(z, 0),
 * for the ordinary-CAE ablation (`bias: true, activation: 'relu'`).
 */
export type CaeActivation = 'trec' | 'tlin' | 'relu';
export const CAE_ACTIVATIONS = ['trec', 'tlin', 'relu'] as const satisfies readonly CaeActivation[];

/** Pooling applied to a layer's codes before the next layer is trained on them. */
export type CaePoolBetween = 'none' | 'max2' | 'avg2';
const CAE_POOL_BETWEEN = ['none', 'max2', 'avg2'] as const satisfies readonly CaePoolBetween[];

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
 * The auto-encoder's parameters (every CAE method has them) with the defaults of one `ZeroBiasCAE`:
 * a single 1×1 layer, 320 → 2048, overcomplete at every position as zero-bias auto-encoders intend;
 * θ = 1 TRec on standardised inputs keeps a minority of units non-zero (cae.test.ts checks sparsity
 * and that no unit is dead). The `zero-bias-cae` method's own default is the paper's structure, two
 * stacked layers with a 3×3 kernel first (method.ts); what each width and kernel costs is printed by
 * `pnpm bench` (bench/cae.bench.ts).
 */
export const CAE_PARAMS = {
  layers: param.wholeNumber(1).default(1).describe('stacked CAE layers, trained greedily'),
  filters: param.perLayer().default(2048).describe('code channels per layer, one value or one per layer (overcomplete: > input channels)'),
  kernelSize: param.perLayer().default(1).describe('odd conv kernel size, one value or one per layer'),
  activation: param.oneOf(CAE_ACTIVATIONS).default('trec').describe("'trec' z·[z>θ], 'tlin' z·[|z|>θ] (Konda et al. 2015) or 'relu' (ordinary CAE)"),
  theta: param.nonNegative().default(1.0).describe('fixed threshold θ of trec/tlin'),
  bias: param.flag().default(false).describe('encoder bias (false = zero-bias)'),
  decoderBias: param.flag().default(true).describe('decoder bias'),
  tied: param.flag().default(true).describe('decoder weights = encoder weightsᵀ'),
  poolBetween: param.oneOf(CAE_POOL_BETWEEN).default('none').describe("pooling between stacked layers: 'none', 'max2', 'avg2'"),
  epochs: param.wholeNumber(1).default(4).describe('CAE training epochs'),
  batchSize: param.wholeNumber(1).default(256).describe('patches per Adam step'),
  learningRate: param.positive().default(1e-3).describe('Adam learning rate'),
  patchesPerMap: param.wholeNumber(1).default(8).describe('random k×k patches per map per epoch'),
  standardise: param.flag().default(true).describe('per-channel standardisation of the input maps, fitted on the CAE training pool'),
};

/** Rules across the CAE's parameters: per-layer lists as long as `layers`, odd kernels. */
export function checkCaeLayers(p: { layers: number; filters: number | number[]; kernelSize: number | number[] }, ctx: z.RefinementCtx): void {
  for (const name of ['filters', 'kernelSize'] as const) {
    const v = p[name];
    if (Array.isArray(v) && v.length !== p.layers) ctx.addIssue({ code: 'custom', path: [name], message: `has ${v.length} values but layers = ${p.layers}` });
  }
  const kernels = Array.isArray(p.kernelSize) ? p.kernelSize : [p.kernelSize];
  if (kernels.some((k) => k % 2 !== 1)) ctx.addIssue({ code: 'custom', path: ['kernelSize'], message: 'must be odd (same padding)' });
}

const CAE_SCHEMA = z
  .object({ ...CAE_PARAMS, seed: z.number().int({ error: 'must be an integer' }).default(0).describe('seed of the initial weights and the patches') })
  .superRefine(checkCaeLayers);

/** Defaults of one `ZeroBiasCAE`. */
export const CAE_DEFAULTS: Readonly<CaeParams> = Object.freeze(CAE_SCHEMA.parse({}) as CaeParams);

/** One resolved layer of the stack. */
export interface CaeLayerSpec {
  filters: number;
  kernelSize: number;
}

/** Merge over the defaults and validate; unknown names and bad values are errors naming them. */
export function resolveCaeParams(params: Partial<CaeParams> = {}): CaeParams {
  return parseMethodParams<CaeParams>('CAE', CAE_SCHEMA, params);
}

export function caeLayers(p: CaeParams): CaeLayerSpec[] {
  const perLayer = (v: number | number[]) => (Array.isArray(v) ? v : new Array<number>(p.layers).fill(v));
  const filters = perLayer(p.filters);
  const kernels = perLayer(p.kernelSize);
  return filters.map((f, i) => ({ filters: f, kernelSize: kernels[i] }));
}
