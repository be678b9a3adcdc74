import { beforeAll, describe, expect, it } from 'vitest';
import { channelStats, createMethod, initBackend, MemoryStageStore, pooledFeatures, scaledCandidates, tapMaps, type FeatureMaps } from '@udtl/core';
import { applyBudget, loadDataset, stratifiedKFold, type BudgetedFold, type Dataset } from '@udtl/datasets';
import { poolChannelStats, poolStatsKey, standardisePooled } from '../src/pool-standardise.js';
import { pretrainedTapSource } from '../src/common.js';
import { transferLearnedSpec } from '../src/transfer-learned.js';
import { tempDir } from './helpers.js';
import '../src/index.js';

const cacheDir = tempDir('baselines-std');
const opts = { size: 224, mode: 'resize' as const };
let ds: Dataset;
let fold: BudgetedFold;

beforeAll(async () => {
  await initBackend();
  ds = await loadDataset('mednist-tiny');
  const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
  fold = applyBudget(f, ds.samples, { perClass: 3 }, 0);
}, 300_000);

/** Seeded maps n × 3 × 3 × c with channel-dependent means and scales. */
function maps(n: number, c: number, seed: number): FeatureMaps {
  const data = new Float32Array(n * 9 * c);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const ch = i % c;
    data[i] = ch * 2 + (1 + ch) * (s / 2 ** 31 - 0.5);
  }
  return { n, height: 3, width: 3, channels: c, data };
}

function concat(a: FeatureMaps, b: FeatureMaps): FeatureMaps {
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { ...a, n: a.n + b.n, data };
}

describe('pool standardisation', () => {
  it("equals core's channelStats of the concatenated maps (the CAE's input statistics)", () => {
    const [a, b] = [maps(5, 4, 1), maps(7, 4, 2)];
    const mine = poolChannelStats([a, b]);
    const core = channelStats(concat(a, b));
    expect(mine.n).toBe(12);
    for (let j = 0; j < 4; j++) {
      expect(mine.mean[j]).toBeCloseTo(core.mean[j], 5);
      expect(mine.invStd[j]).toBeCloseTo(core.invStd[j], 4);
    }
    expect(() => poolChannelStats([])).toThrow(/no maps/);
  });

  it('standardising pooled features equals pooling standardised maps, for every pooling mode', async () => {
    const m = maps(6, 4, 3);
    const stats = poolChannelStats([m]);
    const standardised: FeatureMaps = { ...m, data: Float32Array.from(m.data, (v, i) => (v - stats.mean[i % 4]) * stats.invStd[i % 4]) };
    for (const pool of ['avg', 'max', 'avgmax', 'pyramid'] as const) {
      const want = await pooledFeatures(standardised, { pool });
      const got = standardisePooled(await pooledFeatures(m, { pool }), stats);
      got.data.forEach((v, i) => expect(v, `${pool}[${i}]`).toBeCloseTo(want.data[i], 4));
    }
  });
});

describe('transfer-learned-standardised', () => {
  it("standardises with the fold's training images only (labelled ∪ unlabelled), never a test image; predictions do not depend on the test batch", async () => {
    const stages = new MemoryStageStore();
    const labelled = ds.labelledSet(fold.labelled, opts);
    const unlabelled = ds.images(fold.unlabelled, opts);
    const model = await createMethod('transfer-learned-standardised', { grid: [{}] }).fit({ labelled, unlabelled }, { seed: 0, cacheDir, stages });
    const chosen = model.chosen() as Record<string, any>;
    expect(chosen.standardise).toBe('pool');
    expect(chosen.standardisationImages).toBe(fold.labelled.length + fold.unlabelled.length);
    expect(chosen.standardisationImages).toBe(fold.train.length);

    // The statistics it kept are those of the training images' maps, not of any set that includes test images.
    const source = await pretrainedTapSource('mobilenet-v2-1.0', 224, chosen.tap, { seed: 0, cacheDir });
    const key = poolStatsKey(source, labelled.images.datasetHash, 'resize', [...fold.labelled, ...fold.unlabelled]);
    const kept = stages.get<ReturnType<typeof poolChannelStats>>(key)!;
    expect(kept).toBeDefined();
    const trainMaps = await tapMaps(ds.images(fold.train, opts), source, { cacheDir });
    const want = poolChannelStats([trainMaps]);
    const withTest = poolChannelStats([trainMaps, await tapMaps(ds.images(fold.test, opts), source, { cacheDir })]);
    const maxDiff = (a: Float64Array, b: Float64Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(maxDiff(kept.mean, want.mean)).toBeLessThan(1e-4);
    expect(maxDiff(withTest.mean, want.mean)).toBeGreaterThan(1e-3); // the check could tell the two apart

    // A test image's probabilities are the same alone or in a batch with the others.
    const all = await model.predictProba(ds.images(fold.test, opts));
    const one = await model.predictProba(ds.images(fold.test.slice(3, 4), opts));
    one[0].forEach((p, c) => expect(p).toBeCloseTo(all[3][c], 6));
    model.dispose();
  });

  it('records its C grid (scaled to the feature dimension) and where the chosen C lies in it', async () => {
    const labelled = ds.labelledSet(fold.labelled, opts);
    for (const id of ['transfer-learned', 'transfer-learned-standardised']) {
      const model = await createMethod(id).fit({ labelled, unlabelled: ds.images(fold.unlabelled, opts) }, { seed: 0, cacheDir, primaryMetric: 'macro_f1' });
      const c = model.chosen() as Record<string, any>;
      expect(c.cGrid).toEqual(scaledCandidates(transferLearnedSpec.defaults.cCandidates, c.featureDim));
      expect(c.cGrid).toContain(c.C);
      expect(c.cEdge).toBe(c.C === c.cGrid[0] ? 'low' : c.C === c.cGrid[3] ? 'high' : 'inside');
      expect(c.selectionMetric).toBe('macro_f1');
      expect(c.cScaling).toBe('feature-dimension');
      model.dispose();
    }
  });
});
