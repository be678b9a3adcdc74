import type { AcrossDatasets } from './across.js';
import { budgetChart, cdChart, confusionChart, forestChart, metricName, pairedChart, timingChart, type BudgetPoint, type ChartSpec, type ConfusionCell, type ForestRow, type ForestThreshold, type PairedPoint, type TimingPoint } from './charts/index.js';
import { compareBudgets, formatBudget, type Budget, type RunData } from './results/types.js';
import type { Comparison } from './significance.js';
import { fullBudget, protocolOf, type Summary } from './summary.js';
import type { ClaimVerdict, DecisionThresholds } from './verdict.js';

export interface Figure {
  /** File-name safe id: figures/<id>.svg */
  id: string;
  title: string;
  spec: ChartSpec;
  /** 'lead': drawn at the top beside the verdict; 'charts': in the Charts section. */
  place: 'lead' | 'charts';
}

export const SCORE_METRICS = ['accuracy', 'balanced_accuracy', 'macro_f1', 'auc'] as const;

export interface FigureContext {
  run: RunData;
  summaries: Summary[];
  across: AcrossDatasets;
  control: string;
  methods: string[];
  /** Full budget per dataset (cross-validation). */
  full: Map<string, Budget>;
  /** The primary metric: the lead, forest and paired charts show it (default balanced accuracy). */
  metric?: string;
  /** The comparisons the significance section prints and the verdict's claims read. */
  comparisons?: Comparison[];
  verdicts?: ClaimVerdict[];
  /** δ and the margin (metric units) the verdict uses: the forest plot's dashed lines. */
  thresholds?: DecisionThresholds;
}

const safeId = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
const SEP = '\u0000';
/** The lead chart leaves room beside it for the forest plot on a 1,200 px page. */
const LEAD_WIDTH = 560;
const signedPoints = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(1).replace(/\.0$/, '')}`;

/** Every chart the data supports; what it cannot support is left out, never drawn empty. */
export function buildFigures(ctx: FigureContext): Figure[] {
  const { run, summaries, control, methods, full } = ctx;
  const primary = ctx.metric ?? 'balanced_accuracy';
  const name = metricName(primary);
  const figures: Figure[] = [];
  const cv = summaries.filter((s) => s.protocol === 'cv');
  const budgets = [...new Set(cv.map((s) => s.budget))].sort(compareBudgets).map(String);
  const lead = budgetPoints(run, cv, primary);
  if (lead.length) {
    figures.push({ id: `lead-${primary}`, place: 'lead', title: `${name} against labels per class, every method (the paper's claim is about label efficiency)`, spec: budgetChart(lead, { metric: primary, methods, budgets, subtitle: leadSubtitle(run, cv), maxWidth: LEAD_WIDTH }) });
  }
  const forest = forestRows(ctx.comparisons ?? [], ctx.verdicts ?? []);
  if (forest.rows.length) {
    const baselines = methods.filter((m) => m !== control);
    figures.push({ id: 'forest', place: 'lead', title: `Δ ${name} = ${control} − baseline, with the adjusted CI the verdict uses`, spec: forestChart(forest.rows, forestThresholds(ctx.verdicts ?? [], ctx.thresholds), { baselines, metric: name }) });
  }
  for (const metric of SCORE_METRICS) {
    if (metric === primary) continue;
    const points = budgetPoints(run, cv, metric);
    if (points.length) figures.push({ id: `metric-${metric}`, place: 'charts', title: `${metricName(metric)} against labels per class`, spec: budgetChart(points, { metric, methods, budgets }) });
  }
  const paired = pairedPoints(run, control, methods, full, primary);
  if (paired.length) figures.push({ id: `paired-${primary}`, place: 'charts', title: `Per-fold ${name} at the full label budget: ${control} against each baseline`, spec: pairedChart(paired, control, primary, methods.filter((m) => m !== control)) });
  if (ctx.across.friedman && ctx.across.cd !== undefined) {
    const ranks = ctx.across.methods.map((method, j) => ({ method, rank: ctx.across.friedman!.averageRanks[j] }));
    figures.push({ id: 'critical-difference', place: 'charts', title: 'Critical-difference diagram', spec: cdChart({ ranks, cd: ctx.across.cd, nDatasets: ctx.across.datasets.length, alpha: ctx.across.alpha }) });
  }
  for (const [dataset, budget] of full) {
    const cells = confusionCells(run, dataset, budget);
    if (!cells.length) continue;
    const present = methods.filter((m) => cells.some((c) => c.method === m));
    figures.push({ id: `confusion-${safeId(dataset)}`, place: 'charts', title: `Confusion matrices — ${dataset}`, spec: confusionChart(cells, dataset, classesOf(run, dataset), present, `summed over folds, ${formatBudget(budget)}`) });
  }
  const atFull = (s: Summary) => full.get(s.dataset) === s.budget;
  const timing: TimingPoint[] = [];
  for (const [metric, phase] of [['fit_seconds', 'fit'], ['predict_seconds', 'predict']] as const) {
    for (const s of cv) if (s.metric === metric && atFull(s)) timing.push({ dataset: s.dataset, method: s.method, phase, seconds: s.mean });
  }
  if (timing.length) figures.push({ id: 'timing', place: 'charts', title: 'Time per job at the full label budget', spec: timingChart(timing, methods) });
  return figures;
}

/** Mean, CI and labels actually used per class for every method × budget of one metric. */
function budgetPoints(run: RunData, cv: Summary[], metric: string): BudgetPoint[] {
  return cv.filter((s) => s.metric === metric).map((s) => ({
    dataset: s.dataset, method: s.method, budget: String(s.budget), mean: s.mean, ciLow: s.ciLow, ciHigh: s.ciHigh,
    labelsPerClass: labelsPerClass(run, cv, s),
  }));
}

function labelsPerClass(run: RunData, cv: Summary[], s: Summary): number | undefined {
  // n_labelled / classes: a budget may exceed a small class, and 'all' differs per dataset.
  const used = cv.find((u) => u.metric === 'n_labelled' && u.dataset === s.dataset && u.method === s.method && u.budget === s.budget);
  const k = classesOf(run, s.dataset).length;
  return used && k ? used.mean / k : s.budget === 'all' ? undefined : s.budget;
}

/** What "all" means per dataset, in labels per class. */
function leadSubtitle(run: RunData, cv: Summary[]): string[] {
  const all = [...new Set(cv.filter((s) => s.budget === 'all').map((s) => s.dataset))].flatMap((d) => {
    const s = cv.find((x) => x.dataset === d && x.budget === 'all' && x.metric === 'n_labelled');
    const per = s ? labelsPerClass(run, cv, s) : undefined;
    return per ? [`${d} ≈ ${Math.round(per)}`] : [];
  });
  const lines = ['mean over folds; bars: 95% CI (Nadeau–Bengio)', 'methods side by side at each budget'];
  if (all.length) lines.push('“all” = every training label; per class:');
  for (let i = 0; i < all.length; i += 2) lines.push(all.slice(i, i + 2).join(', '));
  return lines;
}

/** Each cross-validation comparison with the adjusted CI (points) and its claim's outcome. */
function forestRows(comparisons: Comparison[], verdicts: ClaimVerdict[]): { rows: ForestRow[] } {
  const rows: ForestRow[] = [];
  for (const c of comparisons) {
    if (c.protocol !== 'cv' || c.meanDifference === undefined) continue;
    const v = verdicts.find((x) => x.dataset === c.dataset && x.budget === c.budget && x.baseline === c.baseline);
    rows.push({
      baseline: c.baseline, dataset: c.dataset, budget: String(c.budget), delta: 100 * c.meanDifference,
      ciLow: c.test ? 100 * c.test.ciLow : undefined, ciHigh: c.test ? 100 * c.test.ciHigh : undefined,
      outcome: v ? v.outcome : c.test ? 'no claim' : 'not testable',
    });
  }
  return { rows };
}

/** δ for a "better than" claim, −margin for a "close to" claim, in points. */
function forestThresholds(verdicts: ClaimVerdict[], t: DecisionThresholds | undefined): ForestThreshold[] {
  const out: ForestThreshold[] = [];
  for (const v of verdicts) {
    if (out.some((x) => x.baseline === v.baseline)) continue;
    const value = 100 * (v.kind === 'better' ? (t?.smallestGain ?? v.threshold) : -(t?.margin ?? v.threshold));
    out.push({ baseline: v.baseline, value, label: v.kind === 'better' ? `δ = ${signedPoints(value)}` : `−margin = ${signedPoints(value)}` });
  }
  return out;
}

/** Class names of a dataset: from the manifest, else from the predictions. */
export function classesOf(run: RunData, dataset: string): string[] {
  const listed = run.manifest?.datasets?.find((d) => d.id === dataset)?.classes;
  if (listed?.length) return listed;
  const seen = new Set<string>();
  for (const p of run.predictions) if (p.dataset === dataset) { seen.add(p.truth); seen.add(p.pred); }
  return [...seen].sort();
}

/** Per fold (× repeat × seed × draw) score of the control and of each baseline, at the full budget. */
function pairedPoints(run: RunData, control: string, methods: string[], full: Map<string, Budget>, metric: string): PairedPoint[] {
  const scores = new Map<string, number>();
  for (const r of run.results) {
    if (r.metric === metric && r.fold !== 'official' && full.get(r.dataset) === r.budget) scores.set([r.dataset, r.method, r.fold, r.repeat, r.seed, r.draw ?? 0].join(SEP), r.value);
  }
  const points: PairedPoint[] = [];
  for (const [key, proposedScore] of scores) {
    const [dataset, method, fold, repeat, seed, draw] = key.split(SEP);
    if (method !== control) continue;
    for (const baseline of methods) {
      const other = scores.get([dataset, baseline, fold, repeat, seed, draw].join(SEP));
      const unit = `fold ${fold}, repeat ${repeat}, seed ${seed}${draw === '0' ? '' : `, draw ${draw}`}`;
      if (baseline !== control && other !== undefined) points.push({ dataset, baseline, unit, baselineScore: other, proposedScore });
    }
  }
  return points;
}

function confusionCells(run: RunData, dataset: string, budget: Budget): ConfusionCell[] {
  const counts = new Map<string, number>();
  const rowTotals = new Map<string, number>();
  for (const p of run.predictions) {
    if (p.dataset !== dataset || p.budget !== budget || protocolOf(p.fold) !== 'cv') continue;
    const cell = [p.method, p.truth, p.pred].join(SEP);
    const row = [p.method, p.truth].join(SEP);
    counts.set(cell, (counts.get(cell) ?? 0) + 1);
    rowTotals.set(row, (rowTotals.get(row) ?? 0) + 1);
  }
  // Every cell, zeros included, so that empty cells read 0 rather than being left blank.
  const classes = classesOf(run, dataset);
  const methods = [...new Set([...rowTotals.keys()].map((k) => k.split(SEP)[0]))];
  return methods.flatMap((method) => classes.flatMap((truth) => classes.map((pred) => {
    const count = counts.get([method, truth, pred].join(SEP)) ?? 0;
    const total = rowTotals.get([method, truth].join(SEP)) ?? 0;
    return { method, truth, pred, count, rate: total ? count / total : 0 };
  })));
}

/** Full budget per dataset among its cross-validation results (official split if it has none). */
export function fullBudgets(summaries: Summary[]): Map<string, Budget> {
  const out = new Map<string, Budget>();
  for (const d of new Set(summaries.map((s) => s.dataset))) {
    const own = summaries.filter((s) => s.dataset === d);
    const cv = own.filter((s) => s.protocol === 'cv');
    out.set(d, fullBudget((cv.length ? cv : own).map((s) => s.budget))!);
  }
  return out;
}
