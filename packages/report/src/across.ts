import { friedman, holmVersusControl, nemenyiCriticalDifference, type FriedmanResult } from './stats/index.js';
import type { Budget } from './results/types.js';
import { fullBudget, type Summary } from './summary.js';

/** Friedman test and Nemenyi CD over datasets (Demšar 2006), on each dataset's full-budget means. */
export interface AcrossDatasets {
  metric: string;
  datasets: { id: string; budget: Budget }[];
  methods: string[];
  /** Present only when the tests ran. */
  friedman?: FriedmanResult;
  cd?: number;
  alpha: number;
  /** Holm's step-down of each method against the control, on average ranks. */
  vsControl?: { method: string; rankDifference: number; pValue: number; pHolm: number; reject: boolean }[];
  /** Why the tests did not run, or what was left out. */
  notes: string[];
}

export function compareAcrossDatasets(summaries: Summary[], options: { control: string; metric?: string; alpha?: number }): AcrossDatasets {
  const metric = options.metric ?? 'accuracy';
  const alpha = options.alpha ?? 0.05;
  const cv = summaries.filter((s) => s.metric === metric && s.protocol === 'cv');
  const datasetIds = [...new Set(cv.map((s) => s.dataset))].sort();
  const datasets = datasetIds.map((id) => ({ id, budget: fullBudget(cv.filter((s) => s.dataset === id).map((s) => s.budget))! }));
  const at = (d: { id: string; budget: Budget }) => cv.filter((s) => s.dataset === d.id && s.budget === d.budget);
  const allMethods = [...new Set(cv.map((s) => s.method))];
  const methods = allMethods.filter((m) => datasets.every((d) => at(d).some((s) => s.method === m)));
  const result: AcrossDatasets = { metric, datasets, methods, alpha, notes: [] };
  const missing = allMethods.filter((m) => !methods.includes(m));
  if (missing.length) result.notes.push(`left out (not run on every dataset): ${missing.join(', ')}`);
  if (datasets.length < 2 || methods.length < 2) {
    result.notes.push(`needs at least 2 datasets and 2 methods with cross-validation results; have ${datasets.length} dataset(s) and ${methods.length} method(s)`);
    return result;
  }
  const scores = datasets.map((d) => methods.map((m) => at(d).find((s) => s.method === m)!.mean));
  result.friedman = friedman(scores, { tieCorrection: true });
  result.cd = nemenyiCriticalDifference(methods.length, datasets.length, alpha);
  const control = methods.indexOf(options.control);
  if (control >= 0) {
    result.vsControl = holmVersusControl(scores, control, { alpha }).map((c) => ({
      method: methods[c.method], rankDifference: c.rankDifference, pValue: c.pValue, pHolm: c.adjustedPValue, reject: c.reject,
    }));
  }
  if (result.friedman.imanDavenport.pValue >= alpha) {
    result.notes.push(`the Friedman test does not reject equal ranks (Iman–Davenport p = ${result.friedman.imanDavenport.pValue.toFixed(3)}), so post-hoc differences should not be read as significant`);
  }
  if (datasets.length < 5) result.notes.push(`with ${datasets.length} datasets these rank tests have little power (Demšar suggests N ≥ 5–10)`);
  return result;
}
