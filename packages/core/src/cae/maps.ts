/** Per-channel statistics of feature maps, for standardising them. */
import type { FeatureMaps } from '@udtl/backbones';

/** Per-channel mean and 1/std (std 0 → 1, so constant channels become 0 and never NaN). */
export interface ChannelStats {
  mean: Float32Array;
  invStd: Float32Array;
}

export function channelStats(maps: FeatureMaps): ChannelStats {
  const { channels: c, data } = maps;
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let i = 0; i < data.length; i += c) {
    for (let j = 0; j < c; j++) {
      const v = data[i + j];
      sum[j] += v;
      sumSq[j] += v * v;
    }
  }
  const count = data.length / c;
  const mean = new Float32Array(c);
  const invStd = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const m = sum[j] / count;
    const variance = Math.max(0, sumSq[j] / count - m * m);
    mean[j] = m;
    invStd[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
  }
  return { mean, invStd };
}

/** Identity statistics (no standardisation). */
export function identityStats(channels: number): ChannelStats {
  return { mean: new Float32Array(channels), invStd: new Float32Array(channels).fill(1) };
}
