import { CONFIG, SCHEMA, methodColor } from './theme.js';
import type { ChartSpec } from './render.js';

export interface MetricPoint {
  dataset: string;
  method: string;
  mean: number;
  /** 95% CI of the mean; absent when there is a single fold. */
  ciLow?: number;
  ciHigh?: number;
}

/** Mean score per method with 95% CI error bars, one panel per dataset. */
export function metricChart(points: MetricPoint[], metric: string, methods: string[], subtitle = ''): ChartSpec {
  const values = points.map((p) => ({ ...p, ciLow: p.ciLow ?? p.mean, ciHigh: p.ciHigh ?? p.mean }));
  return {
    $schema: SCHEMA,
    title: { text: `${metric} per method (mean, 95% CI)`, subtitle },
    data: { values },
    facet: { column: { field: 'dataset', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 170,
      height: 200,
      encoding: {
        x: { field: 'method', type: 'nominal', title: null, sort: methods, axis: { labelAngle: -40 } },
        color: methodColor(methods),
      },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: {
            y: { field: 'ciLow', type: 'quantitative', title: metric, scale: { zero: false } },
            y2: { field: 'ciHigh' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            y: { field: 'mean', type: 'quantitative' },
            tooltip: [{ field: 'method' }, { field: 'mean', format: '.3f' }, { field: 'ciLow', format: '.3f' }, { field: 'ciHigh', format: '.3f' }],
          },
        },
      ],
    },
    config: CONFIG,
  } as ChartSpec;
}
