import { formatBudget, parseBudget } from '@udtl/results';
import { CONFIG, SCHEMA } from './theme.js';
import type { ChartSpec } from './render.js';

/** One Δ = proposed − baseline on one dataset at one budget, in points. */
export interface ForestRow {
  baseline: string;
  dataset: string;
  budget: string;
  /** Mean Δ over paired folds (points). */
  delta: number;
  /** The adjusted (Bonferroni, 1 − α/m) interval the verdict reads (points); absent when not testable. */
  ciLow?: number;
  ciHigh?: number;
  /** The claim's outcome, or 'no claim' for a baseline the paper makes no claim about. */
  outcome: string;
}

/** The decision line of a claim: δ for "better than", −margin for "close to" (points). */
export interface ForestThreshold {
  baseline: string;
  value: number;
  /** e.g. 'δ = +1' or '−margin = −2'. */
  label: string;
}

/** A difference of proportions lies in [−100, 100] points: interval ends beyond are drawn at the edge. */
const cut = (x: number) => Math.max(-100, Math.min(100, x));

const cellLabel = (r: { dataset: string; budget: string }) => `${r.dataset} · ${formatBudget(parseBudget(r.budget))}`;

export const OUTCOME_COLOURS: Record<string, string> = {
  reproduces: '#1a7f37',
  inconclusive: '#b7791f',
  'does not reproduce': '#c62828',
  'not testable': '#8c8c8c',
  'no claim': '#4c78a8',
};

/**
 * Forest plot: one row per dataset × budget, one panel per baseline, Δ with its adjusted CI,
 * a solid line at 0 and a dashed line at the claim's decision threshold (δ or −margin).
 */
export function forestChart(rows: ForestRow[], thresholds: ForestThreshold[], options: { baselines: string[]; metric: string; width?: number }): ChartSpec {
  const panelOf = (b: string) => {
    const t = thresholds.find((x) => x.baseline === b);
    return `vs ${b}${t ? ` (dashed: ${t.label})` : ''}`;
  };
  // Claimed baselines first (their thresholds drawn), then the others in the given order.
  const claimed = thresholds.map((t) => t.baseline);
  const baselines = [...claimed, ...options.baselines.filter((b) => !claimed.includes(b))].filter((b, i, all) => all.indexOf(b) === i && rows.some((r) => r.baseline === b));
  const thresholdOf = new Map(thresholds.map((t) => [t.baseline, t.value]));
  // Untested rows carry their Δ as both ends (no nulls for Vega-Lite to filter); their interval is not drawn.
  const values = rows.filter((r) => baselines.includes(r.baseline)).map((r) => ({
    cell: cellLabel(r), ...r, ciLow: cut(r.ciLow ?? r.delta), ciHigh: cut(r.ciHigh ?? r.delta), tested: r.ciLow !== undefined,
  }));
  const x = { type: 'quantitative' as const, title: `Δ ${options.metric} (points, proposed − baseline)`, scale: { zero: true, nice: true }, axis: { grid: false } };
  const cells = [...new Set(rows.map((r) => cellLabel(r)))];
  const y = { field: 'cell', type: 'nominal' as const, title: null, sort: cells, axis: { labelLimit: 240 } };
  const outcomes = Object.keys(OUTCOME_COLOURS).filter((o) => rows.some((r) => r.outcome === o));
  const color = { field: 'outcome', type: 'nominal' as const, title: 'verdict', scale: { domain: outcomes, range: outcomes.map((o) => OUTCOME_COLOURS[o]) } };
  return {
    $schema: SCHEMA,
    title: { text: `Δ ${options.metric}, adjusted CI`, subtitle: ['Bonferroni-adjusted intervals (one family per claim), as the verdict reads them;', 'solid line: no difference; dashed: the decision threshold; open: not testable'] },
    // One view per baseline, each with its own rows and x scale (a facet would share one data source).
    vconcat: baselines.map((b) => ({
      title: { text: panelOf(b), fontSize: 13, subtitle: '' },
      data: { values: values.filter((v) => v.baseline === b) },
      // A view's own lines and intervals, each from the rows it needs (no hidden marks).
      width: options.width ?? 240,
      height: { step: 24 },
      layer: [
        { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#333', strokeWidth: 1.2 }, encoding: { x: { field: 'zero', ...x } } },
        ...(thresholdOf.has(b) ? [{ data: { values: [{ threshold: thresholdOf.get(b) }] }, mark: { type: 'rule' as const, color: '#c62828', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { x: { field: 'threshold', ...x } } }] : []),
        ...(values.some((v) => v.baseline === b && v.tested) ? [{ data: { values: values.filter((v) => v.baseline === b && v.tested) }, mark: { type: 'rule' as const, strokeWidth: 2.5 }, encoding: { y, x: { field: 'ciLow', ...x }, x2: { field: 'ciHigh' }, color } }] : []),
        {
          // Filled: an adjusted CI exists; open: not testable (mean Δ only).
          mark: { type: 'point', size: 70, filled: true, strokeWidth: 2, opacity: 1 },
          encoding: {
            y,
            x: { field: 'delta', ...x },
            color,
            stroke: color,
            fillOpacity: { condition: { test: 'datum.tested', value: 1 }, value: 0 },
            tooltip: [{ field: 'baseline' }, { field: 'dataset' }, { field: 'budget' }, { field: 'delta', title: 'Δ (points)', format: '+.1f' }, { field: 'ciLow', title: 'adjusted CI low', format: '+.1f' }, { field: 'ciHigh', title: 'adjusted CI high', format: '+.1f' }, { field: 'outcome' }],
          },
        },
      ],
    })),
    resolve: { scale: { x: 'independent', y: 'independent', color: 'shared', stroke: 'shared' } },
    config: { ...CONFIG, legend: { ...CONFIG.legend, columns: 0 }, axisY: { labelLimit: 240 } },
  } as ChartSpec;
}
