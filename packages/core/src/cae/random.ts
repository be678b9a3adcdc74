/**
 * Seeded randomness for the CAE (initialisation, patch sampling), in plain JS so it is identical on
 * every backend and machine: mulberry32 for uniforms, Box-Muller for normals.
 */
export type Rng = () => number;

/** The project's one seeded uniform generator (shared with folds and the bootstrap). */
export { mulberry32, rngFor } from '@udtl/datasets';

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
