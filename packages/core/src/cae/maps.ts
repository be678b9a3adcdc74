/** Stacks of feature maps held in JS memory (float32 NHWC), and their per-channel statistics. */

export interface FeatureMaps {
  n: number;
  height: number;
  width: number;
  channels: number;
  /** n·height·width·channels values, NHWC. */
  data: Float32Array;
}

export function checkFeatureMaps(maps: FeatureMaps, what = 'feature maps'): void {
  const { n, height, width, channels, data } = maps;
  for (const [k, v] of Object.entries({ n, height, width, channels })) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${what}: ${k} must be a non-negative integer, got ${v}`);
  }
  if (data.length !== n * height * width * channels) {
    throw new Error(`${what}: data has ${data.length} values, expected ${n}x${height}x${width}x${channels}`);
  }
}

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
