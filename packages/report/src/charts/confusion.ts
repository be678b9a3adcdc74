import { CONFIG, SCHEMA } from './theme.js';
import type { ChartSpec } from './render.js';

export interface ConfusionCell {
  method: string;
  truth: string;
  pred: string;
  count: number;
  /** count / number of images of the true class. */
  rate: number;
}

/** Confusion matrices of one dataset, one panel per method (rows: true class, columns: predicted). */
export function confusionChart(cells: ConfusionCell[], dataset: string, classes: string[], methods: string[], subtitle = ''): ChartSpec {
  const size = Math.max(90, Math.min(220, 34 * classes.length));
  return {
    $schema: SCHEMA,
    title: { text: `Confusion matrices — ${dataset}`, subtitle },
    data: { values: cells },
    facet: { column: { field: 'method', type: 'nominal', title: null, sort: methods } },
    spec: {
      width: size,
      height: size,
      encoding: {
        x: { field: 'pred', type: 'nominal', title: 'predicted', sort: classes, axis: { labelAngle: -40 } },
        y: { field: 'truth', type: 'nominal', title: 'true', sort: classes },
      },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: { field: 'rate', type: 'quantitative', title: 'row share', scale: { scheme: 'blues', domain: [0, 1] } },
            tooltip: [{ field: 'truth' }, { field: 'pred' }, { field: 'count' }, { field: 'rate', format: '.2f' }],
          },
        },
        {
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: 'datum.rate > 0.5', value: 'white' }, value: 'black' },
          },
        },
      ],
    },
    config: CONFIG,
  } as ChartSpec;
}
