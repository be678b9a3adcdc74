import { correctedResampledTTest, holm, mcnemar, pairedEffectSize, roundTo, tQuantile, wilcoxonSignedRank } from './stats/index.js';
import { compareBudgets, type Budget, type PredictionRow, type ResultRow } from './results/types.js';
import { pRelation } from './html/format.js';
import { foldsPerDataset, protocolOf, type Protocol } from './summary.js';

export interface TestOutcome {
  statistic: number;
  pValue: number;
  /** Holm-adjusted over the baselines of the same dataset, budget and protocol. */
  pHolm: number;
}

/** The proposed method against one baseline on one dataset at one budget. */
export interface Comparison {
  dataset: string;
  budget: Budget;
  protocol: Protocol;
  metric: string;
  control: string;
  baseline: string;
  /** Paired resampling units (fold × repeat × seed) both methods have. */
  nUnits: number;
  /** Mean of control − baseline over the paired units. */
  meanDifference?: number;
  /** 95% CI of that mean with the corrected resampled t-test's standard error. */
  ciLow?: number;
  ciHigh?: number;
  /** Cohen's d_z: mean / sd of the paired differences (±Infinity for a constant non-zero difference). */
  cohensDz?: number;
  tTest?: TestOutcome & { df: number };
  wilcoxon?: TestOutcome;
  /** On the predictions pooled over folds: b = control right & baseline wrong, c = the reverse. */
  mcnemar?: TestOutcome & { b: number; c: number };
  /** Plain-language conclusion. */
  verdict: string;
  /** Why a test was skipped, or what limits it. */
  notes: string[];
}

export interface CompareOptions {
  control: string;
  metric?: string;
  alpha?: number;
}

const unitKey = (r: { fold: unknown; repeat: number; seed: number }) => `${r.fold}|${r.repeat}|${r.seed}`;
const cellKey = (dataset: string, budget: Budget, protocol: Protocol) => `${dataset}\u0000${budget}\u0000${protocol}`;

/** Smallest two-sided p-value the exact Wilcoxon test can reach with n non-zero differences. */
const wilcoxonFloor = (n: number) => 2 / 2 ** n;

/**
 * Every method against `control` for every dataset × budget × protocol: corrected resampled
 * t-test (testTrainRatio = 1/(k-1) for k-fold) and Wilcoxon signed-rank on the per-fold scores,
 * McNemar on the pooled per-image predictions; Holm over the baselines within each cell.
 */
export function compareWithControl(results: ResultRow[], predictions: PredictionRow[], options: CompareOptions): Comparison[] {
  const { control } = options;
  const metric = options.metric ?? 'accuracy';
  const alpha = options.alpha ?? 0.05;
  const k = foldsPerDataset(results);
  // scores[cell][method][unit]
  const scores = new Map<string, Map<string, Map<string, number>>>();
  const cells = new Map<string, { dataset: string; budget: Budget; protocol: Protocol }>();
  for (const r of results) {
    if (r.metric !== metric) continue;
    const protocol = protocolOf(r.fold);
    const ck = cellKey(r.dataset, r.budget, protocol);
    cells.set(ck, { dataset: r.dataset, budget: r.budget, protocol });
    const byMethod = scores.get(ck) ?? scores.set(ck, new Map()).get(ck)!;
    (byMethod.get(r.method) ?? byMethod.set(r.method, new Map()).get(r.method)!).set(unitKey(r), r.value);
  }
  // correct[cell][method]: unit|sample → prediction correct
  const correct = new Map<string, Map<string, Map<string, boolean>>>();
  for (const p of predictions) {
    const ck = cellKey(p.dataset, p.budget, protocolOf(p.fold));
    const byMethod = correct.get(ck) ?? correct.set(ck, new Map()).get(ck)!;
    (byMethod.get(p.method) ?? byMethod.set(p.method, new Map()).get(p.method)!).set(`${unitKey(p)}|${p.sampleId}`, p.truth === p.pred);
  }

  const out: Comparison[] = [];
  const ordered = [...cells.entries()].sort(([, a], [, b]) => a.dataset.localeCompare(b.dataset) || a.protocol.localeCompare(b.protocol) || compareBudgets(a.budget, b.budget));
  for (const [ck, cell] of ordered) {
    const byMethod = scores.get(ck)!;
    const mine = byMethod.get(control);
    if (!mine) continue;
    const folds = k.get(cell.dataset) ?? 0;
    const group: Comparison[] = [];
    for (const [baseline, theirs] of byMethod) {
      if (baseline === control) continue;
      const units = [...mine.keys()].filter((u) => theirs.has(u)).sort();
      // Round so that differences equal in print tie exactly when ranked (Wilcoxon).
      const d = roundTo(units.map((u) => mine.get(u)! - theirs.get(u)!), 12);
      const c: Comparison = { ...cell, metric, control, baseline, nUnits: units.length, verdict: '', notes: [] };
      if (d.length) c.meanDifference = d.reduce((a, b) => a + b, 0) / d.length;
      if (cell.protocol === 'official') c.notes.push('official split: one score per job, so only McNemar applies');
      else if (d.length < 2) c.notes.push(`${d.length} paired fold(s): the t and Wilcoxon tests need at least 2`);
      else if (folds < 2) c.notes.push('fewer than 2 folds: the corrected t-test needs k ≥ 2');
      else {
        const t = correctedResampledTTest(d, { testTrainRatio: 1 / (folds - 1) });
        c.tTest = { statistic: t.statistic, pValue: t.pValue, pHolm: NaN, df: t.df };
        if (Number.isFinite(t.standardError)) {
          const half = tQuantile(0.975, t.df) * t.standardError;
          c.ciLow = t.meanDifference - half;
          c.ciHigh = t.meanDifference + half;
        }
        c.cohensDz = pairedEffectSize(d, d.map(() => 0)).cohensDz;
        const w = wilcoxonSignedRank(d);
        c.wilcoxon = { statistic: w.statistic, pValue: w.pValue, pHolm: NaN };
        if (w.n === 0) c.notes.push('every paired fold difference is zero: Wilcoxon has nothing to rank (p = 1)');
        else if (wilcoxonFloor(w.n) > alpha) c.notes.push(`Wilcoxon with ${w.n} non-zero difference(s) cannot reach p < ${alpha} (smallest possible p = ${wilcoxonFloor(w.n).toFixed(3)})`);
      }
      const mc = correct.get(ck)?.get(control), bc = correct.get(ck)?.get(baseline);
      if (mc && bc) {
        let b = 0, cc = 0, paired = 0;
        for (const [key, ok] of mc) {
          const other = bc.get(key);
          if (other === undefined) continue;
          paired++;
          if (ok && !other) b++;
          else if (!ok && other) cc++;
        }
        if (paired) {
          const m = mcnemar({ b, c: cc });
          c.mcnemar = { statistic: m.statistic, pValue: m.pValue, pHolm: NaN, b, c: cc };
        } else c.notes.push('no test image predicted by both methods: McNemar skipped');
      } else c.notes.push('no predictions for both methods: McNemar skipped');
      group.push(c);
    }
    for (const test of ['tTest', 'wilcoxon', 'mcnemar'] as const) {
      const tested = group.filter((c) => c[test]);
      const adjusted = holm(tested.map((c) => c[test]!.pValue));
      tested.forEach((c, i) => (c[test]!.pHolm = adjusted[i]));
    }
    for (const c of group) c.verdict = verdict(c, alpha);
    out.push(...group);
  }
  return out;
}

/** The primary test is the corrected t-test (cross-validation); McNemar when it cannot run. */
function verdict(c: Comparison, alpha: number): string {
  const primary = c.tTest ? { p: c.tTest.pHolm, name: 'corrected resampled t-test' } : c.mcnemar ? { p: c.mcnemar.pHolm, name: 'McNemar' } : undefined;
  if (!primary) return `not tested: ${c.notes[0] ?? 'not enough data'}`;
  const diff = c.meanDifference ?? (c.mcnemar ? c.mcnemar.b - c.mcnemar.c : 0);
  if (primary.p < alpha && diff !== 0) {
    return `${c.control} is ${diff > 0 ? 'better' : 'worse'} than ${c.baseline} (p_holm ${pRelation(primary.p)}, ${primary.name})`;
  }
  return `no significant difference at this sample size (p_holm ${pRelation(primary.p)}, ${primary.name})`;
}
