/** HTML building blocks of the report; numbers are written by ../text.ts (re-exported for the sections). */

import { pRelation as pRelationText, pValue as pValueText } from '../text.js';

export { DASH, num, signed, seconds, pointsText } from '../text.js';

export function esc(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** p-values as HTML ('&lt; 0.001'): the text forms hold a bare '<'. */
export const pValue = (p: number | undefined): string => esc(pValueText(p));
export const pRelation = (p: number | undefined): string => esc(pRelationText(p));

/** A table from header cells and rows of already-escaped HTML cells. */
export function table(header: string[], rows: string[][], className = ''): string {
  const head = `<thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody>`;
  return `<table${className ? ` class="${className}"` : ''}>${head}${body}</table>`;
}

export const section = (id: string, title: string, body: string) => `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
export const note = (text: string) => `<p class="note">${esc(text)}</p>`;
export const notes = (items: string[]) => (items.length ? `<ul class="notes">${items.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '');

