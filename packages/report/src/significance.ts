/**
 * Every method against the proposed one, per dataset × budget × protocol, on the primary metric.
 *
 * Cross-validation: replicates (seeds × labelled draws) are averaged within each fold × repeat,
 * and the fold means go through the corrected repeated k-fold t (stats/cv-design.ts). One family
 * per baseline across every dataset × budget cell of the run: the interval printed is the
 * Bonferroni simultaneous (1 − α/m) interval, m = testable cells of that baseline, and the
 * adjusted p = min(1, m·p). Every decision is read off that one interval, so the chance that any
 * decision of the family rests on an interval missing its true Δ is at most α.
 * Official splits: one train/test split per seed and draw, so only McNemar applies, on one split.
 */
import { correctedInterval, foldUnits, mcnemar, minimumDetectableDifference, planDesign, roundTo, wilcoxonSignedRank, type DesignPlan, type FoldUnits, type ReplicateDifference } from './stats/index.js';
import { compareBudgets, DEFAULT_DECISION, type Budget, type PredictionRow, type ResultRow } from './results/types.js';
import { pointsText, pRelation } from './text.js';
import { BOUNDED_METRICS, protocolOf, type Protocol } from './summary.js';

/** Metrics reported beside the primary one (mean Δ only; the decision uses the primary metric). */
export const SECONDARY_METRICS = ['accuracy', 'balanced_accuracy', 'macro_f1', 'auc'] as const;

export interface AdjustedTest {
  /** Corrected repeated k-fold t of the fold means against Δ = 0. */
  statistic: number;
  df: number;
  standardError: number;
  pValue: number;
  /** min(1, m·p): Bonferroni over the m testable cells of this baseline. */
  pAdjusted: number;
  familySize: number;
  /** 1 − α/m: the level of the printed interval. */
  confidenceLevel: number;
  ciLow: number;
  ciHigh: number;
}

export interface Power {
  /** Smallest true Δ (distance from the decision threshold) detected with 80% power at the adjusted level. */
  mdd: number;
  /** What the design would need for mdd ≤ the cell's target (δ for "better", the margin for "close"). */
  plan: DesignPlan;
}

/** The proposed method against one baseline on one dataset at one budget. */
export interface Comparison {
  dataset: string;
  budget: Budget;
  protocol: Protocol;
  /** The primary metric. */
  metric: string;
  control: string;
  baseline: string;
  /** Paired fold × repeat units (after averaging replicates). */
  nUnits: number;
  folds: number;
  repeats: number;
  /** Replicates (seeds × labelled draws) averaged in each unit. */
  replicates: number;
  controlMean?: number;
  baselineMean?: number;
  /** Mean of control − baseline over the paired units, in metric units. */
  meanDifference?: number;
  /** Mean Δ on the other metrics (metric units), beside the primary one. */
  otherDifferences: Record<string, number>;
  /** Why no test was made ('not testable: …' in the report), or undefined when tested. */
  notTestable?: string;
  test?: AdjustedTest;
  power?: Power;
  /** Cohen's d_z of the fold means (undefined without variance). */
  cohensDz?: number;
  /** Wilcoxon on the per-fold-index means (repeats and replicates averaged), Bonferroni-adjusted like the t. */
  wilcoxon?: { statistic: number; pValue: number; pAdjusted: number; n: number };
  /** McNemar on one official split (b = control right & baseline wrong, c = the reverse). */
  mcnemar?: { statistic: number; pValue: number; pAdjusted: number; b: number; c: number; split: string };
  /** Plain-language conclusion. */
  verdict: string;
  notes: string[];
}

export interface CompareOptions {
  control: string;
  /** Primary metric (default balanced accuracy). */
  metric?: string;
  alpha?: number;
  /** Smallest gain of interest δ in metric units (default 0.01): a baseline within δ of 1 is "not testable". */
  smallestGain?: number;
  /** Target for the MDD plan per baseline (default δ); the verdict passes the margin for "close" claims. */
  powerTarget?: (baseline: string) => number;
}

const replicateKey = (r: { seed: number; draw?: number }) => `${r.seed}|${r.draw ?? 0}`;
const jobKey = (r: { fold: unknown; repeat: number; seed: number; draw?: number }) => `${r.fold}|${r.repeat}|${replicateKey(r)}`;
const cellKey = (dataset: string, budget: Budget, protocol: Protocol) => `${dataset}\u0000${budget}\u0000${protocol}`;
const pts = (x: number) => `${(100 * x).toFixed(1)} points`;

/** Smallest two-sided p-value the exact Wilcoxon test can reach with n non-zero differences. */
const wilcoxonFloor = (n: number) => 2 / 2 ** n;

/** Each comparison's fold units, kept beside it (not part of the public record). */
const unitsOf = new WeakMap<Comparison, { units: FoldUnits; perFold: number[] }>();

type Scores = Map<string, Map<string, Map<string, number>>>; // metric → method → job key → value

export function compareWithControl(results: ResultRow[], predictions: PredictionRow[], options: CompareOptions): Comparison[] {
  const { control } = options;
  const metric = options.metric ?? DEFAULT_DECISION.primaryMetric;
  const alpha = options.alpha ?? 0.05;
  const delta = options.smallestGain ?? DEFAULT_DECISION.smallestGainPoints / 100;
  const target = options.powerTarget ?? (() => delta);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`compareWithControl: alpha must lie in (0, 1), got ${alpha}`);
  if (!(delta > 0 && delta < 1)) throw new Error(`compareWithControl: smallestGain must lie in (0, 1) metric units, got ${delta}`);
  const wanted = new Set<string>([metric, ...SECONDARY_METRICS]);
  const cells = new Map<string, { dataset: string; budget: Budget; protocol: Protocol; scores: Scores }>();
  for (const r of results) {
    if (!wanted.has(r.metric)) continue;
    const protocol = protocolOf(r.fold);
    const ck = cellKey(r.dataset, r.budget, protocol);
    const cell = cells.get(ck) ?? cells.set(ck, { dataset: r.dataset, budget: r.budget, protocol, scores: new Map() }).get(ck)!;
    const byMethod = cell.scores.get(r.metric) ?? cell.scores.set(r.metric, new Map()).get(r.metric)!;
    (byMethod.get(r.method) ?? byMethod.set(r.method, new Map()).get(r.method)!).set(jobKey(r), r.value);
  }
  const ordered = [...cells.values()].sort((a, b) => a.dataset.localeCompare(b.dataset) || a.protocol.localeCompare(b.protocol) || compareBudgets(a.budget, b.budget));

  const out: Comparison[] = [];
  for (const cell of ordered) {
    const primary = cell.scores.get(metric);
    const mine = primary?.get(control);
    if (!primary || !mine) continue;
    for (const [baseline, theirs] of primary) {
      if (baseline === control) continue;
      out.push(compareCell(cell, metric, control, baseline, mine, theirs, delta));
    }
  }
  adjustFamilies(out, alpha, target);
  attachMcNemar(out, predictions);
  for (const c of out) c.verdict = verdict(c, alpha);
  return out;
}

function compareCell(
  cell: { dataset: string; budget: Budget; protocol: Protocol; scores: Scores },
  metric: string, control: string, baseline: string, mine: Map<string, number>, theirs: Map<string, number>, delta: number,
): Comparison {
  const keys = [...mine.keys()].filter((k) => theirs.has(k)).sort();
  const c: Comparison = { dataset: cell.dataset, budget: cell.budget, protocol: cell.protocol, metric, control, baseline, nUnits: 0, folds: 0, repeats: 0, replicates: 0, otherDifferences: {}, verdict: '', notes: [] };
  if (!keys.length) { c.notTestable = 'no job was run by both methods'; return c; }
  const avg = (m: Map<string, number>) => keys.reduce((s, k) => s + m.get(k)!, 0) / keys.length;
  c.controlMean = avg(mine);
  c.baselineMean = avg(theirs);
  for (const other of SECONDARY_METRICS) {
    if (other === metric) continue;
    const a = cell.scores.get(other)?.get(control), b = cell.scores.get(other)?.get(baseline);
    const shared = a && b ? keys.filter((k) => a.has(k) && b.has(k)) : [];
    if (shared.length) c.otherDifferences[other] = shared.reduce((s, k) => s + a!.get(k)! - b!.get(k)!, 0) / shared.length;
  }
  if (cell.protocol === 'official') {
    c.meanDifference = c.controlMean - c.baselineMean;
    c.nUnits = keys.length;
    c.notTestable = 'official split: one score per split, no fold variance (McNemar only)';
    return c;
  }
  // Rounded so that differences equal in print are equal (no spurious variance, exact Wilcoxon ties).
  const diffs: ReplicateDifference[] = keys.map((k) => {
    const [fold, repeat, ...rest] = k.split('|');
    return { fold: Number(fold), repeat: Number(repeat), replicate: rest.join('|'), difference: roundTo([mine.get(k)! - theirs.get(k)!], 12)[0] };
  });
  const units = foldUnits(diffs);
  const means = roundTo(units.means, 12);
  const byFold = new Map<number, number[]>();
  for (const d of diffs) (byFold.get(d.fold) ?? byFold.set(d.fold, []).get(d.fold)!).push(d.difference);
  const perFold = roundTo([...byFold.keys()].sort((a, b) => a - b).map((f) => byFold.get(f)!.reduce((s, v) => s + v, 0) / byFold.get(f)!.length), 12);
  unitsOf.set(c, { units: { ...units, means }, perFold });
  Object.assign(c, { nUnits: means.length, folds: units.folds, repeats: units.repeats, replicates: units.replicates });
  c.meanDifference = means.reduce((s, v) => s + v, 0) / means.length;
  if (units.replicates > 1) c.notes.push(`${units.replicates} replicates (seeds × labelled draws) per fold averaged before the test: the fold, not the draw, is the unit`);
  if (means.length < 2 || units.folds < 2) {
    c.notTestable = `${means.length} paired fold(s) from ${units.folds} fold index(es): the corrected t needs at least 2 folds`;
  } else if (BOUNDED_METRICS.has(metric) && c.baselineMean >= 1 - delta) {
    c.notTestable = `${baseline} scores ${(100 * c.baselineMean).toFixed(1)}% ${metric.replace(/_/g, ' ')}, leaving ${(100 * (1 - c.baselineMean)).toFixed(1)} points of headroom, less than the smallest gain of interest δ = ${pointsText(delta)}`;
  } else if (means.every((v) => v === means[0])) {
    c.notTestable = `the paired differences have no variance (every fold gives Δ = ${pts(means[0])}), so no interval can be formed`;
  }
  if (!c.notTestable) {
    const sd = Math.sqrt(means.reduce((s, v) => s + (v - c.meanDifference!) ** 2, 0) / (means.length - 1));
    c.cohensDz = c.meanDifference / sd;
  }
  return c;
}

/** Bonferroni within each baseline's family of testable CV cells; Wilcoxon on per-fold-index means. */
function adjustFamilies(comparisons: Comparison[], alpha: number, target: (baseline: string) => number): void {
  for (const baseline of new Set(comparisons.map((c) => c.baseline))) {
    const family = comparisons.filter((c) => c.baseline === baseline && c.protocol === 'cv' && !c.notTestable);
    const m = family.length;
    for (const c of family) {
      const units = foldUnitsOf(c);
      const ci = correctedInterval(units.means, c.folds, 1 - alpha / m);
      c.test = { statistic: ci.statistic, df: ci.df, standardError: ci.standardError, pValue: ci.pValue, pAdjusted: Math.min(1, m * ci.pValue), familySize: m, confidenceLevel: ci.confidenceLevel, ciLow: ci.low, ciHigh: ci.high };
      c.power = { mdd: minimumDetectableDifference(ci.standardError, ci.df, alpha / m), plan: planDesign(units, target(baseline), alpha / m) };
      const perFold = perFoldIndexMeans(c);
      const w = wilcoxonSignedRank(perFold);
      c.wilcoxon = { statistic: w.statistic, pValue: w.pValue, pAdjusted: Math.min(1, m * w.pValue), n: w.n };
      if (c.repeats > 1 || c.replicates > 1) c.notes.push(`Wilcoxon on the ${perFold.length} per-fold means (repeats and replicates averaged), not on correlated replicates`);
      if (w.n === 0) c.notes.push('every per-fold mean difference is zero: Wilcoxon has nothing to rank (p = 1)');
      else if (wilcoxonFloor(w.n) * m > alpha) c.notes.push(`Wilcoxon with ${w.n} non-zero difference(s) cannot reach p_adj < ${alpha} (smallest possible p = ${wilcoxonFloor(w.n).toFixed(3)}, × ${m} cells); the corrected t decides`);
    }
  }
}

function foldUnitsOf(c: Comparison) {
  return unitsOf.get(c)!.units;
}
function perFoldIndexMeans(c: Comparison) {
  return unitsOf.get(c)!.perFold;
}

/** McNemar on one official split per cell (the first seed and draw): pooling splits would count each test image several times. */
function attachMcNemar(comparisons: Comparison[], predictions: PredictionRow[]): void {
  const official = comparisons.filter((c) => c.protocol === 'official');
  if (!official.length) return;
  const correct = new Map<string, Map<string, boolean>>(); // dataset|budget|method|split → sample → right
  for (const p of predictions) {
    if (p.fold !== 'official') continue;
    const key = `${p.dataset}\u0000${p.budget}\u0000${p.method}\u0000${replicateKey(p)}`;
    (correct.get(key) ?? correct.set(key, new Map()).get(key)!).set(p.sampleId, p.truth === p.pred);
  }
  const tested: Comparison[] = [];
  for (const c of official) {
    const splits = [...correct.keys()].filter((k) => k.startsWith(`${c.dataset}\u0000${c.budget}\u0000${c.control}\u0000`)).map((k) => k.split('\u0000')[3]).sort();
    const split = splits.find((s) => correct.has(`${c.dataset}\u0000${c.budget}\u0000${c.baseline}\u0000${s}`));
    if (!split) { c.notes.push('no test predictions of one split for both methods: McNemar skipped'); continue; }
    const mc = correct.get(`${c.dataset}\u0000${c.budget}\u0000${c.control}\u0000${split}`)!;
    const bc = correct.get(`${c.dataset}\u0000${c.budget}\u0000${c.baseline}\u0000${split}`)!;
    let b = 0, cc = 0;
    for (const [id, ok] of mc) {
      const other = bc.get(id);
      if (other === undefined) continue;
      if (ok && !other) b++;
      else if (!ok && other) cc++;
    }
    const m = mcnemar({ b, c: cc });
    const [seed, draw] = split.split('|');
    c.mcnemar = { statistic: m.statistic, pValue: m.pValue, pAdjusted: NaN, b, c: cc, split: `seed ${seed}, draw ${draw}` };
    if (splits.length > 1) c.notes.push(`McNemar on one split (seed ${seed}, draw ${draw}) of ${splits.length}: pooling them would count each test image ${splits.length} times`);
    tested.push(c);
  }
  for (const baseline of new Set(tested.map((c) => c.baseline))) {
    const family = tested.filter((c) => c.baseline === baseline);
    for (const c of family) c.mcnemar!.pAdjusted = Math.min(1, family.length * c.mcnemar!.pValue);
  }
}

function verdict(c: Comparison, alpha: number): string {
  if (c.test) {
    const ci = `${(100 * c.test.confidenceLevel).toFixed(2).replace(/\.?0+$/, '')}% CI [${signedPts(c.test.ciLow)}, ${signedPts(c.test.ciHigh)}]`;
    if (c.test.ciLow > 0) return `${c.control} is better than ${c.baseline} (adjusted ${ci} above 0; p_adj ${pRelation(c.test.pAdjusted)})`;
    if (c.test.ciHigh < 0) return `${c.control} is worse than ${c.baseline} (adjusted ${ci} below 0; p_adj ${pRelation(c.test.pAdjusted)})`;
    return `no significant difference at this sample size (adjusted ${ci} includes 0; p_adj ${pRelation(c.test.pAdjusted)})`;
  }
  if (c.mcnemar) {
    const dir = c.mcnemar.b > c.mcnemar.c ? 'better' : 'worse';
    return c.mcnemar.pAdjusted < alpha && c.mcnemar.b !== c.mcnemar.c
      ? `${c.control} is ${dir} than ${c.baseline} on this split (McNemar, p_adj ${pRelation(c.mcnemar.pAdjusted)})`
      : `no significant difference on this split (McNemar, p_adj ${pRelation(c.mcnemar.pAdjusted)})`;
  }
  return `not testable: ${c.notTestable ?? 'not enough data'}`;
}

const signedPts = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(100 * x).toFixed(1)}`;
