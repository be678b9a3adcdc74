import type { RunManifest } from '../results/types.js';
import type { Summary } from '../summary.js';
import type { ClaimVerdict, DecisionThresholds } from '../verdict.js';
import type { Banner } from './banners.js';

export const KEY_FIGURES_ID = 'udtl-key-figures';

const round = (x: number | undefined, digits = 4) => (x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

/** The run's key numbers as plain JSON, for tools that should not parse the HTML. */
export function keyFigures(input: { manifest?: Partial<RunManifest>; metric: string; alpha: number; control: string; thresholds: DecisionThresholds; summaries: Summary[]; verdicts: ClaimVerdict[]; banners: Banner[] }) {
  const m = input.manifest;
  return {
    schema: 'udtl-report-key-figures/1',
    run: { id: m?.runId ?? null, configHash: m?.configHash ?? null, gitCommit: m?.gitCommit ?? null, complete: m?.complete ?? null, versions: m?.versions ?? {} },
    decision: { primaryMetric: input.metric, alpha: input.alpha, control: input.control, smallestGainPoints: round(100 * input.thresholds.smallestGain), marginPoints: round(100 * input.thresholds.margin) },
    banners: input.banners.map((b) => b.kind),
    verdicts: input.verdicts.map((v) => ({
      dataset: v.dataset, budget: v.budget, baseline: v.baseline, claim: v.kind, outcome: v.outcome, folds: v.nUnits,
      deltaPoints: round(v.meanDifference === undefined ? undefined : 100 * v.meanDifference),
      ciPoints: v.ciLow === undefined ? null : [round(100 * v.ciLow), round(100 * v.ciHigh!)],
      confidenceLevel: round(v.confidenceLevel, 6), familySize: v.familySize ?? null, pAdjusted: round(v.pAdjusted, 6),
      mddPoints: round(v.power === undefined ? undefined : 100 * v.power.mdd, 2),
    })),
    metrics: input.summaries.filter((s) => ['accuracy', 'balanced_accuracy', 'macro_f1', 'auc'].includes(s.metric)).map((s) => ({
      dataset: s.dataset, method: s.method, budget: s.budget, protocol: s.protocol, metric: s.metric, n: s.n, mean: round(s.mean), sd: round(s.sd), ci95: s.ciLow === undefined ? null : [round(s.ciLow), round(s.ciHigh)],
    })),
  };
}

/** A non-executable data block: JSON with '<' escaped so that no '</script>' can end it early. */
export function keyFiguresHtml(figures: ReturnType<typeof keyFigures>): string {
  return `<script type="application/json" id="${KEY_FIGURES_ID}">${JSON.stringify(figures).replace(/</g, '\\u003c')}</script>`;
}
