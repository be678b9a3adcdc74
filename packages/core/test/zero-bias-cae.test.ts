import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyBudget, loadDataset, stratifiedKFold, type Dataset, type BudgetedFold } from '@udtl/datasets';
import { initBackend } from '@udtl/backbones';
import { MemoryStageStore } from '../src/method/index.js';
import { ZERO_BIAS_CAE_DEFAULTS } from '../src/cae/index.js';
import { balancedAccuracy } from '../src/classifiers/index.js';
import { createMethod, getMethodSpec } from '../src/method/registry.js';
import { checkMethod, METHOD_CHECKS } from '../src/method/conformance.js';
import type { FitContext } from '../src/method/contract.js';

// Real fixture images (mednist-tiny: 6 classes × 10 JPEGs of /work/shared/data/fixtures) through the
// real default backbone (MobileNetV2 1.0 at 224, tap block_16_project) and the default CAE.
let ds: Dataset;
let fold: BudgetedFold;
const cacheDir = mkdtempSync(join(tmpdir(), 'udtl-zbcae-'));

beforeAll(async () => {
  await initBackend();
  ds = await loadDataset('mednist-tiny');
  const [f] = stratifiedKFold(ds.samples, { k: 3, seed: 0 });
  fold = applyBudget(f, ds.samples, { perClass: 4 }, 0);
}, 300_000);

function data(f: BudgetedFold) {
  return {
    labelled: ds.labelledSet(f.labelled, { size: 224, mode: 'resize' }),
    unlabelled: ds.images(f.unlabelled, { size: 224, mode: 'resize' }),
  };
}
const ctx = (extra: Partial<FitContext> = {}): FitContext => ({ seed: 0, cacheDir, ...extra });

function accuracy(proba: number[][], truth: ArrayLike<number>): number {
  let hits = 0;
  proba.forEach((row, i) => (hits += row.indexOf(Math.max(...row)) === truth[i] ? 1 : 0));
  return hits / proba.length;
}

describe('zero-bias-cae method', () => {
  it('is registered with documented defaults and rejects unknown parameters', () => {
    const spec = getMethodSpec('zero-bias-cae');
    expect(spec.defaults).toEqual(ZERO_BIAS_CAE_DEFAULTS);
    expect(spec.defaults).toMatchObject({ backbone: 'mobilenet-v2-1.0', tap: 'block_16_project', inputSize: 224, bias: false, activation: 'trec', classifier: 'linear-svm' });
    for (const k of Object.keys(spec.defaults)) expect(spec.paramDocs?.[k], k).toBeTruthy();
    expect(() => createMethod('zero-bias-cae', { thetaa: 1 })).toThrow(/Unknown parameter 'thetaa'.*theta/);
    expect(() => createMethod('zero-bias-cae', { kernelSize: 4 })).toThrow(/odd/);
    expect(() => createMethod('zero-bias-cae', { pool: 'sum' })).toThrow(/zero-bias-cae: pool must be one of avg, max, avgmax, pyramid, got "sum"/);
    expect(() => createMethod('zero-bias-cae', { grid: [{}, { pool: 'sum' }] })).toThrow(/zero-bias-cae: grid entry 1: pool must be one of avg, max, avgmax, pyramid, got "sum"/);
    expect(() => createMethod('zero-bias-cae', { layers: 3 })).toThrow(/zero-bias-cae: filters has 2 values but layers = 3/);
    expect(() => createMethod('zero-bias-cae', { cCandidates: [] })).toThrow(/cCandidates must be a non-empty list of positive numbers, got \[\]/);
    expect(() => createMethod('zero-bias-cae', { caeTrainOn: 'all' })).toThrow(/caeTrainOn must be one of train, unlabelled, got "all"/);
    expect(() => createMethod('zero-bias-cae', { classifier: 'svm' })).toThrow(/classifier must be one of .*linear-svm.*logistic/);
  });

  it('passes checkMethod on all of mednist-tiny at 224 (default parameters)', async () => {
    const fixture = ds.labelledSet(ds.samples.map((s) => s.id), { size: 224, mode: 'resize' });
    const report = await checkMethod(getMethodSpec('zero-bias-cae'), { fixture, cacheDir, warmup: true, chanceMargin: 0.3 });
    expect(report.passed).toEqual([...METHOD_CHECKS]);
    expect(report.balancedAccuracy).toBeGreaterThan(1 / 6 + 0.3);
  });

  it('is far above chance on a fold of mednist-tiny with 4 labels per class; codes are sparse', async () => {
    const method = createMethod('zero-bias-cae');
    const logs: string[] = [];
    const model = await method.fit(data(fold), ctx({ log: (m) => logs.push(m) }));
    const test = ds.labelledSet(fold.test, { size: 224, mode: 'resize' });
    const proba = await model.predictProba(test.images);
    expect(proba).toHaveLength(fold.test.length);
    for (const row of proba) {
      expect(row).toHaveLength(6);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    // chance is 1/6; MedNIST modalities are easy for frozen ImageNet features
    expect(accuracy(proba, test.labels)).toBeGreaterThanOrEqual(0.8);
    const chosen = model.chosen();
    expect(ZERO_BIAS_CAE_DEFAULTS.cCandidates).toContain(chosen.C);
    expect(JSON.parse(JSON.stringify(chosen))).toEqual(chosen);
    // TRec at θ = 1 on standardised real maps: most code units are zero, not all
    expect(chosen.codeDensity as number).toBeGreaterThan(0.01);
    expect(chosen.codeDensity as number).toBeLessThan(0.4);
    // one loss list per stacked layer of the chosen configuration, each decreasing
    const losses = chosen.caeLossHistory as number[][];
    expect(losses.length).toBeGreaterThanOrEqual(1);
    for (const layer of losses) expect(layer.at(-1)!).toBeLessThan(layer[0]);
    expect(logs.some((l) => /CAE trained on 40 maps/.test(l))).toBe(true);
    model.dispose();
  });

  it('trains one CAE per grid configuration per fold and reuses them for every budget through ctx.stages', async () => {
    const stages = new MemoryStageStore();
    const logs: string[] = [];
    const method = createMethod('zero-bias-cae', { epochs: 2 });
    const budgets = [{ perClass: 2 }, { perClass: 5 }, 'all'] as const;
    for (const budget of budgets) {
      const f = applyBudget(fold, ds.samples, budget, 0);
      const model = await method.fit(data(f), ctx({ stages, log: (m) => logs.push(m) }));
      model.dispose();
    }
    const configs = ZERO_BIAS_CAE_DEFAULTS.grid.length;
    expect(configs).toBeGreaterThan(1);
    expect(logs.filter((l) => /CAE trained on \d+ maps/.test(l))).toHaveLength(configs);
    expect(logs.filter((l) => /reusing the CAE/.test(l))).toHaveLength(2 * configs);
    expect(stages.size).toBe(configs);
    stages.clear();
  });

  it('chooses its CAE configuration and C together, by inner CV or on a validation split, and records the choice', async () => {
    const grid = [{ theta: 0.5 }, { layers: 1, kernelSize: 1, filters: 512 }];
    const method = createMethod('zero-bias-cae', { epochs: 1, grid });
    const inner = await method.fit(data(fold), ctx());
    const a = inner.chosen();
    expect(a).toMatchObject({ selection: 'inner-cv', candidates: grid.length * ZERO_BIAS_CAE_DEFAULTS.cCandidates.length, tap: 'block_16_project' });
    expect(grid).toContainEqual(a.config);
    const scores = a.scores as { config: object; C: number; score: number }[];
    expect(scores).toHaveLength(grid.length * ZERO_BIAS_CAE_DEFAULTS.cCandidates.length);
    const best = Math.max(...scores.map((x) => x.score));
    expect(scores.find((x) => x.C === a.C && JSON.stringify(x.config) === JSON.stringify(a.config))!.score).toBe(best);
    expect(a.featureDim).toBe(JSON.stringify(a.config) === JSON.stringify(grid[1]) ? 512 : 1024);
    inner.dispose();

    // Validation: the fold's test images stand in for an official val split here (never the test set
    // of the same job in the runner); selection must then score exactly those labels.
    const validation = ds.labelledSet(fold.test, { size: 224, mode: 'resize' });
    const onVal = await method.fit({ ...data(fold), validation }, ctx());
    const v = onVal.chosen();
    expect(v.selection).toBe('validation');
    expect(v.innerFolds).toBe(0);
    const vScores = v.scores as { score: number }[];
    expect(vScores).toHaveLength(grid.length * ZERO_BIAS_CAE_DEFAULTS.cCandidates.length);
    // a balanced accuracy on the 20 validation images (6 classes) is a mean of per-class hit rates
    for (const x of vScores) expect(x.score).toBeGreaterThanOrEqual(0);
    // The final model is the chosen candidate refit on the same labelled images: its balanced accuracy
    // on the validation images is the best validation score, recomputed independently here.
    const proba = await onVal.predictProba(validation.images);
    const predicted = proba.map((row) => row.indexOf(Math.max(...row)));
    expect(balancedAccuracy(validation.labels, predicted)).toBeCloseTo(Math.max(...vScores.map((x) => x.score)), 4);
    expect(accuracy(proba, validation.labels)).toBeGreaterThan(0.5);
    onVal.dispose();
  });

  it('is deterministic under a seed and frees every tensor across 5 fits', async () => {
    const method = createMethod('zero-bias-cae', { epochs: 1, filters: 512 });
    const test = ds.images(fold.test, { size: 224, mode: 'resize' });
    const warm = await method.fit(data(fold), ctx()); // loads the backbone once (kept for the worker)
    const reference = await warm.predictProba(test);
    warm.dispose();
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const model = await method.fit(data(fold), ctx());
      const proba = await model.predictProba(test);
      if (i === 0) proba.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(reference[r][c], 6)));
      model.dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
  });

  it('fails clearly on an empty pool, a single class and images of the wrong size', async () => {
    const all = applyBudget(fold, ds.samples, 'all', 0);
    expect(all.unlabelled).toHaveLength(0);
    await expect(createMethod('zero-bias-cae', { caeTrainOn: 'unlabelled' }).fit(data(all), ctx())).rejects.toThrow(/unlabelled pool is empty/);
    const oneClass = fold.labelled.filter((id) => ds.samples.find((s) => s.id === id)!.label === 0);
    const single = { labelled: ds.labelledSet(oneClass, { size: 224 }), unlabelled: ds.images(fold.unlabelled, { size: 224 }) };
    await expect(createMethod('zero-bias-cae').fit(single, ctx())).rejects.toThrow(/1 class\(es\)/);
    const small = { labelled: ds.labelledSet(fold.labelled, { size: 64 }), unlabelled: ds.images(fold.unlabelled, { size: 64 }) };
    await expect(createMethod('zero-bias-cae').fit(small, ctx())).rejects.toThrow(/64x64 \(resize\) but the method was configured for 224x224/);
  });
});
