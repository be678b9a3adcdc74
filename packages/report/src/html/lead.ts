import type { Figure } from '../figures.js';
import { esc, note } from './format.js';

export interface RenderedFigure {
  figure: Figure;
  svg?: string;
  error?: string;
}

/** The figure as wide as its SVG (so its caption wraps under it), never wider than the page. */
const widthStyle = (svg: string | undefined) => {
  const width = svg?.match(/<svg[^>]*\swidth="(\d+(?:\.\d+)?)"/)?.[1];
  return width ? ` style="width:${Math.ceil(Number(width))}px"` : '';
};

/** One figure: the inline SVG (or why it is missing), its caption and links to the files. */
export const figureHtml = ({ figure, svg, error }: RenderedFigure): string =>
  `<figure class="chart" id="fig-${esc(figure.id)}" data-chart="${esc(figure.id)}"${widthStyle(svg)}>${svg ?? note(`This chart could not be drawn: ${error}`)}<figcaption>${esc(figure.title)} — <a href="figures/${esc(figure.id)}.svg">SVG</a>, <a href="figures/${esc(figure.id)}.png">PNG</a></figcaption></figure>`;

/** The lead figures (primary metric against labels per class, and the forest plot of Δ) side by side. */
export function leadSection(figures: RenderedFigure[]): string {
  const lead = figures.filter((f) => f.figure.place === 'lead');
  if (!lead.length) return '';
  return `<section id="lead"><h2>Label efficiency and the compared differences</h2><div class="lead-row">${lead.map(figureHtml).join('\n')}</div></section>`;
}
