import { CONFIG, PAGE_WIDTH, SCHEMA } from './theme.js';
import type { ChartSpec } from './render.js';

export interface TimingPoint {
  dataset: string;
  method: string;
  phase: 'fit' | 'predict';
  /** Mean seconds per job. */
  seconds: number;
}

/** Mean fit and predict time per job, per method and dataset. */
export function timingChart(points: TimingPoint[], methods: string[]): ChartSpec {
  const datasets = new Set(points.map((p) => p.dataset)).size;
  const width = Math.max(140, Math.min(240, Math.floor((PAGE_WIDTH - 80) / Math.max(1, datasets)) - 30));
  return {
    $schema: SCHEMA,
    title: { text: 'Time per job (mean seconds)', subtitle: 'fit includes any unsupervised stage; machine shared unless stated' },
    data: { values: points },
    facet: { column: { field: 'dataset', type: 'nominal', title: null } },
    spec: {
      width,
      height: 200,
      mark: 'bar',
      encoding: {
        x: { field: 'method', type: 'nominal', title: null, sort: methods, axis: { labelAngle: -40 } },
        xOffset: { field: 'phase', type: 'nominal' },
        y: { field: 'seconds', type: 'quantitative', title: 'seconds per job' },
        color: { field: 'phase', type: 'nominal', title: 'phase', scale: { domain: ['fit', 'predict'] } },
        tooltip: [{ field: 'method' }, { field: 'phase' }, { field: 'seconds', format: '.2f' }],
      },
    },
    config: CONFIG,
  } as ChartSpec;
}
