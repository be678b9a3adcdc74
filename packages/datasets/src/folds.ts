import { compareIds } from './duplicates.js';
import { balanceClassShares, FOLD_SIZE_TOLERANCE, type FoldGroup } from './fold-balance.js';
import { rngFor } from './seeds.js';
import { dealIntoFolds, shuffleClasses, shuffled, takeFromClasses } from './stratify.js';
import type { BudgetedFold, Fold, LabelBudget, Sample } from './types.js';

/** Sample ids per class label, each list sorted by id (the canonical order every draw starts from). */
function idsByLabel(samples: readonly Sample[]): Map<number, string[]> {
  const byLabel = new Map<number, string[]>();
  for (const s of samples) {
    const list = byLabel.get(s.label);
    if (list) list.push(s.id);
    else byLabel.set(s.label, [s.id]);
  }
  for (const list of byLabel.values()) list.sort(compareIds);
  return new Map([...byLabel.entries()].sort((a, b) => a[0] - b[0]));
}

export interface KFoldOptions {
  k: number;
  repeats?: number;
  seed: number;
}

/**
 * Repeated stratified k-fold over all given samples (official splits ignored: pass the pooled,
 * de-duplicated samples). For each repeat every class is shuffled with its own seeded stream and
 * the classes are dealt round-robin into the folds, so per-class counts of any two folds differ by
 * at most one. Folds are returned repeat-major; ids within a fold are sorted.
 */
export function stratifiedKFold(samples: readonly Sample[], options: KFoldOptions): Fold[] {
  const { k, repeats = 1, seed } = options;
  if (!Number.isInteger(k) || k < 2) throw new Error(`stratifiedKFold: k must be an integer ≥ 2, got ${k}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`stratifiedKFold: repeats must be an integer ≥ 1, got ${repeats}`);
  assertUniqueIds(samples);
  const byLabel = idsByLabel(samples);
  for (const [label, ids] of byLabel) {
    if (ids.length < k) throw new Error(`stratifiedKFold: class ${label} has ${ids.length} samples, fewer than k=${k}`);
  }
  const labels = [...byLabel.keys()];
  const folds: Fold[] = [];
  for (let r = 0; r < repeats; r++) {
    const testOf = dealIntoFolds(shuffleClasses([...byLabel.values()], (c) => rngFor('outer-folds', seed, r, labels[c])), k);
    const all = [...testOf.keys()].sort(compareIds);
    for (let f = 0; f < k; f++) {
      folds.push({
        index: f,
        repeat: r,
        train: all.filter((id) => testOf.get(id) !== f),
        val: [],
        test: all.filter((id) => testOf.get(id) === f),
      });
    }
  }
  return folds;
}

/** The dataset's own train/val/test split as one fold (index 0, repeat 0). */
export function officialSplit(samples: readonly Sample[]): Fold {
  assertUniqueIds(samples);
  const fold: Fold = { index: 0, repeat: 0, train: [], val: [], test: [] };
  for (const s of samples) {
    if (s.split === 'train') fold.train.push(s.id);
    else if (s.split === 'val') fold.val.push(s.id);
    else if (s.split === 'test') fold.test.push(s.id);
    else throw new Error(`officialSplit: sample '${s.id}' has no official split (split '${s.split}')`);
  }
  if (fold.train.length === 0 || fold.test.length === 0) {
    throw new Error(`officialSplit: the samples have no official train/test split`);
  }
  for (const list of [fold.train, fold.val, fold.test]) list.sort(compareIds);
  return fold;
}

/**
 * Apply a label budget to a fold's training ids. For each class one seeded permutation per fold
 * and draw is made (independent of the budget) and a prefix taken, so within a draw a smaller
 * budget's labelled set is a subset of a larger one's. Draws are independent permutations (draw 0
 * is the one a run without draws makes); the result depends only on the fold, seed and draw, so
 * every method gets the same labelled ids for a given fold × draw. Everything else in `train` is
 * the unlabelled pool; val and test ids never enter it.
 */
export function applyBudget(fold: Fold, samples: readonly Sample[], budget: LabelBudget, seed: number, draw = 0): BudgetedFold {
  if (!Number.isInteger(draw) || draw < 0) throw new Error(`applyBudget: draw must be a non-negative integer, got ${draw}`);
  const byId = new Map(samples.map((s) => [s.id, s]));
  const held = new Set([...fold.test, ...fold.val]);
  const trainSamples = fold.train.map((id) => {
    const s = byId.get(id);
    if (!s) throw new Error(`applyBudget: fold id '${id}' is not among the samples`);
    if (held.has(id)) throw new Error(`applyBudget: id '${id}' is both a training and a held-out id of the fold`);
    return s;
  });
  const byLabel = idsByLabel(trainSamples);
  const labels = [...byLabel.keys()];
  const classes = shuffleClasses([...byLabel.values()], (c) => rngFor('label-budget', seed, fold.repeat, fold.index, labels[c], draw));
  const { taken: labelled } = takeFromClasses(classes, (c, n) => budgetCount(budget, n, labels[c]));
  labelled.sort(compareIds);
  const chosen = new Set(labelled);
  return {
    ...fold,
    budget,
    labelled,
    unlabelled: fold.train.filter((id) => !chosen.has(id)).sort(compareIds),
  };
}

function budgetCount(budget: LabelBudget, available: number, label: number): number {
  if (budget === 'all') return available;
  if ('perClass' in budget) {
    const n = budget.perClass;
    if (!Number.isInteger(n) || n < 1) throw new Error(`label budget perClass must be an integer ≥ 1, got ${n}`);
    if (n > available) {
      throw new Error(`label budget of ${n} per class exceeds the ${available} training images of class ${label} in this fold`);
    }
    return n;
  }
  const f = budget.fraction;
  if (!(f > 0 && f <= 1)) throw new Error(`label budget fraction must be in (0, 1], got ${f}`);
  return Math.max(1, Math.round(f * available));
}

function assertUniqueIds(samples: readonly Sample[]): void {
  const seen = new Set<string>();
  for (const s of samples) {
    if (seen.has(s.id)) throw new Error(`sample id '${s.id}' appears twice`);
    seen.add(s.id);
  }
}

/**
 * Repeated stratified k-fold that keeps every group (`groupOf`: sample id → group key) in one
 * fold. With no group of two or more it is exactly `stratifiedKFold`. Otherwise, per repeat, the
 * groups are taken largest first (equal sizes in a seeded random order) and each is put in the
 * fold where it least increases Σ_class (count − target)², target = class size / k; ties go to the
 * smaller fold, then the lower index. Singletons come last and fill each fold's class deficits.
 * Then `balanceClassShares` moves whole groups between folds, keeping every fold within
 * ±sizeTolerance of N/k, while that lowers the worst deviation of a class's share in a fold from
 * its share overall: a group holding much of its class needs a larger fold to keep shares close.
 */
export function groupedStratifiedKFold(
  samples: readonly Sample[],
  groupOf: ReadonlyMap<string, string>,
  options: KFoldOptions & { sizeTolerance?: number },
): Fold[] {
  const { k, repeats = 1, seed, sizeTolerance: tolerance = FOLD_SIZE_TOLERANCE } = options;
  if (!Number.isInteger(k) || k < 2) throw new Error(`groupedStratifiedKFold: k must be an integer ≥ 2, got ${k}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`groupedStratifiedKFold: repeats must be an integer ≥ 1, got ${repeats}`);
  assertUniqueIds(samples);
  const members = new Map<string, Sample[]>();
  for (const s of samples) {
    const g = groupOf.get(s.id);
    if (g === undefined) throw new Error(`groupedStratifiedKFold: sample '${s.id}' has no group`);
    members.set(g, [...(members.get(g) ?? []), s]);
  }
  if ([...members.values()].every((m) => m.length === 1)) return stratifiedKFold(samples, options);
  if (members.size < k) throw new Error(`groupedStratifiedKFold: ${members.size} groups cannot fill k=${k} folds`);
  const labels = [...new Set(samples.map((s) => s.label))].sort((a, b) => a - b);
  const column = new Map(labels.map((l, i) => [l, i]));
  const target = labels.map((l) => samples.filter((s) => s.label === l).length / k);
  const keys = [...members.keys()].sort(compareIds);
  const folds: Fold[] = [];
  for (let r = 0; r < repeats; r++) {
    const order = shuffled(keys, rngFor('grouped-folds', seed, r)).sort((a, b) => members.get(b)!.length - members.get(a)!.length);
    const counts = Array.from({ length: k }, () => new Float64Array(labels.length));
    const sizes = new Array<number>(k).fill(0);
    const placed = new Map<string, FoldGroup>();
    for (const key of order) {
      const add = new Float64Array(labels.length);
      for (const s of members.get(key)!) add[column.get(s.label)!]++;
      let best = 0, bestCost = Infinity;
      for (let f = 0; f < k; f++) {
        let cost = 0;
        for (let c = 0; c < labels.length; c++) if (add[c]) cost += (counts[f][c] + add[c] - target[c]) ** 2 - (counts[f][c] - target[c]) ** 2;
        if (cost < bestCost - 1e-9 || (Math.abs(cost - bestCost) <= 1e-9 && sizes[f] < sizes[best])) [best, bestCost] = [f, cost];
      }
      for (let c = 0; c < labels.length; c++) counts[best][c] += add[c];
      sizes[best] += members.get(key)!.length;
      placed.set(key, { perClass: add, size: members.get(key)!.length, fold: best });
    }
    // Groups in key order, so that the search's ties do not depend on the seeded placement order.
    balanceClassShares(keys.map((key) => placed.get(key)!), k, tolerance);
    const testOf = new Map<string, number>();
    for (const key of keys) for (const s of members.get(key)!) testOf.set(s.id, placed.get(key)!.fold);
    const all = [...testOf.keys()].sort(compareIds);
    for (let f = 0; f < k; f++) {
      if (!all.some((id) => testOf.get(id) === f)) throw new Error(`groupedStratifiedKFold: fold ${f} got no images (one group holds most of the data?)`);
      folds.push({ index: f, repeat: r, train: all.filter((id) => testOf.get(id) !== f), val: [], test: all.filter((id) => testOf.get(id) === f) });
    }
  }
  return folds;
}
