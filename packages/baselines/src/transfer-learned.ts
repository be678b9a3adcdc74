/**
 * `transfer-learned`: the frozen ImageNet backbone's maps at zero-bias-cae's tap, pooled the same
 * way, into the same classifier. The only thing missing compared with the proposed method is the
 * auto-encoder, so the comparison isolates what the CAE adds.
 */
import { defineMethod, expandGrid, fitProbe, param, pooledTapFeatures, prepareTapMaps, registerMethod, tapMapBatches, withDefaults, z, type FitContext, type FitData, type FittedModel, type Method, type MethodSpec, type ProbeCandidate, type TapSource } from '@udtl/core';
import type { ImageSet, ResizeMode } from '@udtl/datasets';
import { BACKBONE_PARAMS, checkFitData, checkImages, gridDoc, pretrainedTapSource, PROBE_PARAMS, type ProbeParams } from './common.js';
import { PoolStatsAccumulator, poolStatsKey, standardisePooled, type PoolChannelStats } from './pool-standardise.js';

/**
 * Where the features' scale comes from: 'labelled' = a StandardScaler fitted on the labelled
 * images' pooled features (every probe method); 'pool' = per-channel statistics of the tap maps of
 * the fold's training images, labelled ∪ unlabelled (the pool and the statistics zero-bias-cae's
 * CAE standardises its input with), and no scaler fitted on the labelled images — with one, the
 * pool standardisation would be undone exactly, since a linear probe is invariant to it.
 */
export type Standardise = 'labelled' | 'pool';

export type TransferLearnedParams = ProbeParams & {
  backbone: string;
  tap: string;
  inputSize: number;
  resizeMode: ResizeMode;
  extractBatchSize: number;
  standardise: Standardise;
};

/** What a grid entry may change. */
export const PROBE_TUNABLE = ['tap', 'pool'];

/** transfer-learned's parameters (random-backbone and the standardised control change a few). */
export const TRANSFER_LEARNED_PARAMS = {
  ...BACKBONE_PARAMS,
  ...PROBE_PARAMS,
  // Two configurations × four C values: the same number of candidates as zero-bias-cae's grid.
  // The tap is what a frozen-feature probe would tune: the CAE's 320-channel input or the
  // network's 1280-channel output.
  grid: param.grid().default([{}, { tap: 'out_relu' }]).describe(gridDoc(PROBE_TUNABLE)),
  standardise: param
    .oneOf(['labelled', 'pool'])
    .default('labelled')
    .describe("'labelled': a StandardScaler fitted on the labelled images' features; 'pool': per-channel statistics of the maps of the fold's training images (labelled ∪ unlabelled, the pool zero-bias-cae standardises its CAE input with), no scaler fitted on the labelled images"),
};

const ID = 'transfer-learned';
/** Maps per batch when computing pool statistics (bounds memory, not results). */
const STATS_BATCH = 256;

/**
 * Frozen backbone maps → pooled features → the probe shared with zero-bias-cae. Subclasses change
 * only where the maps come from (`source`) and what they add to `chosen()`.
 */
export class TransferLearnedMethod<P extends TransferLearnedParams = TransferLearnedParams> implements Method {
  readonly id: string = ID;
  readonly params: Readonly<P>;

  /** `params` are complete and valid (the spec's schema checked them, grid configurations included). */
  constructor(params: P, id: string = ID) {
    this.id = id;
    this.params = Object.freeze(params);
  }

  /** Where the maps of configuration `p` come from. */
  protected source(p: P, ctx: FitContext): Promise<TapSource> {
    return pretrainedTapSource(p.backbone, p.inputSize, p.tap, ctx);
  }

  protected chosenExtra(): Record<string, unknown> {
    return {};
  }

  private configs(): P[] {
    return expandGrid(this.params, this.params.grid);
  }

  async prepare(images: ImageSet, ctx: FitContext): Promise<void> {
    checkImages(this.id, images, this.params, 'prepared');
    for (const pk of this.configs()) {
      await prepareTapMaps(images, await this.source(pk, ctx), { cacheDir: ctx.cacheDir, batchSize: pk.extractBatchSize, log: ctx.log });
    }
  }

  async fit(data: FitData, ctx: FitContext): Promise<FittedModel> {
    const { labelled, validation } = data;
    checkFitData(this.id, data, this.params);
    const byPool = this.params.standardise === 'pool';
    const candidates: ProbeCandidate[] = [];
    for (const [k, pk] of this.configs().entries()) {
      const source = await this.source(pk, ctx);
      const stats = byPool ? await this.poolStats(pk, source, data, ctx) : undefined;
      candidates.push({
        config: this.params.grid[k],
        features: async (images) => {
          checkImages(this.id, images, pk, 'test');
          // Pooled batch by batch from the feature cache: a whole set's maps are never held.
          const X = await pooledTapFeatures(images, source, { pool: pk.pool }, { cacheDir: ctx.cacheDir, batchSize: pk.extractBatchSize, log: ctx.log });
          return stats ? standardisePooled(X, stats) : X;
        },
        chosen: () => ({
          backbone: source.backboneId,
          weightsHash: source.weightsHash,
          tap: source.tap,
          standardise: this.params.standardise,
          ...(stats ? { standardisationImages: stats.n } : {}),
          ...this.chosenExtra(),
        }),
      });
    }
    return fitProbe({ methodId: this.id, candidates, labelled, validation, params: this.params, seed: ctx.seed, metric: ctx.primaryMetric, standardize: !byPool });
  }

  /**
   * Channel statistics of the fold's training images (labelled ∪ unlabelled; never a test or
   * validation image), memoised per pool and source: every budget and draw of a fold shares them.
   */
  private async poolStats(pk: P, source: TapSource, { labelled, unlabelled }: FitData, ctx: FitContext): Promise<PoolChannelStats> {
    const ids = [...labelled.images.ids, ...unlabelled.ids];
    const key = poolStatsKey(source, labelled.images.datasetHash, labelled.images.resizeMode, ids);
    const memo = ctx.stages?.get<PoolChannelStats>(key);
    if (memo) return memo;
    const opts = { cacheDir: ctx.cacheDir, batchSize: pk.extractBatchSize, log: ctx.log };
    // Batch by batch from the feature cache: the pool's maps are never held.
    const acc = new PoolStatsAccumulator();
    for (const set of unlabelled.ids.length ? [labelled.images, unlabelled] : [labelled.images]) {
      for await (const maps of tapMapBatches(set, source, STATS_BATCH, opts)) acc.add(maps);
    }
    const stats = acc.result();
    ctx.stages?.set(key, stats);
    return stats;
  }
}

export const transferLearnedSpec: MethodSpec<TransferLearnedParams> = defineMethod<TransferLearnedParams>({
  id: ID,
  description: 'Frozen ImageNet backbone maps at the zero-bias-cae tap, pooled the same way → the same scaled linear classifier (C by inner CV); no auto-encoder',
  params: z.object(TRANSFER_LEARNED_PARAMS),
  tunable: PROBE_TUNABLE,
  build: (params) => new TransferLearnedMethod(params),
});

registerMethod(transferLearnedSpec);

const STANDARDISED_ID = 'transfer-learned-standardised';

/** The control for "a CAE gain is not a standardisation gain": transfer-learned with the CAE's pool statistics. */
export const transferLearnedStandardisedSpec: MethodSpec<TransferLearnedParams> = defineMethod<TransferLearnedParams>({
  id: STANDARDISED_ID,
  description:
    "transfer-learned with its features standardised by per-channel statistics of the fold's training images (labelled ∪ unlabelled, as zero-bias-cae's CAE input) instead of a scaler fitted on the labelled images",
  params: z.object(withDefaults(TRANSFER_LEARNED_PARAMS, { standardise: 'pool' })),
  tunable: PROBE_TUNABLE,
  build: (params) => new TransferLearnedMethod(params, STANDARDISED_ID),
});

registerMethod(transferLearnedStandardisedSpec);
