/** Stacks of feature maps held in JS memory (float32 NHWC): what a backbone tap produces. */

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
