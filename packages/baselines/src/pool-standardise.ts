/**
 * Per-channel standardisation of tap maps with statistics of the fold's training images
 * (labelled ∪ unlabelled: the pool zero-bias-cae's CAE learns its input statistics from, by
 * default), so a comparison with the CAE does not credit it with a better standardisation.
 */
import { createHash } from 'node:crypto';
import type { FeatureMaps, Matrix } from '@udtl/core';

/** Per-channel mean and 1/std over every position of every map (std 0 → 1), as the CAE computes them. */
export interface PoolChannelStats {
  mean: Float64Array;
  invStd: Float64Array;
  /** Maps the statistics were computed on. */
  n: number;
}

/** Statistics of the union of `parts` (same channels), without concatenating them. */
export function poolChannelStats(parts: FeatureMaps[]): PoolChannelStats {
  const acc = new PoolStatsAccumulator();
  for (const m of parts) acc.add(m);
  return acc.result();
}

/** Per-channel sums over maps added batch by batch (same float64 sums, in the same order, as one pass). */
export class PoolStatsAccumulator {
  private sum?: Float64Array;
  private sumSq?: Float64Array;
  private count = 0;
  private n = 0;

  add(m: FeatureMaps): void {
    if (m.n === 0) return;
    const c = m.channels;
    if (this.sum && this.sum.length !== c) throw new Error(`poolChannelStats: maps with ${c} and ${this.sum.length} channels`);
    const sum = (this.sum ??= new Float64Array(c));
    const sumSq = (this.sumSq ??= new Float64Array(c));
    for (let i = 0; i < m.data.length; i += c) {
      for (let j = 0; j < c; j++) {
        const v = m.data[i + j];
        sum[j] += v;
        sumSq[j] += v * v;
      }
    }
    this.count += m.data.length / c;
    this.n += m.n;
  }

  result(): PoolChannelStats {
    const { sum, sumSq, count } = this;
    if (!sum || !sumSq) throw new Error('poolChannelStats: no maps to compute statistics on');
    const c = sum.length;
    const mean = new Float64Array(c);
    const invStd = new Float64Array(c);
    for (let j = 0; j < c; j++) {
      mean[j] = sum[j] / count;
      const variance = Math.max(0, sumSq[j] / count - mean[j] * mean[j]);
      invStd[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
    }
    return { mean, invStd, n: this.n };
  }
}

/**
 * Pooled features as if the maps had been standardised before pooling. Every pooling mode
 * (avg, max, avg+max, pyramid) lays features out channel-fastest (feature j belongs to channel
 * j mod C) and commutes with a per-channel positive affine map, so this is exact. In place.
 */
export function standardisePooled(X: Matrix, stats: PoolChannelStats): Matrix {
  const c = stats.mean.length;
  if (X.cols % c !== 0) throw new Error(`standardisePooled: ${X.cols} features is not a multiple of ${c} channels`);
  for (let i = 0; i < X.data.length; i++) {
    const j = (i % X.cols) % c;
    X.data[i] = (X.data[i] - stats.mean[j]) * stats.invStd[j];
  }
  return X;
}

/** Memo key of a pool's statistics: the map source and the sorted ids. */
export function poolStatsKey(source: { backboneId: string; weightsHash: string; tap: string; inputSize: number }, datasetHash: string, resizeMode: string, ids: string[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ stage: 'pool-channel-stats/v1', ...source, datasetHash, resizeMode }));
  h.update([...ids].sort().join('\n'));
  return h.digest('hex');
}
