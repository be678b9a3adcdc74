import type { AcrossDatasets } from './across.js';
import { cdChart, confusionChart, efficiencyChart, metricChart, pairedChart, timingChart, type ChartSpec, type ConfusionCell, type EfficiencyPoint, type PairedPoint, type TimingPoint } from './charts/index.js';
import { compareBudgets, type Budget, type RunData } from './results/types.js';
import { fullBudget, protocolOf, type Summary } from './summary.js';

export interface Figure {
  /** File-name safe id: figures/<id>.svg */
  id: string;
  title: string;
  spec: ChartSpec;
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
  /** The primary metric: the paired and label-efficiency charts show it (default accuracy). */
  metric?: string;
}

const safeId = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
const SEP = '\u0000';

/** Every chart the data supports; what it cannot support is left out, never drawn empty. */
export function buildFigures(ctx: FigureContext): Figure[] {
  const { run, summaries, control, methods, full } = ctx;
  const primary = ctx.metric ?? 'accuracy';
  const metricName = primary.replace(/_/g, ' ');
  const figures: Figure[] = [];
  const cv = summaries.filter((s) => s.protocol === 'cv');
  const atFull = (s: Summary) => full.get(s.dataset) === s.budget;
  const budgetNote = [...full].map(([d, b]) => `${d}: ${b === 'all' ? 'all labels' : `${b} labels/class`}`).join(', ');

  for (const metric of SCORE_METRICS) {
    const points = cv.filter((s) => s.metric === metric && atFull(s));
    if (points.length) figures.push({ id: `metric-${metric}`, title: `${metric} at the full label budget`, spec: metricChart(points, metric, methods, budgetNote) });
  }

  const paired = pairedPoints(run, control, methods, full, primary);
  if (paired.length) figures.push({ id: `paired-${primary}`, title: `Per-fold ${metricName}: ${control} vs each baseline`, spec: pairedChart(paired, control, primary, methods.filter((m) => m !== control)) });

  const efficiency = efficiencyPoints(run, cv, primary);
  const curves = new Map<string, Set<string>>();
  for (const p of efficiency) (curves.get(`${p.dataset}${SEP}${p.method}`) ?? curves.set(`${p.dataset}${SEP}${p.method}`, new Set()).get(`${p.dataset}${SEP}${p.method}`)!).add(p.budget);
  if ([...curves.values()].some((budgets) => budgets.size >= 2)) {
    figures.push({ id: `efficiency-${primary}`, title: `Label efficiency (${metricName})`, spec: efficiencyChart(efficiency, primary, methods) });
  }

  if (ctx.across.friedman && ctx.across.cd !== undefined) {
    const ranks = ctx.across.methods.map((method, j) => ({ method, rank: ctx.across.friedman!.averageRanks[j] }));
    figures.push({ id: 'critical-difference', title: 'Critical-difference diagram', spec: cdChart({ ranks, cd: ctx.across.cd, nDatasets: ctx.across.datasets.length, alpha: ctx.across.alpha }) });
  }

  for (const [dataset, budget] of full) {
    const cells = confusionCells(run, dataset, budget);
    if (!cells.length) continue;
    const present = methods.filter((m) => cells.some((c) => c.method === m));
    figures.push({ id: `confusion-${safeId(dataset)}`, title: `Confusion matrices — ${dataset}`, spec: confusionChart(cells, dataset, classesOf(run, dataset), present, `summed over folds, budget ${budget}`) });
  }

  const timing: TimingPoint[] = [];
  for (const [metric, phase] of [['fit_seconds', 'fit'], ['predict_seconds', 'predict']] as const) {
    for (const s of cv) if (s.metric === metric && atFull(s)) timing.push({ dataset: s.dataset, method: s.method, phase, seconds: s.mean });
  }
  if (timing.length) figures.push({ id: 'timing', title: 'Time per job', spec: timingChart(timing, methods) });
  return figures;
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

function efficiencyPoints(run: RunData, cv: Summary[], metric: string): EfficiencyPoint[] {
  const points: EfficiencyPoint[] = [];
  for (const s of cv) {
    if (s.metric !== metric) continue;
    // Labels actually used per class: n_labelled / classes (a budget may exceed a small class).
    const used = cv.find((u) => u.metric === 'n_labelled' && u.dataset === s.dataset && u.method === s.method && u.budget === s.budget);
    const k = classesOf(run, s.dataset).length;
    const labelsPerClass = used && k ? used.mean / k : s.budget === 'all' ? undefined : s.budget;
    if (labelsPerClass === undefined || !(labelsPerClass > 0)) continue;
    points.push({ dataset: s.dataset, method: s.method, labelsPerClass, budget: String(s.budget), mean: s.mean, ciLow: s.ciLow, ciHigh: s.ciHigh });
  }
  return points.sort((a, b) => a.labelsPerClass - b.labelsPerClass);
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
