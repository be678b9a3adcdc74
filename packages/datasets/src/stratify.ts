/**
 * The one stratified split of the project: every class shuffled on its own (seeded), then either
 * dealt round-robin into k folds (outer and inner cross-validation) or cut after a per-class count
 * (label budgets, subsamples, hold-out sets).
 */

/** Fisher–Yates shuffle of a copy of `items` driven by `rand`. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Each class's members shuffled, classes in the order given. `randomFor(c)` is the generator of
 * class c: one stream per class, or the same stream for all (then consumed class after class).
 */
export function shuffleClasses<T>(classes: readonly (readonly T[])[], randomFor: (c: number) => () => number): T[][] {
  return classes.map((members, c) => shuffled(members, randomFor(c)));
}

/**
 * Fold of every member: the (shuffled) classes dealt round-robin into k folds, the count running
 * on from one class to the next, so per-class counts of any two folds differ by at most one and so
 * do fold sizes.
 */
export function dealIntoFolds<T>(classes: readonly (readonly T[])[], k: number): Map<T, number> {
  if (!Number.isInteger(k) || k < 1) throw new Error(`dealIntoFolds: k must be a positive integer, got ${k}`);
  const foldOf = new Map<T, number>();
  let position = 0;
  for (const members of classes) for (const m of members) foldOf.set(m, position++ % k);
  return foldOf;
}

/** The first `count(c, n)` members of each (shuffled) class c of n members, and the rest. */
export function takeFromClasses<T>(classes: readonly (readonly T[])[], count: (c: number, n: number) => number): { taken: T[]; rest: T[] } {
  const taken: T[] = [];
  const rest: T[] = [];
  classes.forEach((members, c) => {
    const n = count(c, members.length);
    taken.push(...members.slice(0, n));
    rest.push(...members.slice(n));
  });
  return { taken, rest };
}

/** Indices 0..n-1 grouped by their class code (codes ascending, indices ascending within a class). */
export function indicesByClass(codes: ArrayLike<number>): number[][] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < codes.length; i++) {
    const list = byClass.get(codes[i]);
    if (list) list.push(i);
    else byClass.set(codes[i], [i]);
  }
  return [...byClass.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}
