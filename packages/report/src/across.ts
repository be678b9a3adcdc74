import { friedman, holmVersusControl, nemenyiCriticalDifference, rankRows, type FriedmanResult } from './stats/index.js';
import { compareBudgets, type Budget } from './results/types.js';
import { fullBudget, type Summary } from './summary.js';

/**
 * Ranking methods over datasets (Demšar, JMLR 7, 2006): every dataset × label budget is a block,
 * methods are ranked within it on their cross-validated mean, and the average ranks are tested
 * with Friedman / Iman–Davenport, Nemenyi's critical difference and Holm's step-down against the
 * control. Blocks of one dataset share its images, so they are not independent: the same test on
 * each dataset's full budget alone (independent blocks) is reported beside it.
 */
export interface AcrossDatasets {
  metric: string;
  /** The blocks ranked: each dataset at each budget where every compared method has a mean. */
  datasets: { id: string; budget: Budget }[];
  /** Distinct datasets among the blocks. */
  nDatasets: number;
  methods: string[];
  /** Rank of each method (column order of `methods`, 1 = best, ties averaged) per block. */
  ranks: number[][];
  /** Present only when the tests ran. */
  friedman?: FriedmanResult;
  cd?: number;
  alpha: number;
  /** Holm's step-down of each method against the control, on average ranks. */
  vsControl?: { method: string; rankDifference: number; pValue: number; pHolm: number; reject: boolean }[];
  /** The same Friedman test on each dataset's full budget only (one independent block per dataset), when ≥ 2 datasets. */
  fullBudgetOnly?: FriedmanResult;
  /** Why the tests did not run, what was left out, and how much N allows. */
  notes: string[];
}

/** Smallest number of independent datasets Demšar (2006) treats as enough for these rank tests. */
export const MIN_DATASETS_FOR_RANK_TESTS = 10;

export function compareAcrossDatasets(summaries: Summary[], options: { control: string; metric?: string; alpha?: number }): AcrossDatasets {
  const metric = options.metric ?? 'accuracy';
  const alpha = options.alpha ?? 0.05;
  const cv = summaries.filter((s) => s.metric === metric && s.protocol === 'cv');
  const allMethods = [...new Set(cv.map((s) => s.method))];
  const candidates = [...new Set(cv.map((s) => `${s.dataset}\u0000${s.budget}`))]
    .map((key) => cv.find((s) => `${s.dataset}\u0000${s.budget}` === key)!)
    .map((s) => ({ id: s.dataset, budget: s.budget }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : compareBudgets(a.budget, b.budget)));
  const at = (d: { id: string; budget: Budget }) => cv.filter((s) => s.dataset === d.id && s.budget === d.budget);
  // Methods that reach every dataset's full budget are compared; a block is kept when it has them all.
  const fullOf = new Map([...new Set(cv.map((s) => s.dataset))].map((id) => [id, fullBudget(cv.filter((s) => s.dataset === id).map((s) => s.budget))!]));
  const fullBlocks = candidates.filter((d) => fullOf.get(d.id) === d.budget);
  const methods = allMethods.filter((m) => fullBlocks.every((d) => at(d).some((s) => s.method === m)));
  const datasets = candidates.filter((d) => methods.every((m) => at(d).some((s) => s.method === m)));
  const nDatasets = new Set(datasets.map((d) => d.id)).size;
  const result: AcrossDatasets = { metric, datasets, nDatasets, methods, ranks: [], alpha, notes: [] };
  const missing = allMethods.filter((m) => !methods.includes(m));
  if (missing.length) result.notes.push(`left out (not run on every dataset): ${missing.join(', ')}`);
  const skipped = candidates.length - datasets.length;
  if (skipped > 0) result.notes.push(`${skipped} dataset × budget block(s) left out: not every compared method has results there`);
  if (nDatasets < 2 || methods.length < 2) {
    result.notes.push(`needs at least 2 datasets and 2 methods with cross-validation results; have ${nDatasets} dataset(s) (${datasets.length} dataset × budget block(s)) and ${methods.length} method(s)`);
    return result;
  }
  const meanOf = (d: { id: string; budget: Budget }) => methods.map((m) => at(d).find((s) => s.method === m)!.mean);
  const scores = datasets.map(meanOf);
  result.ranks = rankRows(scores);
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
  if (datasets.length > nDatasets) {
    const independent = datasets.filter((d) => fullOf.get(d.id) === d.budget);
    result.fullBudgetOnly = friedman(independent.map(meanOf), { tieCorrection: true });
    result.notes.push(
      `the ${datasets.length} blocks come from ${nDatasets} datasets; blocks of one dataset share its images and folds, so they are not independent and the p-values above are optimistic. ` +
        `On each dataset's full budget alone (N = ${nDatasets} independent blocks): Iman–Davenport p = ${result.fullBudgetOnly.imanDavenport.pValue.toFixed(3)}`,
    );
  }
  result.notes.push(sampleSizeSentence(nDatasets, datasets.length, methods.length, result.cd, alpha));
  return result;
}

/** When N is too small for the rank tests to mean much, say so with the numbers that show it. */
export function sampleSizeSentence(nDatasets: number, nBlocks: number, k: number, cd: number, alpha: number): string {
  const span = k - 1;
  const detail = `with k = ${k} methods average ranks span at most ${span}, and Nemenyi needs a difference of ${cd.toFixed(2)} (α = ${alpha}, N = ${nBlocks})`;
  if (nDatasets < MIN_DATASETS_FOR_RANK_TESTS) {
    return `N is too small for these rank tests to mean much: ${nDatasets} independent dataset(s), fewer than the ${MIN_DATASETS_FOR_RANK_TESTS} Demšar (2006) asks for (the χ² approximation also wants N > 10 and k > 5); ${detail}. Read the ranks as a description of this benchmark, not as evidence that generalises to other datasets.`;
  }
  return `N = ${nDatasets} datasets meets Demšar's (2006) guidance for these rank tests; ${detail}.`;
}
