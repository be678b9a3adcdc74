/** Direction of the alternative hypothesis, as in scipy.stats and R. */
export type Alternative = 'two-sided' | 'less' | 'greater';
export const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'less', 'greater'];

/** Every test returns at least these two numbers. */
export interface TestResult {
  statistic: number;
  pValue: number;
}

/** A two-sided interval with the point estimate it surrounds. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
  confidenceLevel: number;
}
