import { CONFIG, SCHEMA, methodColor } from './theme.js';
import type { ChartSpec } from './render.js';

export interface EfficiencyPoint {
  dataset: string;
  method: string;
  /** Labelled images per class actually used (for budget "all": the fold's mean). */
  labelsPerClass: number;
  budget: string;
  mean: number;
  ciLow?: number;
  ciHigh?: number;
}

/** Label-efficiency curves: score against labels per class (log scale), one line per method. */
export function efficiencyChart(points: EfficiencyPoint[], metric: string, methods: string[]): ChartSpec {
  const values = points.map((p) => ({ ...p, ciLow: p.ciLow ?? p.mean, ciHigh: p.ciHigh ?? p.mean }));
  return {
    $schema: SCHEMA,
    title: { text: `${metric} against labels per class`, subtitle: 'mean over folds, bars: 95% CI' },
    data: { values },
    facet: { column: { field: 'dataset', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 200,
      height: 200,
      encoding: {
        x: { field: 'labelsPerClass', type: 'quantitative', title: 'labels per class', scale: { type: 'log' } },
        color: methodColor(methods),
      },
      layer: [
        { mark: { type: 'line', point: true }, encoding: { y: { field: 'mean', type: 'quantitative', title: metric, scale: { zero: false } } } },
        { mark: { type: 'rule', opacity: 0.6 }, encoding: { y: { field: 'ciLow', type: 'quantitative' }, y2: { field: 'ciHigh' } } },
        {
          mark: { type: 'point', opacity: 0 },
          encoding: {
            y: { field: 'mean', type: 'quantitative' },
            tooltip: [{ field: 'method' }, { field: 'budget' }, { field: 'labelsPerClass', format: '.0f' }, { field: 'mean', format: '.3f' }],
          },
        },
      ],
    },
    config: CONFIG,
  } as ChartSpec;
}
