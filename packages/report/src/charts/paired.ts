import { CONFIG, SCHEMA } from './theme.js';
import type { ChartSpec } from './render.js';

export interface PairedPoint {
  dataset: string;
  baseline: string;
  /** The resampling unit, e.g. "fold 2" (fold, repeat and seed). */
  unit: string;
  baselineScore: number;
  proposedScore: number;
}

/**
 * One dot per fold: baseline's score (x) against the proposed method's (y) on the same fold.
 * Dots above the diagonal are folds the proposed method won.
 */
export function pairedChart(points: PairedPoint[], proposed: string, metric: string, baselines: string[]): ChartSpec {
  const all = points.flatMap((p) => [p.baselineScore, p.proposedScore]);
  const pad = 0.02;
  const lo = Math.max(0, Math.min(...all) - pad);
  const hi = Math.min(Math.max(1, ...all), Math.max(...all) + pad);
  const domain = all.length ? [lo, hi] : [0, 1];
  return {
    $schema: SCHEMA,
    title: { text: `${metric} per fold: ${proposed} vs each baseline`, subtitle: 'above the diagonal: the proposed method did better on that fold' },
    data: { values: points },
    facet: { column: { field: 'dataset', type: 'nominal', title: null } },
    spec: {
      width: 190,
      height: 190,
      layer: [
        {
          data: { values: [{ a: domain[0], b: domain[1] }] },
          mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
          encoding: {
            x: { datum: domain[0], type: 'quantitative', scale: { domain, zero: false } },
            y: { datum: domain[0], type: 'quantitative', scale: { domain, zero: false } },
            x2: { datum: domain[1] },
            y2: { datum: domain[1] },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 45, opacity: 0.85 },
          encoding: {
            x: { field: 'baselineScore', type: 'quantitative', title: `baseline ${metric}`, scale: { domain, zero: false } },
            y: { field: 'proposedScore', type: 'quantitative', title: `${proposed} ${metric}`, scale: { domain, zero: false } },
            color: { field: 'baseline', type: 'nominal', title: 'baseline', scale: { domain: baselines } },
            shape: { field: 'baseline', type: 'nominal', scale: { domain: baselines } },
            tooltip: [{ field: 'baseline' }, { field: 'unit' }, { field: 'baselineScore', format: '.3f' }, { field: 'proposedScore', format: '.3f' }],
          },
        },
      ],
    },
    config: CONFIG,
  } as ChartSpec;
}
