import { CONFIG, PAGE_WIDTH, SCHEMA, metricName } from './theme.js';
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
  const pad = 0.03; // a point at 1.0 is drawn whole
  const lo = Math.max(0, Math.min(...all) - pad);
  const hi = Math.max(...all) + pad;
  const domain = all.length ? [lo, hi] : [0, 1];
  const name = metricName(metric);
  const datasets = new Set(points.map((p) => p.dataset)).size;
  const size = Math.max(150, Math.min(230, Math.floor((PAGE_WIDTH - 80) / Math.max(1, datasets)) - 40));
  return {
    $schema: SCHEMA,
    title: { text: `${name} per fold: ${proposed} against each baseline`, subtitle: 'above the diagonal: the proposed method did better on that fold' },
    data: { values: points },
    facet: { column: { field: 'dataset', type: 'nominal', title: null } },
    spec: {
      width: size,
      height: size,
      layer: [
        {
          data: { values: [{ a: domain[0], b: domain[1] }] },
          mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
          encoding: {
            x: { datum: domain[0], type: 'quantitative', scale: { domain, zero: false, nice: false } },
            y: { datum: domain[0], type: 'quantitative', scale: { domain, zero: false, nice: false } },
            x2: { datum: domain[1] },
            y2: { datum: domain[1] },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 45, opacity: 0.85 },
          encoding: {
            x: { field: 'baselineScore', type: 'quantitative', title: `baseline ${name}`, scale: { domain, zero: false, nice: false } },
            y: { field: 'proposedScore', type: 'quantitative', title: `${proposed} ${name}`, scale: { domain, zero: false, nice: false } },
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
