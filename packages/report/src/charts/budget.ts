import { CONFIG, PAGE_WIDTH, SCHEMA, methodColor, metricName } from './theme.js';
import type { ChartSpec } from './render.js';

export interface BudgetPoint {
  dataset: string;
  method: string;
  /** '5', '20', …, 'all'. */
  budget: string;
  mean: number;
  /** 95% CI of the mean; absent with a single fold. */
  ciLow?: number;
  ciHigh?: number;
  /** Labelled images per class actually used (shown in the tooltip; for 'all' the fold mean). */
  labelsPerClass?: number;
}

export interface BudgetChartOptions {
  metric: string;
  methods: string[];
  /** Budgets in reading order (increasing, 'all' last): one labelled tick each. */
  budgets: string[];
  title?: string;
  subtitle?: string | string[];
  /** Total width the chart may take (px); panels share it. */
  maxWidth?: number;
}

/** Horizontal room each method gets around a budget tick (in tick units): intervals never overlap. */
const DODGE_SPAN = 0.6;

/**
 * Score against labels per class, one panel per dataset, every method dodged around each budget
 * tick with its 95% CI. The x axis is ordinal (one labelled tick per budget, 'all' included), the
 * y scale is shared by every panel and padded so that a point at 1.0 is drawn whole.
 */
export function budgetChart(points: BudgetPoint[], options: BudgetChartOptions): ChartSpec {
  const { metric, methods, budgets } = options;
  const present = methods.filter((m) => points.some((p) => p.method === m));
  const step = present.length > 1 ? DODGE_SPAN / (present.length - 1) : 0;
  const values = points.map((p) => {
    const slot = present.indexOf(p.method);
    const x = budgets.indexOf(p.budget) + (slot - (present.length - 1) / 2) * step;
    const labelsUsed = p.labelsPerClass === undefined ? '—' : String(Math.round(p.labelsPerClass));
    return { ...p, x, ciLow: p.ciLow ?? p.mean, ciHigh: p.ciHigh ?? p.mean, labelsUsed };
  });
  const domain = yDomain(values.flatMap((v) => [v.ciLow, v.ciHigh, v.mean]));
  const datasets = [...new Set(points.map((p) => p.dataset))];
  const maxWidth = options.maxWidth ?? PAGE_WIDTH;
  // Per panel: its plot plus axis labels (~55 px for the first, ~15 between the others).
  const width = Math.max(140, Math.min(300, Math.floor((maxWidth - 70) / Math.max(1, datasets.length)) - 20));
  const name = metricName(metric);
  const ticks = budgets.map((_, i) => i);
  const tickLabels = JSON.stringify(budgets.map((b) => (b === 'all' ? 'all' : b)));
  const x = {
    field: 'x', type: 'quantitative' as const, title: 'labels per class',
    scale: { domain: [-0.5, budgets.length - 0.5], nice: false, zero: false },
    axis: { values: ticks, labelExpr: `${tickLabels}[datum.value]`, grid: false, labelFontWeight: 'bold' as const },
  };
  const y = { type: 'quantitative' as const, title: name, scale: { domain, nice: false, zero: false }, axis: { format: '.0%', tickCount: 6 } };
  return {
    $schema: SCHEMA,
    title: { text: options.title ?? `${name} against labels per class`, subtitle: options.subtitle ?? 'mean over folds; bars: 95% CI (corrected for overlapping training sets)' },
    data: { values },
    facet: { column: { field: 'dataset', type: 'nominal', title: null, sort: datasets } },
    spec: {
      width,
      height: 240,
      encoding: { x, color: methodColor(methods) },
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5, opacity: 0.5 }, encoding: { y: { field: 'mean', ...y }, detail: { field: 'method' } } },
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y: { field: 'ciLow', ...y }, y2: { field: 'ciHigh' } } },
        {
          mark: { type: 'point', filled: true, size: 60, opacity: 1 },
          encoding: {
            y: { field: 'mean', ...y },
            shape: { field: 'method', type: 'nominal', title: 'method', scale: { domain: methods } },
            tooltip: [{ field: 'dataset' }, { field: 'method' }, { field: 'budget', title: 'budget' }, { field: 'labelsUsed', title: 'labels used per class' }, { field: 'mean', format: '.3f' }, { field: 'ciLow', format: '.3f' }, { field: 'ciHigh', format: '.3f' }],
          },
        },
      ],
    },
    resolve: { scale: { y: 'shared', x: 'shared' } },
    config: CONFIG,
  } as ChartSpec;
}

/**
 * A y domain holding every value with a margin of 4% of the range on each side (so a point at the
 * edge, e.g. a score of 1.0, is not cut in half).
 */
export function yDomain(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const pad = Math.max(0.01, 0.04 * (hi - lo));
  return [lo - pad, hi + pad];
}
