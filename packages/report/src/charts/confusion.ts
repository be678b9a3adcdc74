import { CONFIG, PAGE_WIDTH, SCHEMA, readable } from './theme.js';
import type { ChartSpec } from './render.js';

export interface ConfusionCell {
  method: string;
  truth: string;
  pred: string;
  count: number;
  /** count / number of images of the true class. */
  rate: number;
}

/** Room a panel needs beside its matrix: class labels on the y axis and the gap to the next panel. */
const PANEL_MARGIN = 150;

/**
 * Confusion matrices of one dataset, one panel per method (rows: true class, columns: predicted),
 * wrapped into as many rows as it takes to stay within the page width.
 */
export function confusionChart(cells: ConfusionCell[], dataset: string, classes: string[], methods: string[], subtitle = ''): ChartSpec {
  const k = Math.max(1, classes.length);
  const size = Math.max(110, Math.min(200, 30 * k));
  const columns = Math.max(1, Math.min(methods.length, Math.floor(PAGE_WIDTH / (size + PANEL_MARGIN))));
  const names = classes.map(readable);
  const values = cells.map((c) => ({ ...c, truth: readable(c.truth), pred: readable(c.pred) }));
  return {
    $schema: SCHEMA,
    title: { text: `Confusion matrices — ${dataset}`, subtitle },
    data: { values },
    facet: { field: 'method', type: 'nominal', title: null, sort: methods },
    columns,
    spec: {
      width: size,
      height: size,
      encoding: {
        x: { field: 'pred', type: 'nominal', title: 'predicted class', sort: names, axis: { labelAngle: -40, labelLimit: 110 } },
        y: { field: 'truth', type: 'nominal', title: 'true class', sort: names, axis: { labelLimit: 110 } },
      },
      layer: [
        {
          mark: 'rect',
          encoding: {
            color: { field: 'rate', type: 'quantitative', title: 'share of the true class', scale: { scheme: 'blues', domain: [0, 1] }, legend: { orient: 'right', direction: 'vertical' } },
            tooltip: [{ field: 'truth', title: 'true' }, { field: 'pred', title: 'predicted' }, { field: 'count' }, { field: 'rate', format: '.2f' }],
          },
        },
        {
          mark: { type: 'text', fontSize: size / k >= 28 ? 12 : 10 },
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
