/**
 * "Does the paper's claim reproduce?": the proposed method against the two baselines the paper
 * makes claims about, per dataset and label budget, read off the same adjusted intervals the
 * significance section prints (significance.ts: one Bonferroni family per baseline over every
 * dataset × budget cell of the run).
 *
 * Better than (δ = smallest gain of interest): reproduces when the adjusted CI of Δ lies above 0;
 * does not reproduce when its upper bound is below δ; otherwise inconclusive. A CI inside (0, δ)
 * reproduces (a significant gain), and the sentence says it is smaller than δ.
 * Close to (non-inferiority, margin M): reproduces when the lower bound is above −M; does not
 * reproduce when the upper bound is below −M; otherwise inconclusive.
 * Not testable, with the reason, when the baseline is within δ of a perfect score, the
 * differences have no variance, or there are fewer than two folds.
 */
import { compareBudgets, DEFAULT_DECISION, type Budget } from './results/types.js';
import { pointsText } from './text.js';
import type { Comparison, Power } from './significance.js';

/** 'better': the paper claims a gain; 'close': it claims to come close (non-inferiority). */
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

export type Outcome = 'reproduces' | 'does not reproduce' | 'inconclusive' | 'not testable' | 'not run';

export interface ClaimVerdict {
  dataset: string;
  budget: Budget;
  metric: string;
  control: string;
  baseline: string;
  kind: ClaimKind;
  /** Paired fold × repeat units (replicates averaged). */
  nUnits: number;
  /** control − baseline, metric units ([0, 1]). */
  meanDifference?: number;
  /** The adjusted interval the decision uses (the same numbers as the significance section). */
  ciLow?: number;
  ciHigh?: number;
  confidenceLevel?: number;
  familySize?: number;
  pAdjusted?: number;
  /** δ for 'better', the margin for 'close' (metric units): the threshold the decision and the power refer to. */
  threshold: number;
  power?: Power;
  outcome: Outcome;
  /** One plain sentence starting with the outcome. */
  sentence: string;
  notes: string[];
}

export interface DecisionThresholds {
  /** Smallest gain of interest δ, metric units (default 0.01 = 1 point). */
  smallestGain: number;
  /** Non-inferiority margin, metric units (default 0.02 = 2 points). */
  margin: number;
}

export const DEFAULT_THRESHOLDS: DecisionThresholds = {
  smallestGain: DEFAULT_DECISION.smallestGainPoints / 100,
  margin: DEFAULT_DECISION.marginPoints / 100,
};

/** The threshold a claim's decision and power refer to. */
export const claimThreshold = (kind: ClaimKind, t: DecisionThresholds) => (kind === 'better' ? t.smallestGain : t.margin);

/**
 * The decision rule on an adjusted interval (metric units), exactly as stated in the report.
 * Exported so that the rule can be tested from its definition.
 */
export function decideClaim(kind: ClaimKind, ciLow: number, ciHigh: number, t: DecisionThresholds = DEFAULT_THRESHOLDS): Exclude<Outcome, 'not testable' | 'not run'> {
  if (!(ciLow <= ciHigh)) throw new Error(`decideClaim: interval [${ciLow}, ${ciHigh}] is not an interval`);
  if (kind === 'better') {
    if (ciLow > 0) return 'reproduces';
    if (ciHigh < t.smallestGain) return 'does not reproduce';
    return 'inconclusive';
  }
  if (ciLow > -t.margin) return 'reproduces';
  if (ciHigh < -t.margin) return 'does not reproduce';
  return 'inconclusive';
}

export interface VerdictOptions {
  control: string;
  claims?: readonly Claim[];
  thresholds?: DecisionThresholds;
}

const pts = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(100 * x).toFixed(1)}`;
const levelText = (level: number) => `${(100 * level).toFixed(2).replace(/\.?0+$/, '')}%`;

/**
 * One verdict per dataset × cross-validation budget × claim, from the comparisons of
 * compareWithControl (the same objects the significance section prints).
 */
export function assessClaims(comparisons: readonly Comparison[], options: VerdictOptions): ClaimVerdict[] {
  const { control } = options;
  const claims = options.claims ?? PAPER_CLAIMS;
  const t = options.thresholds ?? DEFAULT_THRESHOLDS;
  if (!(t.smallestGain > 0 && t.smallestGain < 1) || !(t.margin > 0 && t.margin < 1)) {
    throw new Error(`assessClaims: smallestGain and margin must lie in (0, 1) metric units, got ${t.smallestGain} and ${t.margin}`);
  }
  const cv = comparisons.filter((c) => c.protocol === 'cv');
  const cells = new Map<string, { dataset: string; budget: Budget; metric: string }>();
  for (const c of cv) cells.set(`${c.dataset}\u0000${c.budget}`, { dataset: c.dataset, budget: c.budget, metric: c.metric });
  const ordered = [...cells.values()].sort((a, b) => a.dataset.localeCompare(b.dataset) || compareBudgets(a.budget, b.budget));
  const out: ClaimVerdict[] = [];
  for (const { dataset, budget, metric } of ordered) {
    for (const claim of claims) {
      const threshold = claimThreshold(claim.kind, t);
      const base: ClaimVerdict = { dataset, budget, metric, control, baseline: claim.baseline, kind: claim.kind, nUnits: 0, threshold, outcome: 'not run', sentence: '', notes: [] };
      const c = cv.find((x) => x.dataset === dataset && x.budget === budget && x.baseline === claim.baseline && x.control === control);
      if (!c) {
        out.push({ ...base, sentence: `Not assessed: ${claim.baseline} has no results for this dataset and budget.` });
        continue;
      }
      const v: ClaimVerdict = { ...base, nUnits: c.nUnits, meanDifference: c.meanDifference, notes: [...c.notes] };
      if (c.test) {
        Object.assign(v, { ciLow: c.test.ciLow, ciHigh: c.test.ciHigh, confidenceLevel: c.test.confidenceLevel, familySize: c.test.familySize, pAdjusted: c.test.pAdjusted, power: c.power });
      }
      Object.assign(v, sentence(v, c, t));
      out.push(v);
    }
  }
  return out;
}

function sentence(v: ClaimVerdict, c: Comparison, t: DecisionThresholds): Pick<ClaimVerdict, 'outcome' | 'sentence'> {
  const { control, baseline } = v;
  if (!c.test || v.ciLow === undefined || v.ciHigh === undefined) {
    return { outcome: 'not testable', sentence: `Not testable: ${c.notTestable ?? 'no adjusted interval'}.` };
  }
  const outcome = decideClaim(v.kind, v.ciLow, v.ciHigh, t);
  const ci = `${levelText(v.confidenceLevel!)} CI [${pts(v.ciLow)}, ${pts(v.ciHigh)}] (Bonferroni over ${v.familySize} cell${v.familySize === 1 ? '' : 's'})`;
  const effect = `Δ ${pts(v.meanDifference!)} points, ${ci}`;
  const d = pointsText(t.smallestGain), m = pointsText(t.margin);
  if (v.kind === 'better') {
    if (outcome === 'reproduces') {
      const small = v.ciHigh < t.smallestGain ? `, though by less than δ = ${d}` : '';
      return { outcome, sentence: `Reproduces: ${control} is better than ${baseline}${small} (${effect}: above 0).` };
    }
    if (outcome === 'does not reproduce') {
      const why = v.ciHigh < 0 ? `${control} is worse than ${baseline}` : `a gain of δ = ${d} or more over ${baseline} is ruled out`;
      return { outcome, sentence: `Does not reproduce: ${why} (${effect}: below δ).` };
    }
    return { outcome, sentence: `Inconclusive: the interval holds both no gain and a gain of δ = ${d} over ${baseline} (${effect}).` };
  }
  if (outcome === 'reproduces') return { outcome, sentence: `Reproduces: ${control} is within ${m} of ${baseline} or better (${effect}: lower bound above −${m}).` };
  if (outcome === 'does not reproduce') return { outcome, sentence: `Does not reproduce: ${control} is worse than ${baseline} by more than ${m} (${effect}: upper bound below −${m}).` };
  return { outcome, sentence: `Inconclusive: the interval holds both a loss of more than ${m} and one within ${m} of ${baseline} (${effect}).` };
}
