/** Shared look of every chart: legible text, colour-blind safe palette, one page width. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Widest a chart may draw (px): the report's 1,200 px column less its padding. */
export const PAGE_WIDTH = 1100;

export const CONFIG = {
  font: 'DejaVu Sans, Arial, sans-serif',
  range: { category: { scheme: 'tableau10' } },
  title: { fontSize: 16, subtitleFontSize: 13, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' },
  legend: { labelFontSize: 12, titleFontSize: 13, orient: 'bottom', direction: 'horizontal', columns: 3, symbolSize: 90, symbolOpacity: 1, labelLimit: 260 },
  header: { labelFontSize: 13, titleFontSize: 13, labelFontWeight: 'bold' },
  text: { fontSize: 12 },
  view: { stroke: '#ddd' },
} as const;

/** Method colours stay the same across charts: the domain is the full method list. */
export const methodColor = (methods: string[]) => ({
  field: 'method',
  type: 'nominal' as const,
  title: 'method',
  scale: { domain: methods },
});

const METRIC_NAMES: Record<string, string> = {
  accuracy: 'accuracy',
  balanced_accuracy: 'balanced accuracy',
  macro_f1: 'macro-F1',
  auc: 'AUC (one-vs-rest)',
  fit_seconds: 'fit time',
  predict_seconds: 'predict time',
  n_labelled: 'labelled images',
  n_test: 'test images',
};

/** A metric id as a reader would write it ('balanced_accuracy' → 'balanced accuracy'). */
export const metricName = (id: string): string => METRIC_NAMES[id] ?? readable(id);

/** Any other id (a class name such as 'glioma_tumor') with underscores as spaces. */
export const readable = (id: string): string => id.replace(/_/g, ' ');

/** A budget as an axis tick: '5' → '5', 'all' → 'all'. */
export const budgetTick = (b: string | number): string => String(b);
