/**
 * Class shares of grouped folds. When one near-duplicate group holds a large part of its class
 * (MedNIST: 209 of 500 images), no assignment of equal-sized folds keeps that class's share of
 * the fold holding the group near the dataset's: the fold must grow. `balanceClassShares` moves
 * whole groups between folds, within a bound on fold sizes, to make the worst class share as close
 * to the dataset's as that bound allows.
 */

/** How far a fold's size may move from N/k (0.2: between 0.8·N/k and 1.2·N/k). */
export const FOLD_SIZE_TOLERANCE = 0.2;

/** A group of samples that moves as one: its count per class column and its current fold. */
export interface FoldGroup {
  perClass: Float64Array;
  size: number;
  fold: number;
}

/**
 * Local search on a group → fold assignment (changes `groups[i].fold` in place): repeatedly makes
 * the single group move that most lowers the worst |class share in a fold − class share overall|
 * (ties: the sum of squared deviations), never taking a fold outside the size bound and never
 * making a move that raises the worst deviation. Deterministic for a given starting assignment.
 * Returns the worst deviation reached, as a fraction.
 */
export function balanceClassShares(groups: FoldGroup[], k: number, tolerance = FOLD_SIZE_TOLERANCE): number {
  if (!(tolerance >= 0 && tolerance < 1)) throw new Error(`balanceClassShares: tolerance must be in [0, 1), got ${tolerance}`);
  const classes = groups[0]?.perClass.length ?? 0;
  const counts = Array.from({ length: k }, () => new Float64Array(classes));
  const sizes = new Float64Array(k);
  for (const g of groups) {
    for (let c = 0; c < classes; c++) counts[g.fold][c] += g.perClass[c];
    sizes[g.fold] += g.size;
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  const share = Array.from({ length: classes }, (_, c) => counts.reduce((a, fold) => a + fold[c], 0) / total);
  const [low, high] = [(1 - tolerance) * (total / k), (1 + tolerance) * (total / k)];

  /** Worst and summed squared deviation with `g` moved from fold a to fold b (a = b: as it is). */
  const scoreWith = (g: FoldGroup | undefined, a: number, b: number): [number, number] => {
    let worst = 0;
    let squares = 0;
    for (let f = 0; f < k; f++) {
      const sign = g && a !== b ? (f === a ? -1 : f === b ? 1 : 0) : 0;
      const size = sizes[f] + sign * (g?.size ?? 0);
      for (let c = 0; c < classes; c++) {
        const d = size > 0 ? Math.abs((counts[f][c] + sign * (g?.perClass[c] ?? 0)) / size - share[c]) : 0;
        if (d > worst) worst = d;
        squares += d * d;
      }
    }
    return [worst, squares];
  };

  const EPS = 1e-12;
  let [worst, squares] = scoreWith(undefined, 0, 0);
  for (;;) {
    let best: { g: FoldGroup; to: number; worst: number; squares: number } | undefined;
    for (const g of groups) {
      if (sizes[g.fold] - g.size < low) continue;
      for (let to = 0; to < k; to++) {
        if (to === g.fold || sizes[to] + g.size > high) continue;
        const [w, s] = scoreWith(g, g.fold, to);
        const better = (bw: number, bs: number) => w < bw - EPS || (w <= bw + EPS && s < bs - EPS);
        if (better(worst, squares) && (!best || better(best.worst, best.squares))) best = { g, to, worst: w, squares: s };
      }
    }
    if (!best) return worst;
    const { g, to } = best;
    for (let c = 0; c < classes; c++) {
      counts[g.fold][c] -= g.perClass[c];
      counts[to][c] += g.perClass[c];
    }
    sizes[g.fold] -= g.size;
    sizes[to] += g.size;
    g.fold = to;
    [worst, squares] = [best.worst, best.squares];
  }
}
