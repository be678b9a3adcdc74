import { describe, expect, it } from 'vitest';
import { balanceClassShares, foldGroups, groupedStratifiedKFold, loadDataset, mulberry32, stratifiedKFold, type Fold, type FoldGroup, type Sample } from '../src/index.js';
import { hasFull } from './helpers.js';

/** 300 samples, 3 classes (150/100/50), in groups of 1–6 of mixed labels. */
function grouped(seed = 1): { samples: Sample[]; groupOf: Map<string, string> } {
  const rand = mulberry32(seed);
  const samples: Sample[] = [];
  const groupOf = new Map<string, string>();
  let g = 0;
  while (samples.length < 300) {
    const size = 1 + Math.floor(rand() * 6);
    for (let i = 0; i < size && samples.length < 300; i++) {
      const n = samples.length;
      const id = `img${String(n).padStart(3, '0')}`;
      samples.push({ id, hash: id, label: n % 6 < 3 ? 0 : n % 6 < 5 ? 1 : 2, split: '' });
      groupOf.set(id, `g${g}`);
    }
    g++;
  }
  return { samples, groupOf };
}

function foldOfEachGroup(folds: Fold[], groupOf: Map<string, string>): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const f of folds) for (const id of f.test) out.set(groupOf.get(id)!, (out.get(groupOf.get(id)!) ?? new Set()).add(f.index));
  return out;
}

describe('groupedStratifiedKFold', () => {
  const { samples, groupOf } = grouped();
  const folds = groupedStratifiedKFold(samples, groupOf, { k: 5, repeats: 2, seed: 7 });

  it('puts every group in exactly one test fold per repeat, and every sample in one test fold', () => {
    for (const r of [0, 1]) {
      const ofRepeat = folds.filter((f) => f.repeat === r);
      for (const folds of foldOfEachGroup(ofRepeat, groupOf).values()) expect(folds.size).toBe(1);
      expect(ofRepeat.flatMap((f) => f.test).sort()).toEqual(samples.map((s) => s.id).sort());
      for (const f of ofRepeat) expect(f.train.filter((id) => f.test.includes(id))).toEqual([]);
    }
  });

  it('keeps class proportions close to stratified (each class within 3 of its target per fold)', () => {
    const label = new Map(samples.map((s) => [s.id, s.label]));
    for (const f of folds) {
      const counts = [0, 1, 2].map((c) => f.test.filter((id) => label.get(id) === c).length);
      expect(Math.abs(counts[0] - 30)).toBeLessThanOrEqual(3);
      expect(Math.abs(counts[1] - 20)).toBeLessThanOrEqual(3);
      expect(Math.abs(counts[2] - 10)).toBeLessThanOrEqual(3);
    }
  });

  it('is deterministic under a seed; another seed or repeat gives other folds', () => {
    expect(groupedStratifiedKFold(samples, groupOf, { k: 5, repeats: 2, seed: 7 })).toEqual(folds);
    const other = groupedStratifiedKFold(samples, groupOf, { k: 5, seed: 8 });
    expect(other[0].test).not.toEqual(folds[0].test);
    expect(folds[5].test).not.toEqual(folds[0].test);
  });

  it('equals stratifiedKFold when every group is a singleton (folds of ungrouped data do not change)', () => {
    const alone = new Map(samples.map((s) => [s.id, s.id]));
    expect(groupedStratifiedKFold(samples, alone, { k: 5, repeats: 2, seed: 3 })).toEqual(stratifiedKFold(samples, { k: 5, repeats: 2, seed: 3 }));
  });

  it('refuses a sample without a group, too few groups and a bad k', () => {
    expect(() => groupedStratifiedKFold(samples, new Map(), { k: 5, seed: 0 })).toThrow(/sample 'img000' has no group/);
    const two = new Map(samples.map((s, i) => [s.id, i < 150 ? 'a' : 'b']));
    expect(() => groupedStratifiedKFold(samples, two, { k: 5, seed: 0 })).toThrow(/2 groups cannot fill k=5 folds/);
    expect(() => groupedStratifiedKFold(samples, groupOf, { k: 1, seed: 0 })).toThrow(/k must be an integer ≥ 2, got 1/);
  });
});

describe('balanceClassShares', () => {
  // Two folds of 50, two classes of 50. Class 0 has one group of 30 (60% of the class), the rest are singletons.
  // Start: fold 0 = the group + 20 class-1 images (class 0 share 60%, 10 points over 50%); fold 1 = 20 + 30.
  const start = (): FoldGroup[] => [
    { perClass: Float64Array.of(30, 0), size: 30, fold: 0 },
    ...Array.from({ length: 20 }, () => ({ perClass: Float64Array.of(1, 0), size: 1, fold: 1 })),
    ...Array.from({ length: 20 }, () => ({ perClass: Float64Array.of(0, 1), size: 1, fold: 0 })),
    ...Array.from({ length: 30 }, () => ({ perClass: Float64Array.of(0, 1), size: 1, fold: 1 })),
  ];
  const sizes = (groups: FoldGroup[]) => [0, 1].map((f) => groups.filter((g) => g.fold === f).reduce((n, g) => n + g.size, 0));

  it('reaches the best worst share the size bound allows, moving whole groups only', () => {
    // ±20% (40..60 images): fold 0 takes 10 more class-1 images, 30/60 and 20/40, both exactly 50%.
    const wide = start();
    expect(balanceClassShares(wide, 2, 0.2)).toBeCloseTo(0, 12);
    expect(sizes(wide)).toEqual([60, 40]);
    expect(wide[0].fold).toBe(0);
    // ±10% (45..55): the best is 5 moved, 30/55 and 20/45: max(4.55, 5.56) = 5.56 points.
    const narrow = start();
    expect(balanceClassShares(narrow, 2, 0.1) * 100).toBeCloseTo((0.5 - 20 / 45) * 100, 9);
    expect(sizes(narrow)).toEqual([55, 45]);
  });

  it('never makes the worst share worse, and refuses a bad tolerance', () => {
    const balanced = [0, 1].flatMap((f) => [{ perClass: Float64Array.of(5, 0), size: 5, fold: f }, { perClass: Float64Array.of(0, 5), size: 5, fold: f }]);
    expect(balanceClassShares(balanced, 2)).toBe(0);
    expect(balanced.map((g) => g.fold)).toEqual([0, 0, 1, 1]);
    expect(() => balanceClassShares(start(), 2, 1)).toThrow(/tolerance must be in \[0, 1\), got 1/);
  });
});

describe('groupedStratifiedKFold and class shares', () => {
  it('keeps ordinary groups within 2 points of the overall class shares', () => {
    const { samples: s, groupOf: g } = grouped(3);
    const folds = groupedStratifiedKFold(s, g, { k: 5, seed: 2 });
    const label = new Map(s.map((x) => [x.id, x.label]));
    for (const f of folds) {
      for (const [c, share] of [[0, 0.5], [1, 1 / 3], [2, 1 / 6]]) expect(Math.abs(f.test.filter((id) => label.get(id) === c).length / f.test.length - share) * 100).toBeLessThan(2);
    }
  });
});

describe.skipIf(!hasFull)('grouped folds on the new datasets', () => {
  it('MedNIST (a 209-image near-duplicate group in a class of 500): worst class share within 12.5 points, folds within ±20%', async () => {
    const ds = await loadDataset('mednist-3000', { download: false });
    const g = await foldGroups(ds);
    const folds = groupedStratifiedKFold(ds.samples, g.groupOf, { k: 5, seed: 2611 });
    const label = new Map(ds.samples.map((s) => [s.id, s.label]));
    const classes = [...new Set(ds.samples.map((s) => s.label))];
    let worst = 0;
    for (const f of folds) {
      expect(Math.abs(f.test.length / (ds.samples.length / 5) - 1)).toBeLessThanOrEqual(0.2);
      for (const c of classes) {
        const overall = ds.samples.filter((s) => s.label === c).length / ds.samples.length;
        worst = Math.max(worst, Math.abs(f.test.filter((id) => label.get(id) === c).length / f.test.length - overall));
      }
    }
    // 209 images in a fold of at most 1.2·N/5 is 29.1% of it, against 16.7% overall: 12.4 points is the floor.
    expect(worst * 100).toBeLessThan(12.5);
  }, 120_000);

  it('COVID-CT: no source paper or figure is split across folds', async () => {
    const ds = await loadDataset('covid-ct', { download: false });
    expect(ds.samples).toHaveLength(746);
    const g = await foldGroups(ds, { nearDuplicates: 'ignore' });
    expect(g.sourceSets.length).toBeGreaterThan(50);
    const folds = groupedStratifiedKFold(ds.samples, g.groupOf, { k: 5, seed: 0 });
    for (const set of g.sourceSets) expect(new Set(set.map((id) => folds.findIndex((f) => f.test.includes(id)))).size, set[0]).toBe(1);
    // Plain k-fold splits most multi-image papers.
    const plain = stratifiedKFold(ds.samples, { k: 5, seed: 0 });
    const split = g.sourceSets.filter((set) => new Set(set.map((id) => plain.findIndex((f) => f.test.includes(id)))).size > 1);
    expect(split.length).toBeGreaterThan(g.sourceSets.length / 2);
  });

  it('BUSI: the benign/malignant identical pair is dropped, both copies', async () => {
    const ds = await loadDataset('busi', { download: false });
    expect(ds.foundSamples).toHaveLength(780);
    expect(ds.duplicates.conflicts).toEqual([{ ids: ['benign/benign (433).png', 'malignant/malignant (145).png'], labels: [0, 1] }]);
    for (const id of ['benign/benign (433).png', 'malignant/malignant (145).png']) expect(ds.samples.some((s) => s.id === id)).toBe(false);
    expect(ds.dropped.filter((d) => d.reason === 'label-conflict').map((d) => d.id)).toEqual(['benign/benign (433).png', 'malignant/malignant (145).png']);
  });
});

describe.skipIf(!hasFull)('RetinaMNIST turns perceptual grouping off (its 28 px fundus images all hash alike)', () => {
  it('reports why, and groups nothing', async () => {
    const ds = await loadDataset('retinamnist', { download: false });
    expect(ds.samples).toHaveLength(1600);
    const g = await foldGroups(ds);
    expect(g).toMatchObject({ policy: 'ignore', offReason: expect.stringMatching(/858 of the 1,600/), groups: [], nearDuplicateSets: [] });
  });
});

describe.skipIf(!hasFull)('describeDataset with groups (what `udtl datasets inspect covid-ct` prints)', () => {
  it('counts near-duplicate sets at the dataset\'s threshold and source groups, with those spanning official splits', async () => {
    const { describeDataset } = await import('../src/index.js');
    const d = await describeDataset(await loadDataset('covid-ct', { download: false }), { groups: {} });
    expect(d.foldGroups!.nearDuplicates).toMatchObject({ policy: 'group', threshold: 4, sets: 16, images: 38, withConflictingLabels: 1 });
    expect(d.foldGroups!.sourceGroups).toMatchObject({ sets: 106, images: 513, acrossSplits: 3, largest: 26 });
    expect(d.foldGroups).toMatchObject({ groups: 111, imagesInGroups: 531, largestGroup: 26 });
  });
});
