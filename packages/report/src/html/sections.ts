import type { AcrossDatasets } from '../across.js';
import { compareBudgets, formatBudget, type JobRecord, type RunManifest } from '../results/types.js';
import type { Comparison } from '../significance.js';
import type { Protocol, Summary } from '../summary.js';
import { metricName } from '../charts/theme.js';
import { computeFacts } from './compute.js';
import { figureHtml, type RenderedFigure } from './lead.js';
import { DASH, esc, note, notes, num, pRelation, pValue, seconds, section, signed, table } from './format.js';

const kv = (rows: [string, string][]) => `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;

/** Finished jobs per dataset × method (failed ones in brackets): shows what an interrupted run lacks. */
export function coverageTable(jobs: JobRecord[], planned: string[] = []): string {
  if (!jobs.length) return '';
  const datasets = [...new Set([...planned, ...jobs.map((j) => j.dataset)])];
  const methods = [...new Set(jobs.map((j) => j.method))];
  const count = (d: string, m: string, status: JobRecord['status']) => jobs.filter((j) => j.dataset === d && j.method === m && j.status === status).length;
  const rows = datasets.map((d) => [esc(d), ...methods.map((m) => {
    const failed = count(d, m, 'failed');
    return `${count(d, m, 'ok')}${failed ? ` <span class="sig-worse">(${failed} failed)</span>` : ''}`;
  })]);
  return `<h3>Jobs finished</h3>${table(['dataset', ...methods.map(esc)], rows)}`;
}

/** What was run: configuration, backend, versions, data and weights hashes, wall time. */
export function runSection(manifest: Partial<RunManifest> | undefined, dir: string, jobs: JobRecord[] = []): string {
  if (!manifest) return section('run', 'What was run', note(`No readable manifest.json in ${dir}: run details are unknown.`) + coverageTable(jobs));
  const m = manifest;
  const versions = Object.entries(m.versions ?? {}).map(([k, v]) => `${esc(k)} ${esc(typeof v === 'string' ? v : JSON.stringify(v))}`).join(', ');
  const jobCounts = m.jobs ? `${m.jobs.done ?? DASH} done, ${m.jobs.failed ?? 0} failed, of ${m.jobs.total ?? DASH}` : DASH;
  const machine = m.machine ? [m.machine.cpuModel, m.machine.cores && `${m.machine.cores} cores`, m.machine.memoryGiB && `${m.machine.memoryGiB} GiB`, m.machine.platform].filter(Boolean).join(', ') : DASH;
  const facts = kv([
    ['run', esc(m.runId ?? DASH)],
    ['complete', m.complete === undefined ? DASH : m.complete ? 'yes' : '<strong>no — interrupted or still running</strong>'],
    ['jobs', esc(jobCounts)],
    ['started / ended', `${esc(m.startedAt ?? DASH)} / ${esc(m.endedAt ?? DASH)}`],
    ...computeFacts(m, jobs),
    ['backend (training)', esc(m.backend?.name ?? DASH)],
    ['engine (frozen backbones)', esc(m.backend?.engine ?? DASH)],
    ['GPU', m.backend?.gpu === undefined ? DASH : m.backend.gpu ? 'yes' : 'no (CPU only)'],
    ['machine', esc(machine)],
    ['versions', versions || DASH],
    ['git commit', esc(m.gitCommit ?? DASH)],
    ['config hash', esc(m.configHash ?? DASH)],
  ]);
  const datasets = m.datasets?.length
    ? table(['dataset', 'images', 'classes', 'dropped', 'content hash'], m.datasets.map((d) => [
      esc(d.id), esc(d.nSamples ?? DASH), esc((d.classes ?? []).join(', ') || DASH),
      esc(typeof d.dropped === 'object' ? JSON.stringify(d.dropped) : d.dropped ?? DASH), `<code>${esc(d.contentHash ?? DASH)}</code>`,
    ]))
    : '';
  const weights = m.weights?.length ? table(['backbone', 'weights hash'], m.weights.map((w) => [esc(w.backbone), `<code>${esc(w.hash ?? DASH)}</code>`])) : '';
  const failures = m.failures?.length ? `<h3>Failed jobs</h3>${table(['job', 'error'], m.failures.map((f) => [esc(f.job), esc(f.error)]))}` : '';
  const config = m.config ? `<details><summary>Experiment configuration</summary><pre>${esc(JSON.stringify(m.config, null, 2))}</pre></details>` : '';
  return section('run', 'What was run', facts + datasets + weights + coverageTable(jobs, (m.datasets ?? []).map((d) => d.id)) + failures + config);
}

const METRIC_COLUMNS = ['accuracy', 'balanced_accuracy', 'macro_f1', 'auc'];

/** One table per dataset and protocol: mean ± sd and 95% CI per method × budget, best marked. */
export function resultsSection(summaries: Summary[], methods: string[]): string {
  if (!summaries.length) return section('results', 'Results', note('No results to show yet (results.csv is missing or empty).'));
  const metrics = METRIC_COLUMNS.filter((m) => summaries.some((s) => s.metric === m));
  let body = note('Scores are mean ± sd over folds × repeats × seeds × draws (n); brackets: 95% CI of the mean with the Nadeau–Bengio corrected variance over fold means (seeds and draws of a fold averaged first) for cross-validation. Bold: best mean per dataset, budget and metric.');
  const groups = new Map<string, Summary[]>();
  for (const s of summaries) {
    const key = `${s.dataset}\u0000${s.protocol}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(s);
  }
  for (const [key, rows] of groups) {
    const [dataset, protocol] = key.split('\u0000') as [string, Protocol];
    const budgets = [...new Set(rows.map((r) => r.budget))].sort(compareBudgets);
    const lines: string[][] = [];
    for (const budget of budgets) {
      const best = new Map(metrics.map((metric) => [metric, Math.max(...rows.filter((r) => r.budget === budget && r.metric === metric).map((r) => r.mean))]));
      for (const method of methods) {
        const cells = metrics.map((metric) => rows.find((r) => r.budget === budget && r.method === method && r.metric === metric));
        if (cells.every((c) => !c)) continue;
        const n = cells.find((c) => c)?.n;
        lines.push([
          esc(formatBudget(budget)), esc(method), esc(n ?? DASH),
          ...cells.map((c, i) => {
            if (!c) return DASH;
            const isBest = c.mean === best.get(metrics[i]) && methods.length > 1;
            const text = `${num(c.mean)}${c.sd !== undefined ? ` ± ${num(c.sd)}` : ''}<br><small>${c.ciLow !== undefined ? `[${num(c.ciLow)}, ${num(c.ciHigh)}]` : 'no CI (one score)'}</small>`;
            return isBest ? `<span class="best">${text} ★</span>` : text;
          }),
        ]);
      }
    }
    const title = protocol === 'official' ? `${dataset} — official train/test split` : `${dataset} — cross-validation`;
    body += `<h3>${esc(title)}</h3>` + table(['labels', 'method', 'n', ...metrics.map((m) => esc(metricName(m)))], lines, 'results');
  }
  return section('results', 'Results', body);
}

const pointsOf = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? DASH : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(100 * x).toFixed(1)}`);
const OTHER_SHORT: Record<string, string> = { accuracy: 'acc', balanced_accuracy: 'bal. acc', macro_f1: 'macro-F1', auc: 'AUC' };

/**
 * Every method against the proposed one, per dataset and budget, on the primary metric, in
 * points: the same adjusted intervals (one Bonferroni family per baseline over the run's cells)
 * as the verdict.
 */
export function significanceSection(comparisons: Comparison[], control: string, methods: string[], alpha: number, metric = 'balanced_accuracy'): string {
  const m = metric.replace(/_/g, ' ');
  const intro = note(
    `Each method is compared with ${control} on ${m} (the primary metric), in points; Δ = ${control} − baseline. ` +
    `Primary test: the corrected repeated k-fold t on fold means (seeds and labelled draws averaged within each fold), SE² = (1/(k·r) + 1/(k−1))·s². ` +
    `One family per baseline over every dataset × budget cell where it is testable: the interval is the Bonferroni simultaneous (1 − α/m) interval and p_adj = min(1, m·p), α = ${alpha} — the same numbers the verdict uses. ` +
    `Wilcoxon is computed on the k per-fold means (repeats and draws averaged) as a robustness check, adjusted the same way; it ignores the training-set overlap that the corrected t accounts for. ` +
    `McNemar only on one official train/test split (pooling folds or seeds would count test images several times). Other metrics: mean Δ only.`,
  );
  if (!methods.includes(control)) return section('significance', 'Significance', intro + note(`The proposed method ${control} has no results, so there is nothing to compare with. Methods present: ${methods.join(', ') || 'none'}.`));
  if (methods.length < 2) return section('significance', 'Significance', intro + note('Only one method has results: comparisons need at least two.'));
  if (!comparisons.length) return section('significance', 'Significance', intro + note('No dataset has results for both the proposed method and a baseline.'));
  let body = intro;
  const groups = new Map<string, Comparison[]>();
  for (const c of comparisons) {
    const key = `${c.dataset}\u0000${c.protocol}\u0000${c.budget}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(c);
  }
  for (const group of groups.values()) {
    const { dataset, protocol, budget } = group[0];
    const rows = group.map((c) => {
      const cls = c.verdict.includes(' is better ') ? 'sig-better' : c.verdict.includes(' is worse ') ? 'sig-worse' : '';
      const others = Object.entries(c.otherDifferences).map(([k, v]) => `${OTHER_SHORT[k] ?? k} ${pointsOf(v)}`).join('<br>');
      return [
        esc(c.baseline), esc(c.nUnits || DASH),
        `${pointsOf(c.meanDifference)}${c.test ? `<br><small>[${pointsOf(c.test.ciLow)}, ${pointsOf(c.test.ciHigh)}]</small>` : ''}`,
        c.test ? `t = ${num(c.test.statistic, 2)} (df ${c.test.df})<br>p ${pRelation(c.test.pValue)}<br><b>p_adj ${pRelation(c.test.pAdjusted)}</b> (m = ${c.test.familySize})` : DASH,
        c.power ? `${(100 * c.power.mdd).toFixed(1)}` : DASH,
        c.wilcoxon ? `W = ${num(c.wilcoxon.statistic, 1)} (n ${c.wilcoxon.n})<br>p ${pRelation(c.wilcoxon.pValue)}<br>p_adj ${pRelation(c.wilcoxon.pAdjusted)}` : DASH,
        c.mcnemar ? `b = ${c.mcnemar.b}, c = ${c.mcnemar.c}<br>p ${pRelation(c.mcnemar.pValue)}<br>p_adj ${pRelation(c.mcnemar.pAdjusted)}` : DASH,
        others || DASH,
        `<span class="${cls}">${esc(c.verdict)}</span>`,
      ];
    });
    const title = `${dataset} — ${protocol === 'official' ? 'official split' : 'cross-validation'}, ${formatBudget(budget)}`;
    const cellNotes = [...new Set(group.flatMap((c) => c.notes))];
    body += `<h3>${esc(title)}</h3>` + table(['baseline', 'folds', `Δ ${esc(m)} (points) [adjusted CI]`, 'corrected t', 'MDD (points)', 'Wilcoxon (per-fold means)', 'McNemar (one split)', 'Δ other metrics', 'verdict'], rows, 'significance') + notes(cellNotes);
  }
  return section('significance', 'Significance against ' + control, body);
}

/** Friedman / Iman–Davenport, average ranks, Nemenyi CD and Holm against the control. */
export function acrossSection(across: AcrossDatasets, control: string): string {
  const title = 'Across datasets';
  if (!across.friedman) return section('across', title, notes(across.notes));
  const f = across.friedman;
  let body = note(`${metricName(across.metric)} means ranked within each dataset × label budget (1 = best; ${across.datasets.length} blocks from ${across.nDatasets} datasets).`);
  body += table(['dataset', 'budget', ...across.methods.map(esc)], across.datasets.map((d, i) => [esc(d.id), formatBudget(d.budget), ...across.ranks[i].map((r) => num(r, 1))]));
  body += kv([
    ['Friedman χ²', `${num(f.statistic, 3)} (df ${f.df}), p ${pRelation(f.pValue)}`],
    ['Iman–Davenport F', `${num(f.imanDavenport.statistic, 3)} (df ${f.imanDavenport.df1}, ${f.imanDavenport.df2}), p ${pRelation(f.imanDavenport.pValue)}`],
    ['Nemenyi critical difference', `${num(across.cd, 3)} (α = ${across.alpha}, k = ${f.k}, N = ${f.n})`],
  ]);
  const vs = new Map((across.vsControl ?? []).map((v) => [v.method, v]));
  body += table(
    ['method', 'average rank', `vs ${esc(control)}: rank difference`, 'p', 'p_holm'],
    across.methods.map((m, j) => {
      const v = vs.get(m);
      return [esc(m), num(f.averageRanks[j], 2), v ? signed(v.rankDifference, 2) : DASH, v ? pValue(v.pValue) : DASH, v ? `${pValue(v.pHolm)}${v.reject ? ' (significant)' : ''}` : DASH];
    }),
  );
  body += '<p><a href="#fig-critical-difference">Critical-difference diagram</a> (in Charts).</p>';
  return section('across', title, body + notes(across.notes));
}

/** Inline SVG charts (all but the lead ones, drawn at the top) with links to the files in figures/. */
export function figuresSection(figures: RenderedFigure[]): string {
  if (!figures.length) return section('figures', 'Charts', note('No charts: there are no results to plot yet.'));
  const rest = figures.filter((f) => f.figure.place !== 'lead');
  const lead = figures.length > rest.length ? note('The lead chart and the forest plot of Δ are at the top of the report.') : '';
  return section('figures', 'Charts', lead + rest.map(figureHtml).join('\n'));
}
