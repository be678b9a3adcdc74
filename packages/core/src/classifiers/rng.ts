// One seeded PRNG for the whole project (no Math.random anywhere).
export { mulberry32 } from '@udtl/datasets';

/** In-place Fisher–Yates shuffle of the first `length` entries. */
export function shuffleInPlace<T>(a: { [i: number]: T; length: number }, random: () => number, length = a.length): void {
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
