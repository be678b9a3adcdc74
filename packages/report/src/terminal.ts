/**
 * What the terminal shows when a run ends: the primary metric per dataset × method × budget as
 * mean ± sd over the cross-validation folds, then the paper's claims with the same adjusted
 * intervals and outcomes as the HTML report (the runner computes no statistic itself).
 */
import { readRun } from './results/read.js';
import { compareBudgets, formatBudget } from './results/types.js';
import { summarize } from './summary.js';
import { claimVerdicts } from './verdict-run.js';
import { PROPOSED_METHOD } from './report.js';
import { metricName } from './charts/theme.js';

const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;

/** Plain-text lines for the end of `udtl run`: the table, then one verdict line per dataset and claim. */
export async function terminalSummary(runDir: string, options: { control?: string; alpha?: number } = {}): Promise<string[]> {
  const control = options.control ?? PROPOSED_METHOD;
  const run = await readRun(runDir);
  const methods = [...new Set(run.results.map((r) => r.method))];
  const ordered = methods.includes(control) ? [control, ...methods.filter((m) => m !== control)] : methods;
  const { metric, verdicts } = claimVerdicts(run, ordered, { control, alpha: options.alpha ?? 0.05 });
  const cells = summarize(run.results).filter((s) => s.protocol === 'cv' && s.metric === metric);
  if (!cells.length) return [`no cross-validation results for ${metricName(metric)} yet`];

  const budgets = [...new Set(cells.map((c) => c.budget))].sort(compareBudgets);
  const header = ['dataset', 'method', ...budgets.map(formatBudget)];
  const rows = [header];
  for (const dataset of new Set(cells.map((c) => c.dataset))) {
    for (const method of ordered) {
      const mine = cells.filter((c) => c.dataset === dataset && c.method === method);
      if (!mine.length) continue;
      rows.push([dataset, method, ...budgets.map((b) => {
        const c = mine.find((x) => x.budget === b);
        return c ? `${c.mean.toFixed(3)}${c.sd === undefined ? '' : ` ± ${c.sd.toFixed(3)}`}` : '';
      })]);
    }
  }
  const widths = header.map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const lines = [`${metricName(metric)} (mean ± sd over folds)`, ...rows.map((r) => r.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd())];

  if (verdicts.length) {
    lines.push('', `does the paper's claim reproduce? (${metricName(metric)}; Δ = ${control} − baseline in points, adjusted CI)`);
    for (const dataset of new Set(verdicts.map((v) => v.dataset))) {
      for (const baseline of new Set(verdicts.filter((v) => v.dataset === dataset).map((v) => v.baseline))) {
        const mine = verdicts.filter((v) => v.dataset === dataset && v.baseline === baseline);
        const claim = mine[0].kind === 'better' ? `better than ${baseline}` : `close to ${baseline}`;
        const parts = mine.map((v) => {
          const numbers = v.meanDifference === undefined ? '' : ` (Δ ${points(v.meanDifference)}${v.ciLow === undefined || v.ciHigh === undefined ? '' : `, CI ${points(v.ciLow)}…${points(v.ciHigh)}`})`;
          return `${formatBudget(v.budget)} ${v.outcome}${numbers}`;
        });
        lines.push(`  ${dataset}, ${claim}: ${parts.join('; ')}`);
      }
    }
  }
  return lines;
}
