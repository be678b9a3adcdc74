import type { FeatureMaps } from '@udtl/backbones';
import type { ChannelStats } from './maps.js';
import type { Rng } from './random.js';

/**
 * Fill `out` (rows × k·k·C, row-major (di, dj, c) like a [k, k, C, F] conv kernel) with random
 * k×k patches of standardised maps. Centres are uniform over all n·H·W positions; outside the map
 * the patch is 0 (in standardised units), matching the `same` zero padding used when encoding.
 * Why patches: a conv on a k×k patch is a dense layer on the flattened patch, so training costs
 * one matmul per patch instead of a full-map conv (Konda et al. also train on patches).
 */
export function samplePatches(maps: FeatureMaps, k: number, stats: ChannelStats, rng: Rng, rows: number, out: Float32Array): void {
  const { n, height: h, width: w, channels: c, data } = maps;
  const r = (k - 1) / 2;
  const d = k * k * c;
  if (out.length < rows * d) throw new Error(`patch buffer too small: ${out.length} < ${rows * d}`);
  const { mean, invStd } = stats;
  for (let row = 0; row < rows; row++) {
    const pos = Math.floor(rng() * n * h * w);
    const img = Math.floor(pos / (h * w));
    const y0 = Math.floor((pos % (h * w)) / w);
    const x0 = pos % w;
    let o = row * d;
    for (let dy = -r; dy <= r; dy++) {
      const y = y0 + dy;
      for (let dx = -r; dx <= r; dx++, o += c) {
        const x = x0 + dx;
        if (y < 0 || y >= h || x < 0 || x >= w) {
          out.fill(0, o, o + c);
          continue;
        }
        const src = ((img * h + y) * w + x) * c;
        for (let j = 0; j < c; j++) out[o + j] = (data[src + j] - mean[j]) * invStd[j];
      }
    }
  }
}
