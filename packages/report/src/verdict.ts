/**
 * "Does the paper's claim reproduce?": the proposed method against the two baselines the paper
 * makes claims about, per dataset and label budget, with an explicit decision rule.
 */
import { compareBudgets, type Budget, type ResultRow } from './results/types.js';
import { compareWithControl } from './significance.js';
import { BOUNDED_METRICS } from './summary.js';

/** 'better': the paper claims a significant gain; 'close': it claims to come close (not much worse). */
export type ClaimKind = 'better' | 'close';

export interface Claim {
  baseline: string;
  kind: ClaimKind;
}

/** Ahn et al. (ISBI 2019): beats transfer-learned features, comes close to fine-tuned CNNs. */
export const PAPER_CLAIMS: readonly Claim[] = [
  { baseline: 'transfer-learned', kind: 'better' },
  { baseline: 'fine-tuned', kind: 'close' },
];

export type Outcome = 'reproduces' | 'does not reproduce' | 'inconclusive' | 'not run';

export interface ClaimVerdict {
  dataset: string;
  budget: Budget;
  metric: string;
  control: string;
  baseline: string;
  kind: ClaimKind;
  /** Paired cross-validation folds (fold × repeat × seed) both methods have. */
  nUnits: number;
  /** control − baseline, in metric units ([0, 1]); the interval is the corrected resampled t interval. */
  meanDifference?: number;
  ciLow?: number;
  ciHigh?: number;
  cohensDz?: number;
  /** p_holm: Holm over the claims assessed in this dataset × budget (at most two). */
  tTest?: { statistic: number; df: number; pValue: number; pHolm: number };
  wilcoxon?: { statistic: number; pValue: number; pHolm: number };
  outcome: Outcome;
  /** One plain sentence starting with the outcome. */
  sentence: string;
  notes: string[];
}

export interface VerdictOptions {
  control: string;
  metric?: string;
  alpha?: number;
  /**
   * Smallest difference that matters, in metric units (default 0.02 = 2 accuracy points): "close"
   * means not significantly worse and a mean difference ≥ −margin; a gain is "meaningful" from +margin.
   */
  margin?: number;
  claims?: readonly Claim[];
}

const pts = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(100 * x).toFixed(1)}`;
const pText = (p: number) => (p < 0.001 ? 'p_holm < 0.001' : `p_holm = ${p.toFixed(3)}`);

/**
 * One verdict per dataset × cross-validation budget × claim. The primary test is the corrected
 * resampled t-test (Holm-adjusted over the claims of the cell); Wilcoxon is reported beside it.
 * Official-split rows are left out: one score per job gives no fold variance to test with.
 */
export function assessClaims(results: ResultRow[], options: VerdictOptions): ClaimVerdict[] {
  const { control } = options;
  const metric = options.metric ?? 'accuracy';
  const alpha = options.alpha ?? 0.05;
  const margin = options.margin ?? 0.02;
  const claims = options.claims ?? PAPER_CLAIMS;
  if (!BOUNDED_METRICS.has(metric)) throw new Error(`assessClaims: metric '${metric}' is not a [0, 1] score; use one of ${[...BOUNDED_METRICS].join(', ')}`);
  if (!(margin > 0 && margin < 1)) throw new Error(`assessClaims: margin must be in (0, 1) (metric units), got ${margin}`);

  const involved = new Set([control, ...claims.map((c) => c.baseline)]);
  const rows = results.filter((r) => r.metric === metric && r.fold !== 'official' && involved.has(r.method));
  const present = new Map<string, Set<string>>();
  const cells = new Map<string, { dataset: string; budget: Budget }>();
  for (const r of rows) {
    const key = `${r.dataset}\u0000${r.budget}`;
    cells.set(key, { dataset: r.dataset, budget: r.budget });
    (present.get(key) ?? present.set(key, new Set()).get(key)!).add(r.method);
  }
  // Holm within a cell runs over the baselines present, i.e. exactly the claims assessed there.
  const comparisons = compareWithControl(rows, [], { control, metric, alpha });
  const ordered = [...cells.entries()].sort(([, a], [, b]) => a.dataset.localeCompare(b.dataset) || compareBudgets(a.budget, b.budget));

  const out: ClaimVerdict[] = [];
  for (const [key, { dataset, budget }] of ordered) {
    const methods = present.get(key)!;
    const assessed = claims.filter((c) => methods.has(c.baseline)).length;
    for (const claim of claims) {
      const base: ClaimVerdict = { dataset, budget, metric, control, baseline: claim.baseline, kind: claim.kind, nUnits: 0, outcome: 'not run', sentence: '', notes: [] };
      if (!methods.has(control) || !methods.has(claim.baseline)) {
        const absent = [control, claim.baseline].filter((m) => !methods.has(m));
        out.push({ ...base, sentence: `Not assessed: ${absent.join(' and ')} ${absent.length > 1 ? 'have' : 'has'} no results for this dataset and budget.` });
        continue;
      }
      const c = comparisons.find((x) => x.dataset === dataset && x.budget === budget && x.baseline === claim.baseline)!;
      const v: ClaimVerdict = {
        ...base,
        nUnits: c.nUnits,
        meanDifference: c.meanDifference,
        ciLow: c.ciLow,
        ciHigh: c.ciHigh,
        cohensDz: c.cohensDz,
        tTest: c.tTest && { statistic: c.tTest.statistic, df: c.tTest.df, pValue: c.tTest.pValue, pHolm: c.tTest.pHolm },
        wilcoxon: c.wilcoxon && { ...c.wilcoxon },
        notes: c.notes.filter((n) => !n.includes('McNemar')),
      };
      if (c.tTest && assessed < claims.length) v.notes.push(`Holm over ${assessed} comparison(s): the other baseline was not run here`);
      Object.assign(v, decide(v, alpha, margin));
      out.push(v);
    }
  }
  return out;
}

/** The decision rule, stated in words in the report. */
function decide(v: ClaimVerdict, alpha: number, margin: number): Pick<ClaimVerdict, 'outcome' | 'sentence'> {
  const { control, baseline } = v;
  const m = v.meanDifference;
  if (!v.tTest || m === undefined || v.ciLow === undefined || v.ciHigh === undefined) {
    return { outcome: 'inconclusive', sentence: `Inconclusive at this sample size: ${v.notes[0] ?? 'too few paired folds to test'}.` };
  }
  const p = v.tTest.pHolm;
  const ci = `95% CI [${pts(v.ciLow)}, ${pts(v.ciHigh)}]`;
  const effect = `Δ ${pts(m)} points, ${ci}`;
  const marginPts = `${(100 * margin).toFixed(1).replace(/\.0$/, '')} points`;
  const significant = p < alpha && m !== 0;
  if (significant && m < 0) {
    const small = v.kind === 'close' && m >= -margin ? ` (by less than ${marginPts}, but significantly)` : '';
    return { outcome: 'does not reproduce', sentence: `Does not reproduce: ${control} is significantly worse than ${baseline}${small} (${effect}; ${pText(p)}).` };
  }
  if (v.kind === 'better') {
    if (significant) return { outcome: 'reproduces', sentence: `Reproduces: ${control} is significantly better than ${baseline} (${effect}; ${pText(p)}).` };
    if (v.ciHigh < margin) {
      return { outcome: 'does not reproduce', sentence: `Does not reproduce: no significant gain over ${baseline}, and the ${ci} rules out a gain of ${marginPts} or more (Δ ${pts(m)}; ${pText(p)}).` };
    }
    const spans = v.ciLow <= -margin ? 'spans both a meaningful gain and a meaningful loss' : `still allows a gain of ${marginPts} or more`;
    return { outcome: 'inconclusive', sentence: `Inconclusive at this sample size: Δ ${pts(m)} points over ${baseline} is not significant (${pText(p)}) and the ${ci} ${spans}.` };
  }
  // 'close': not significantly worse and a mean difference of at least −margin.
  if (significant) return { outcome: 'reproduces', sentence: `Reproduces (and more): ${control} is significantly better than ${baseline} (${effect}; ${pText(p)}).` };
  if (v.ciHigh < -margin) {
    return { outcome: 'does not reproduce', sentence: `Does not reproduce: the ${ci} lies entirely below −${marginPts} (Δ ${pts(m)}; ${pText(p)} after Holm).` };
  }
  if (v.ciLow <= -margin && v.ciHigh >= margin) {
    return { outcome: 'inconclusive', sentence: `Inconclusive at this sample size: Δ ${pts(m)} points against ${baseline}, but the ${ci} spans both a meaningful gain and a meaningful loss (${pText(p)}).` };
  }
  if (m < -margin) {
    return { outcome: 'inconclusive', sentence: `Inconclusive at this sample size: Δ ${pts(m)} points is more than ${marginPts} below ${baseline} but not significant (${ci}; ${pText(p)}).` };
  }
  const tail = v.ciLow <= -margin ? `; the CI still allows a loss of up to ${pts(v.ciLow).slice(1)} points` : '';
  return { outcome: 'reproduces', sentence: `Reproduces: ${control} comes close to ${baseline} — not significantly worse (${pText(p)}) and Δ ${pts(m)} points ≥ −${marginPts} (${ci})${tail}.` };
}
