import * as tf from '@tensorflow/tfjs-core';

/**
 * How a [N, H, W, C] map becomes a vector: global average (C), global max (C), both concatenated
 * (2C: [avg, max]), or a small spatial pyramid of average pools over 1x1 + 2x2 regions (5C:
 * [whole, top-left, top-right, bottom-left, bottom-right]; region i of n covers rows
 * floor(i·H/n) … ceil((i+1)·H/n) − 1, like adaptive average pooling, so odd sizes overlap by one).
 */
export type PoolMode = 'avg' | 'max' | 'avgmax' | 'pyramid';
export const POOL_MODES: readonly PoolMode[] = ['avg', 'max', 'avgmax', 'pyramid'];

export function pooledDim(channels: number, mode: PoolMode): number {
  checkMode(mode);
  return channels * { avg: 1, max: 1, avgmax: 2, pyramid: 5 }[mode];
}

function checkMode(mode: string): asserts mode is PoolMode {
  if (!POOL_MODES.includes(mode as PoolMode)) throw new Error(`Unknown pooling '${mode}'; known: ${POOL_MODES.join(', ')}`);
}

function bins(size: number, n: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [Math.floor((i * size) / n), Math.ceil(((i + 1) * size) / n)]);
}

export function pool(maps: tf.Tensor4D, mode: PoolMode): tf.Tensor2D {
  checkMode(mode);
  if (maps.rank !== 4) throw new Error(`pool expects [N, H, W, C] maps, got shape [${maps.shape.join(', ')}]`);
  return tf.tidy(() => {
    if (mode === 'avg') return tf.mean(maps, [1, 2]) as tf.Tensor2D;
    if (mode === 'max') return tf.max(maps, [1, 2]) as tf.Tensor2D;
    if (mode === 'avgmax') return tf.concat([tf.mean(maps, [1, 2]), tf.max(maps, [1, 2])], 1) as tf.Tensor2D;
    const [, h, w] = maps.shape;
    const parts: tf.Tensor2D[] = [tf.mean(maps, [1, 2]) as tf.Tensor2D];
    for (const [y0, y1] of bins(h, 2)) {
      for (const [x0, x1] of bins(w, 2)) {
        const region = tf.slice(maps, [0, y0, x0, 0], [-1, y1 - y0, x1 - x0, -1]);
        parts.push(tf.mean(region, [1, 2]) as tf.Tensor2D);
      }
    }
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}
