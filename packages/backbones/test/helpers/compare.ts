import { expect } from 'vitest';

/** max |got − ref| / max |ref|, asserting equal lengths and a non-zero reference (which would make the comparison vacuous). */
export function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(got.length).toBe(ref.length);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(ref[i]));
    maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
  }
  expect(maxRef).toBeGreaterThan(0);
  return maxDiff / maxRef;
}
