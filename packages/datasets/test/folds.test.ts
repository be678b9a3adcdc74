import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyBudget, officialSplit, stratifiedKFold } from '../src/folds.js';
import { mulberry32, SEED_STREAMS, seedFor } from '../src/seeds.js';
import { shuffled } from '../src/stratify.js';
import type { Sample } from '../src/types.js';

/** 3 classes of 23, 11 and 7 samples, ids in scrambled order, hashes unique. */
function makeSamples(counts = [23, 11, 7]): Sample[] {
  const out: Sample[] = [];
  counts.forEach((n, label) => {
    for (let i = 0; i < n; i++) out.push({ id: `c${label}/img${(i * 7) % n}-${i}`, hash: `h${label}-${i}`, label, split: '' });
  });
  return out.reverse();
}

describe('mulberry32', () => {
  it('matches an independent Python implementation', () => {
    // python3, an independent port with explicit 32-bit masking:
    //   def mulberry32(seed):
    //     a = seed & 0xffffffff; imul = lambda x, y: (x * y) & 0xffffffff
    //     def r():
    //       nonlocal a; a = (a + 0x6d2b79f5) & 0xffffffff; t = imul(a ^ (a >> 15), a | 1)
    //       t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xffffffff
    //       return ((t ^ (t >> 14)) & 0xffffffff) / 4294967296
    //     return r
    // first five outputs for seeds 0, 42 and 2**32-1.
    const ref: Record<number, number[]> = {
      0: [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111, 0.46732782293111086],
      42: [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423],
      4294967295: [0.8964226141106337, 0.189478256739676, 0.7156526781618595, 0.9440599093213677, 0.8452364315744489],
    };
    for (const [seed, values] of Object.entries(ref)) {
      const r = mulberry32(Number(seed));
      expect(values.map(() => r())).toEqual(values);
    }
  });

  it('shuffles into a permutation and derives distinct seeds per purpose', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const s = shuffled(items, mulberry32(1));
    expect([...s].sort((a, b) => a - b)).toEqual(items);
    expect(s).not.toEqual(items);
    expect(seedFor('outer-folds', 1, 0, 0)).not.toBe(seedFor('outer-folds', 1, 0, 1));
    expect(seedFor('outer-folds', 1, 0, 0)).toBe(seedFor('outer-folds', 1, 0, 0));
  });

  it('named seed streams keep the values of the derivations they replaced', () => {
    // Values computed with the derivations before streams were named (datasets' deriveSeed, sha256 of
    // 'seed/tag/indices', and core's childSeed integer mix), so that folds and fits are unchanged.
    expect(seedFor('outer-folds', 1, 0, 0)).toBe(createHash('sha256').update('1/kfold/0/0').digest().readUInt32LE(0));
    expect(seedFor('label-budget', 2611, 0, 1, 2, 3)).toBe(createHash('sha256').update('2611/budget/0/1/2/draw/3').digest().readUInt32LE(0));
    expect(seedFor('label-budget', 2611, 0, 1, 2, 0)).toBe(createHash('sha256').update('2611/budget/0/1/2').digest().readUInt32LE(0));
    // core's childSeed(seed, ...path) at (5, 101), (5, 7), (2611, 3), (2611, 5, 17), childSeed(childSeed(9, 1), 0), (2611, 0xcae), (9, 1, 3), (4, 12, 2).
    const before = {
      'fine-tuned-holdout 5': 429756102, 'fine-tuned-head 5': 2986759514, 'fine-tuned-batches 2611': 596366900, 'fine-tuned-dropout 2611 17': 1160851372,
      'cae-init 9 1': 4044208004, 'cae-training-draw 2611': 704740495, 'cae-patches 9 1 2': 2535034537, 'random-backbone-weights 4 12 2': 2697644656,
    };
    expect({
      'fine-tuned-holdout 5': seedFor('fine-tuned-holdout', 5),
      'fine-tuned-head 5': seedFor('fine-tuned-head', 5),
      'fine-tuned-batches 2611': seedFor('fine-tuned-batches', 2611),
      'fine-tuned-dropout 2611 17': seedFor('fine-tuned-dropout', 2611, 17),
      'cae-init 9 1': seedFor('cae-init', 9, 1),
      'cae-training-draw 2611': seedFor('cae-training-draw', 2611),
      'cae-patches 9 1 2': seedFor('cae-patches', 9, 1, 2),
      'random-backbone-weights 4 12 2': seedFor('random-backbone-weights', 4, 12, 2),
    }).toEqual(before);
    expect(SEED_STREAMS).toContain('grouped-folds');
    expect(() => seedFor('outer-folds', 1.5, 0, 0)).toThrow(/seed must be an integer, got 1.5/);
  });
});

describe('stratifiedKFold', () => {
  const samples = makeSamples();
  const labelOf = new Map(samples.map((s) => [s.id, s.label]));

  it('partitions every repeat into k disjoint test folds covering all ids', () => {
    const folds = stratifiedKFold(samples, { k: 5, repeats: 3, seed: 7 });
    expect(folds).toHaveLength(15);
    for (let r = 0; r < 3; r++) {
      const rep = folds.filter((f) => f.repeat === r);
      expect(rep.map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
      const tests = rep.flatMap((f) => f.test);
      expect(new Set(tests).size).toBe(samples.length);
      for (const f of rep) {
        expect(f.train.length + f.test.length).toBe(samples.length);
        expect(f.train.filter((id) => f.test.includes(id))).toEqual([]);
        expect(f.val).toEqual([]);
      }
    }
  });

  it('is stratified: per-class test counts of any two folds differ by at most one', () => {
    for (const f of stratifiedKFold(samples, { k: 5, repeats: 2, seed: 3 })) {
      const perClass = [0, 1, 2].map((c) => f.test.filter((id) => labelOf.get(id) === c).length);
      expect(perClass[0]).toBeGreaterThanOrEqual(4); // 23 / 5
      expect(perClass[0]).toBeLessThanOrEqual(5);
      expect(perClass[1]).toBeGreaterThanOrEqual(2); // 11 / 5
      expect(perClass[1]).toBeLessThanOrEqual(3);
      expect(perClass[2]).toBeGreaterThanOrEqual(1); // 7 / 5
      expect(perClass[2]).toBeLessThanOrEqual(2);
    }
    const sizes = stratifiedKFold(samples, { k: 5, seed: 3 }).map((f) => f.test.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is deterministic in the seed and independent of input order; repeats differ', () => {
    const a = stratifiedKFold(samples, { k: 4, repeats: 2, seed: 11 });
    const b = stratifiedKFold([...samples].reverse(), { k: 4, repeats: 2, seed: 11 });
    expect(b).toEqual(a);
    const c = stratifiedKFold(samples, { k: 4, repeats: 2, seed: 12 });
    expect(c.map((f) => f.test)).not.toEqual(a.map((f) => f.test));
    expect(a[0].test).not.toEqual(a[4].test);
  });

  it('rejects k larger than a class, k < 2 and repeated ids', () => {
    expect(() => stratifiedKFold(samples, { k: 8, seed: 1 })).toThrow(/class 2 has 7 samples, fewer than k=8/);
    expect(() => stratifiedKFold(samples, { k: 1, seed: 1 })).toThrow(/k must be/);
    expect(() => stratifiedKFold([...samples, samples[0]], { k: 2, seed: 1 })).toThrow(/appears twice/);
  });
});

describe('officialSplit', () => {
  it('returns train/val/test ids and rejects samples without a split', () => {
    const s: Sample[] = [
      { id: 'test/0', hash: 'a', label: 0, split: 'test' },
      { id: 'train/1', hash: 'b', label: 1, split: 'train' },
      { id: 'train/0', hash: 'c', label: 0, split: 'train' },
      { id: 'val/0', hash: 'd', label: 1, split: 'val' },
    ];
    expect(officialSplit(s)).toEqual({ index: 0, repeat: 0, train: ['train/0', 'train/1'], val: ['val/0'], test: ['test/0'] });
    expect(() => officialSplit([...s, { id: 'x', hash: 'e', label: 0, split: '' }])).toThrow(/'x' has no official split/);
  });
});

describe('applyBudget', () => {
  const samples = makeSamples([30, 20, 12]);
  const labelOf = new Map(samples.map((s) => [s.id, s.label]));
  const folds = stratifiedKFold(samples, { k: 3, repeats: 2, seed: 5 });

  it('takes n per class, nests smaller budgets in larger ones, keeps test out of the pool', () => {
    for (const fold of folds) {
      const b2 = applyBudget(fold, samples, { perClass: 2 }, 9);
      const b5 = applyBudget(fold, samples, { perClass: 5 }, 9);
      const all = applyBudget(fold, samples, 'all', 9);
      for (const c of [0, 1, 2]) {
        expect(b2.labelled.filter((id) => labelOf.get(id) === c)).toHaveLength(2);
        expect(b5.labelled.filter((id) => labelOf.get(id) === c)).toHaveLength(5);
      }
      expect(b2.labelled.every((id) => b5.labelled.includes(id))).toBe(true);
      expect(b5.labelled.every((id) => all.labelled.includes(id))).toBe(true);
      expect(all.labelled).toEqual([...fold.train].sort());
      expect(all.unlabelled).toEqual([]);
      for (const b of [b2, b5]) {
        expect(new Set([...b.labelled, ...b.unlabelled]).size).toBe(fold.train.length);
        expect(b.labelled.filter((id) => b.unlabelled.includes(id))).toEqual([]);
        expect(b.unlabelled.filter((id) => fold.test.includes(id))).toEqual([]);
      }
    }
  });

  it('fractions round per class and nest; draws depend on fold and seed only', () => {
    const fold = folds[0]; // train: 20 + 13 + 8 (or so) per class
    const f10 = applyBudget(fold, samples, { fraction: 0.1 }, 9);
    const f50 = applyBudget(fold, samples, { fraction: 0.5 }, 9);
    for (const c of [0, 1, 2]) {
      const n = fold.train.filter((id) => labelOf.get(id) === c).length;
      expect(f10.labelled.filter((id) => labelOf.get(id) === c)).toHaveLength(Math.max(1, Math.round(0.1 * n)));
      expect(f50.labelled.filter((id) => labelOf.get(id) === c)).toHaveLength(Math.round(0.5 * n));
    }
    expect(f10.labelled.every((id) => f50.labelled.includes(id))).toBe(true);
    expect(applyBudget(fold, samples, { perClass: 3 }, 9)).toEqual(applyBudget(fold, samples, { perClass: 3 }, 9));
    expect(applyBudget(fold, samples, { perClass: 3 }, 10).labelled).not.toEqual(applyBudget(fold, samples, { perClass: 3 }, 9).labelled);
    expect(applyBudget(folds[1], samples, { perClass: 3 }, 9).labelled).not.toEqual(applyBudget(fold, samples, { perClass: 3 }, 9).labelled);
  });

  it('draws: independent labelled sets per draw, the same for every caller, nested within a draw, never a test id', () => {
    const fold = folds[0];
    const draws = [0, 1, 2, 3].map((d) => applyBudget(fold, samples, { perClass: 3 }, 9, d));
    // draw 0 is the draw a run without draws makes
    expect(draws[0]).toEqual(applyBudget(fold, samples, { perClass: 3 }, 9));
    // paired: the draw is a pure function of (fold, seed, draw), so every method gets the same ids
    expect(applyBudget(fold, samples, { perClass: 3 }, 9, 2)).toEqual(draws[2]);
    // distinct across draws
    expect(new Set(draws.map((d) => d.labelled.join(','))).size).toBe(4);
    const test = new Set(fold.test);
    for (const [d, b] of draws.entries()) {
      expect(b.labelled.filter((id) => test.has(id))).toEqual([]);
      expect(b.unlabelled.filter((id) => test.has(id))).toEqual([]);
      for (const c of [0, 1, 2]) expect(b.labelled.filter((id) => labelOf.get(id) === c)).toHaveLength(3);
      const larger = applyBudget(fold, samples, { perClass: 6 }, 9, d);
      expect(b.labelled.every((id) => larger.labelled.includes(id))).toBe(true);
    }
    // 'all' is the same set in every draw
    expect(applyBudget(fold, samples, 'all', 9, 3).labelled).toEqual(applyBudget(fold, samples, 'all', 9).labelled);
    expect(() => applyBudget(fold, samples, 'all', 9, -1)).toThrow(/draw must be a non-negative integer, got -1/);
  });

  it('rejects budgets that cannot be met or make no sense', () => {
    expect(() => applyBudget(folds[0], samples, { perClass: 50 }, 1)).toThrow(/50 per class exceeds the \d+ training images of class 0/);
    expect(() => applyBudget(folds[0], samples, { perClass: 0 }, 1)).toThrow(/perClass must be/);
    expect(() => applyBudget(folds[0], samples, { fraction: 1.5 }, 1)).toThrow(/fraction must be in/);
    const leaky = { ...folds[0], train: [...folds[0].train, folds[0].test[0]] };
    expect(() => applyBudget(leaky, samples, 'all', 1)).toThrow(/both a training and a held-out id/);
  });
});
