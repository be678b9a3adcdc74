export type { Alternative, Interval, TestResult } from './types.js';
export { mean, variance, sd, rankData, quantile, roundTo } from './descriptive.js';
export {
  normalCdf,
  normalSf,
  normalQuantile,
  tSf,
  tQuantile,
  chiSquareSf,
  fSf,
  binomialCdf,
  studentizedRangeQuantile,
} from './distributions.js';
export { pairedTTest, correctedResampledTTest } from './ttest.js';
export type { TTestResult, TTestOptions, CorrectedTTestOptions } from './ttest.js';
export { wilcoxonSignedRank, wilcoxonNullPmf } from './wilcoxon.js';
export type { WilcoxonOptions, WilcoxonResult, WilcoxonMode, ZeroMethod } from './wilcoxon.js';
export { mcnemar, mcnemarCounts } from './mcnemar.js';
export type { McNemarCounts, McNemarOptions, McNemarResult } from './mcnemar.js';
export { holm } from './holm.js';
export {
  friedman,
  rankRows,
  rankDifferenceSE,
  nemenyiCriticalDifference,
  bonferroniDunnCriticalDifference,
  holmVersusControl,
} from './friedman.js';
export type { FriedmanOptions, FriedmanResult, ControlComparison } from './friedman.js';
export { bootstrapCI, wilsonInterval } from './intervals.js';
export type { BootstrapOptions, BootstrapInterval } from './intervals.js';
export { pairedEffectSize } from './effect.js';
export type { PairedEffectSize } from './effect.js';
export { mulberry32 } from './random.js';
export { foldUnits, correctedInterval, minimumDetectableDifference, planDesign } from './cv-design.js';
export type { ReplicateDifference, FoldUnits, CorrectedInterval, DesignPlan } from './cv-design.js';
export { simulateDifferences, rejectionRate, normalStream, monteCarloSE, simulateLearnerDifferences, learnerRejectionRate } from './calibration.js';
export type { Design, NoiseModel, Analysis, CalibrationOptions, LearnerScenario } from './calibration.js';
