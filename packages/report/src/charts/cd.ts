import { CONFIG, SCHEMA } from './theme.js';
import type { ChartSpec } from './render.js';

export interface CdInput {
  /** Average rank per method (1 = best). */
  ranks: { method: string; rank: number }[];
  /** Nemenyi critical difference at the chosen alpha. */
  cd: number;
  /** Number of blocks ranked (datasets, or dataset × budget cells). */
  nDatasets: number;
  alpha: number;
}

/**
 * Groups of methods whose average ranks differ by less than the CD: maximal runs of the
 * rank-sorted list, drawn as thick bars (Demšar 2006, Fig. 1). Single methods are left out.
 */
export function cdCliques(ranks: { method: string; rank: number }[], cd: number): string[][] {
  const sorted = [...ranks].sort((a, b) => a.rank - b.rank);
  const runs: [number, number][] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1].rank - sorted[i].rank < cd) j++;
    if (j > i && !runs.some(([a, b]) => a <= i && j <= b)) runs.push([i, j]);
  }
  return runs.map(([a, b]) => sorted.slice(a, b + 1).map((r) => r.method));
}

/** Critical-difference diagram: methods on an average-rank axis, cliques joined by bars. */
export function cdChart(input: CdInput): ChartSpec {
  const sorted = [...input.ranks].sort((a, b) => a.rank - b.rank);
  const k = sorted.length;
  const lo = 1, hi = Math.max(k, 2);
  const cliques = cdCliques(sorted, input.cd);
  const rank = new Map(sorted.map((r) => [r.method, r.rank]));
  const segments: { x: number; x2: number; y: number; y2: number; kind: string }[] = [];
  const labels: { x: number; y: number; text: string; side: string }[] = [];
  // The CD bar above the axis, starting at the best rank.
  segments.push({ x: lo, x2: Math.min(hi, lo + input.cd), y: -0.9, y2: -0.9, kind: 'cd' });
  labels.push({ x: lo, y: -1.35, text: `CD = ${input.cd.toFixed(2)} (Nemenyi, α = ${input.alpha}, N = ${input.nDatasets} dataset × budget blocks)`, side: 'left' });
  cliques.forEach((group, i) => {
    const rs = group.map((m) => rank.get(m)!);
    segments.push({ x: Math.min(...rs) - 0.03, x2: Math.max(...rs) + 0.03, y: 0.25 + 0.25 * i, y2: 0.25 + 0.25 * i, kind: 'clique' });
  });
  const top = 0.5 + 0.25 * cliques.length;
  const leftCount = Math.ceil(k / 2);
  sorted.forEach((r, i) => {
    const left = i < leftCount;
    const y = top + (left ? i : k - 1 - i) * 0.7;
    const edge = left ? lo - 0.6 : hi + 0.6;
    segments.push({ x: r.rank, x2: r.rank, y: 0, y2: y, kind: 'method' });
    segments.push({ x: r.rank, x2: edge, y, y2: y, kind: 'method' });
    labels.push({ x: left ? edge - 0.05 : edge + 0.05, y, text: `${r.method} (${r.rank.toFixed(2)})`, side: left ? 'right' : 'left' });
  });
  const rows = top + Math.ceil(k / 2) * 0.7;
  const x = { type: 'quantitative' as const, scale: { domain: [lo - 2.2, hi + 2.2], nice: false }, axis: null };
  const y = { type: 'quantitative' as const, scale: { domain: [-1.7, rows], reverse: true, nice: false }, axis: null };
  const ticks = Array.from({ length: hi - lo + 1 }, (_, i) => ({ x: lo + i }));
  return {
    $schema: SCHEMA,
    title: { text: 'Critical-difference diagram (average rank, 1 = best)', subtitle: 'methods joined by a bar are not significantly different' },
    width: 560,
    height: Math.round(40 * (rows + 1.7)),
    layer: [
      { data: { values: [{ x: lo, x2: hi, y: 0 }] }, mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'x', ...x }, x2: { field: 'x2' }, y: { field: 'y', ...y } } },
      { data: { values: ticks }, mark: { type: 'tick', orient: 'vertical', color: 'black', size: 10 }, encoding: { x: { field: 'x', ...x }, y: { datum: 0, ...y } } },
      { data: { values: ticks }, mark: { type: 'text', dy: -12, fontSize: 11 }, encoding: { x: { field: 'x', ...x }, y: { datum: 0, ...y }, text: { field: 'x' } } },
      {
        data: { values: segments },
        mark: { type: 'rule' },
        encoding: {
          x: { field: 'x', ...x }, x2: { field: 'x2' }, y: { field: 'y', ...y }, y2: { field: 'y2' },
          strokeWidth: { condition: { test: "datum.kind !== 'method'", value: 4 }, value: 1 },
          color: { condition: { test: "datum.kind === 'cd'", value: '#c0392b' }, value: 'black' },
        },
      },
      ...(['left', 'right'] as const).map((side) => ({
        data: { values: labels.filter((l) => l.side === side) },
        mark: { type: 'text' as const, align: side, baseline: 'middle' as const, fontSize: 11 },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'text' } },
      })),
    ],
    config: CONFIG,
  } as ChartSpec;
}
