/**
 * The paper's claims assessed on one run: the settings it declared (primary metric, δ, margin), the
 * comparisons against the proposed method (one family per claim) and the verdicts read off them.
 * The HTML report and the terminal summary both call this, so they print the same numbers.
 */
import type { Comparison } from './significance.js';
import { compareWithControl } from './significance.js';
import { decisionSettings, type readRun } from './results/read.js';
import { assessClaims, claimThreshold, PAPER_CLAIMS, type ClaimVerdict, type DecisionThresholds } from './verdict.js';

export interface ClaimVerdictOptions {
  control: string;
  alpha: number;
  /** Overrides of the run's declared settings (fractions, not points). */
  metric?: string;
  smallestGain?: number;
  margin?: number;
}

export function claimVerdicts(
  run: Awaited<ReturnType<typeof readRun>>,
  methods: readonly string[],
  o: ClaimVerdictOptions,
): { metric: string; thresholds: DecisionThresholds; comparisons: Comparison[]; verdicts: ClaimVerdict[] } {
  const declared = decisionSettings(run.manifest);
  const metric = o.metric ?? declared.primaryMetric;
  const thresholds = { smallestGain: o.smallestGain ?? declared.smallestGainPoints / 100, margin: o.margin ?? declared.marginPoints / 100 };
  const claimKind = new Map(PAPER_CLAIMS.map((c) => [c.baseline, c.kind]));
  // One computation feeds both the verdict and the significance section: same family, same numbers.
  const comparisons = methods.includes(o.control)
    ? compareWithControl(run.results, run.predictions, {
        control: o.control, alpha: o.alpha, metric, smallestGain: thresholds.smallestGain,
        powerTarget: (b) => claimThreshold(claimKind.get(b) ?? 'better', thresholds),
      })
    : [];
  return { metric, thresholds, comparisons, verdicts: assessClaims(comparisons, { control: o.control, thresholds }) };
}
