// One seeded PRNG for all of core (no Math.random anywhere): reuse the CAE's mulberry32.
export { mulberry32 } from '../cae/random.js';

/** In-place Fisher–Yates shuffle of the first `length` entries. */
export function shuffleInPlace<T>(a: { [i: number]: T; length: number }, random: () => number, length = a.length): void {
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
