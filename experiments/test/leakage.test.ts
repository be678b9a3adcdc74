import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@udtl/core';
import { loadDataset, officialSplit, stratifiedKFold } from '@udtl/datasets';
import { describe, expect, it } from 'vitest';
import { methodEntries, parseConfig } from '../src/config.js';
import { Executor } from '../src/execute.js';
import type { JobResult } from '@udtl/results';
import { jobCells } from '../src/jobs.js';
import { RunStore } from '../src/store.js';

/** Records every image a method is shown during fit (where all hyper-parameter selection happens). */
const seenInFit: { job: string; ids: string[]; labelled: string[]; hashes: string[]; validation: string[] }[] = [];
core.registerMethod(
  core.defineMethod<{ Cs: number[] }>({
    id: 'spy-fit-images',
    description: 'test double: mean-colour features + logistic regression with C chosen by inner CV, recording what fit sees',
    params: core.z.object({ Cs: core.z.array(core.z.number().positive()).default([0.1, 1, 10]).describe('C candidates') }),
    build({ Cs }) {
      return {
        id: 'spy-fit-images',
        params: { Cs },
        async fit({ labelled, unlabelled, validation }, ctx) {
          seenInFit.push({
            job: String(ctx.seed),
            ids: [...labelled.images.ids, ...unlabelled.ids],
            labelled: [...labelled.images.ids],
            hashes: [...labelled.images.hashes, ...unlabelled.hashes, ...(validation?.images.hashes ?? [])],
            validation: [...(validation?.images.ids ?? [])],
          });
          const features = async (images: typeof unlabelled) => {
            const rows: number[][] = [];
            for await (const b of images.batches(16)) {
              const size = b.height * b.width * 3;
              for (let i = 0; i < b.n; i++) {
                const px = b.data.subarray(i * size, (i + 1) * size);
                const m = [0, 0, 0];
                for (let p = 0; p < px.length; p += 3) for (let c = 0; c < 3; c++) m[c] += px[p + c] / (px.length / 3);
                rows.push(m);
              }
            }
            return core.matrixFromRows(rows);
          };
          const X = await features(labelled.images);
          const { C } = core.selectC(X, labelled.labels, { candidates: Cs, seed: ctx.seed });
          const clf = core.createClassifier({ kind: 'logistic', C, standardize: true }).fit(X, labelled.labels);
          return {
            predictProba: async (images) => core.classProbabilities(clf, await features(images), labelled.classNames.length),
            chosen: () => ({ C }),
            dispose() {},
          };
        },
      };
    },
  }),
  { replace: true },
);

describe('cross-validation never leaks', () => {
  it('no test image of a fold (by id or by content) reaches fit, where hyper-parameters are selected', async () => {
    const config = parseConfig({ name: 'leak', datasets: ['mednist-tiny'], methods: ['spy-fit-images'], folds: 3, budgets: [2, 'all'], draws: 2, inputSize: 16 });
    const runDir = mkdtempSync(join(tmpdir(), 'udtl-leak-'));
    const store = new RunStore(runDir);
    await store.init();
    const executor = new Executor({ config, methods: methodEntries(config), runDir, cacheDir: join(runDir, 'cache') }, store);
    const ds = await loadDataset('mednist-tiny');
    const results: JobResult[] = [];
    const folds = stratifiedKFold(ds.samples, { k: 3, repeats: 1, seed: 0 });
    for (const fold of folds) {
      seenInFit.length = 0;
      await executor.runGroup(
        { kind: 'group', group: { dataset: 'mednist-tiny', method: 'spy-fit-images', fold: fold.index, repeat: 0, seed: 0, cells: jobCells([2, 'all'], 2) }, fold },
        (r) => results.push(r),
      );
      // (2, draw 0), (all, draw 0), (2, draw 1): the second draw labels other images of the same training part
      expect(seenInFit).toHaveLength(3);
      expect(seenInFit[2].labelled.sort()).not.toEqual(seenInFit[0].labelled.sort());
      const testIds = new Set(fold.test);
      const testHashes = new Set(ds.samples.filter((s) => testIds.has(s.id)).map((s) => s.hash));
      for (const seen of seenInFit) {
        expect(seen.ids.filter((id) => testIds.has(id))).toEqual([]);
        expect(seen.hashes.filter((h) => testHashes.has(h))).toEqual([]);
        // Labelled + unlabelled is exactly the fold's training part.
        expect(new Set(seen.ids)).toEqual(new Set(fold.train));
      }
    }
    expect(results.map((r) => r.status)).toEqual(Array(9).fill('ok'));
    expect(results.map((r) => r.draw)).toEqual(Array(3).fill([0, 0, 1]).flat());
    // Predictions cover exactly each fold's test images, and every image is tested once per budget.
    const tested = results.filter((r) => r.budget === 'all').flatMap((r) => r.predictions!.ids);
    expect(tested.sort()).toEqual(ds.samples.map((s) => s.id).sort());
    expect(seenInFit.every((s) => s.validation.length === 0)).toBe(true);
    executor.dispose();
  });

  it('official split: selection sees the val split (with every label only), never a test image', async () => {
    const config = parseConfig({ name: 'leak-official', datasets: ['breastmnist'], methods: ['spy-fit-images'], folds: 2, budgets: [5, 'all'], inputSize: 16, officialSplit: true });
    const runDir = mkdtempSync(join(tmpdir(), 'udtl-leak-'));
    const store = new RunStore(runDir);
    await store.init();
    const executor = new Executor({ config, methods: methodEntries(config), runDir, cacheDir: join(runDir, 'cache') }, store);
    const ds = await loadDataset('breastmnist');
    const fold = officialSplit(ds.samples);
    expect(fold.val.length).toBeGreaterThan(0);
    seenInFit.length = 0;
    const results: JobResult[] = [];
    await executor.runGroup(
      { kind: 'group', group: { dataset: 'breastmnist', method: 'spy-fit-images', fold: 'official', repeat: 0, seed: 0, cells: jobCells([5, 'all'], 1) }, fold },
      (r) => results.push(r),
    );
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
    const testIds = new Set(fold.test);
    const testHashes = new Set(ds.samples.filter((s) => testIds.has(s.id)).map((s) => s.hash));
    for (const seen of seenInFit) {
      expect([...seen.ids, ...seen.validation].filter((id) => testIds.has(id))).toEqual([]);
      expect(seen.hashes.filter((h) => testHashes.has(h))).toEqual([]);
      expect(new Set(seen.ids)).toEqual(new Set(fold.train));
    }
    // 5 labels per class: no labelled validation images beyond the budget; all labels: the official val split.
    expect(seenInFit.map((s) => s.validation.length)).toEqual([0, fold.val.length]);
    expect(new Set(seenInFit[1].validation)).toEqual(new Set(fold.val));
    expect(results[1].metrics.n_validation).toBe(fold.val.length);
    executor.dispose();
  });
});
