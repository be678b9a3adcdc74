import { beforeAll, describe, expect, it } from 'vitest';
import { applyBudget, loadDataset, officialSplit, stratifiedKFold, type Dataset } from '../src/index.js';
import { dropDuplicates } from '../src/duplicates.js';
import { hasFull } from './helpers.js';

describe('dropDuplicates policy', () => {
  const samples = [
    { id: 'a-test', hash: 'h1', label: 0, split: 'test' },
    { id: 'b-train', hash: 'h1', label: 0, split: 'train' },
    { id: 'c-train', hash: 'h1', label: 0, split: 'train' },
    { id: 'd', hash: 'h2', label: 1, split: '' },
    { id: 'c', hash: 'h2', label: 2, split: '' },
    { id: 'e', hash: 'h3', label: 1, split: '' },
  ];
  it('keeps the train copy of a group spanning splits, else the first id (keep-first for label conflicts)', () => {
    const { kept, report } = dropDuplicates(samples, { conflicts: 'keep-first' });
    expect(kept.map((s) => s.id)).toEqual(['b-train', 'c', 'e']);
    expect(report).toMatchObject({ groups: 2, groupsAcrossSplits: 1, groupsWithConflictingLabels: 1, conflicts: [{ ids: ['c', 'd'], labels: [2, 1] }] });
    expect(report.dropped.map((d) => [d.id, d.keptId])).toEqual([['a-test', 'b-train'], ['c-train', 'b-train'], ['d', 'c']]);
  });

  it('drops every copy of an identical image filed under two labels by default', () => {
    const { kept, report } = dropDuplicates(samples);
    expect(kept.map((s) => s.id)).toEqual(['b-train', 'e']);
    expect(report.dropped.filter((d) => d.reason === 'label-conflict').map((d) => [d.id, d.keptId])).toEqual([['c', ''], ['d', '']]);
    expect(report.dropped.filter((d) => d.reason === 'copy').map((d) => d.id)).toEqual(['a-test', 'c-train']);
  });
});

// Reference numbers computed with python3 (hashlib.sha256 of every file listed in labels.csv,
// groups by hash, keep the Training copy else the first path in sorted order):
//   brain-tumor-mri: 3264 files (Training 2870, Testing 394), 166 duplicate groups, 237 copies,
//   64 groups spanning Training/Testing, 0 with conflicting labels; 3027 kept:
//   Training 818/814/335/810, Testing 84/113/17/36 (glioma/meningioma/no_tumor/pituitary).
//   mednist-3000: 8 identical files HeadCT/000044, 046, 050, 054, 228, 374, 380, 422 (one group).
describe.skipIf(!hasFull)('the full datasets on the shared data root', () => {
  let brain: Dataset;
  beforeAll(async () => {
    brain = await loadDataset('brain-tumor-mri');
  });

  it('brain-tumor-mri: 3,264 images found, duplicates dropped down to 3,027 with the published counts', () => {
    expect(brain.foundSamples).toHaveLength(3264);
    expect(brain.duplicates).toMatchObject({ groups: 166, groupsAcrossSplits: 64, groupsWithConflictingLabels: 0 });
    expect(brain.dropped).toHaveLength(237);
    expect(brain.samples).toHaveLength(3027);
    const count = (split: string) => [0, 1, 2, 3].map((c) => brain.samples.filter((s) => s.split === split && s.label === c).length);
    expect(count('train')).toEqual([818, 814, 335, 810]);
    expect(count('test')).toEqual([84, 113, 17, 36]);
    expect(brain.dropped.filter((d) => d.keptSplit === 'test' && d.split === 'train')).toEqual([]);
  });

  it('brain-tumor-mri folds: no content hash is shared between train and test, official split included', () => {
    const hashOf = new Map(brain.samples.map((s) => [s.id, s.hash]));
    const folds = [...stratifiedKFold(brain.samples, { k: 5, repeats: 2, seed: 1 }), officialSplit(brain.samples)];
    for (const fold of folds) {
      const testHashes = new Set(fold.test.map((id) => hashOf.get(id)));
      expect(fold.train.filter((id) => testHashes.has(hashOf.get(id)))).toEqual([]);
      const b = applyBudget(fold, brain.samples, { perClass: 20 }, 1);
      expect(b.labelled).toHaveLength(80);
      expect(b.unlabelled.filter((id) => testHashes.has(hashOf.get(id)))).toEqual([]);
    }
    // With duplicates kept, the official split would leak: 64 groups straddle it.
    const leaky = officialSplit(brain.foundSamples);
    const testHashes = new Set(leaky.test.map((id) => brain.foundSamples.find((s) => s.id === id)!.hash));
    expect(new Set(leaky.train.map((id) => brain.foundSamples.find((s) => s.id === id)!.hash).filter((h) => testHashes.has(h))).size).toBe(64);
  });

  it('mednist-3000: 500 per class found; the 8 identical HeadCT files collapse to one', async () => {
    const d = await loadDataset('mednist-3000');
    expect([0, 1, 2, 3, 4, 5].map((c) => d.foundSamples.filter((s) => s.label === c).length)).toEqual([500, 500, 500, 500, 500, 500]);
    expect(d.dropped.map((x) => x.id)).toEqual(['046', '050', '054', '228', '374', '380', '422'].map((n) => `HeadCT/000${n}.jpeg`));
    expect(d.dropped.every((x) => x.keptId === 'HeadCT/000044.jpeg')).toBe(true);
    expect(d.samples).toHaveLength(2993);
  });
});
