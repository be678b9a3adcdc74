import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import { dejaVuWidth } from './text-width.js';

export type ChartSpec = TopLevelSpec;

type TextItem = { fontSize?: number; fontWeight?: string | number; text?: unknown };
const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
// Headless layout has no canvas to measure text: measure it with the chart font's widths instead.
metrics.width = (item, text) => {
  const value = text ?? item.text;
  const s = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return dejaVuWidth(s, item.fontSize ?? 11, bold);
};

/** Compiles a Vega-Lite spec and renders it headless (no canvas, no DOM) to an SVG string. */
export async function renderSvg(spec: ChartSpec, idPrefix = ''): Promise<string> {
  let view: vega.View | undefined;
  try {
    view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
    const svg = await view.toSVG();
    // Several SVGs share one HTML page: make gradient/clip ids unique to each chart.
    return idPrefix ? svg.replace(/id="([^"]+)"/g, `id="${idPrefix}$1"`).replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}$1)`) : svg;
  } catch (err) {
    const title = typeof spec.title === 'string' ? spec.title : (spec.title as { text?: unknown } | undefined)?.text;
    throw new Error(`chart ${JSON.stringify(title ?? JSON.stringify(spec).slice(0, 60))} could not be rendered: ${(err as Error).message}`);
  } finally {
    view?.finalize();
  }
}

/** Rasterises an SVG (system fonts, white background) at `scale` × its size. */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
