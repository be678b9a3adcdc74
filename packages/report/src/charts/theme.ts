/** Shared look of every chart: small, legible, colour-blind safe palette. */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export const CONFIG = {
  font: 'DejaVu Sans, Arial, sans-serif',
  range: { category: { scheme: 'tableau10' } },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: '#ddd' },
} as const;

/** Method colours stay the same across charts: the domain is the full method list. */
export const methodColor = (methods: string[]) => ({
  field: 'method',
  type: 'nominal' as const,
  title: 'method',
  scale: { domain: methods },
});
