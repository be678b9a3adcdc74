/**
 * Seeded randomness for the CAE (initialisation, patch sampling), in plain JS so it is identical on
 * every backend and machine: mulberry32 for uniforms, Box-Muller for normals.
 */
export type Rng = () => number;

/** The project's one seeded uniform generator (shared with folds and the bootstrap). */
export { mulberry32 } from '@udtl/datasets';

/** Derive an independent stream for a named purpose (layer index, epoch…) from one seed. */
export function childSeed(seed: number, ...path: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of path) {
    h = Math.imul(h ^ (p + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** `n` draws from N(0, std²). */
export function normalArray(n: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng(); // (0, 1]: log is finite
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
