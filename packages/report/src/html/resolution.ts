/**
 * BUSI against BreastMNIST: the same 780 breast-ultrasound images, once from a 256 px copy of the
 * originals and once as MedMNIST's 28 px thumbnails, both upsampled to the backbone's 224 px. The
 * difference per method and budget is what the 28 px detour costs that method.
 */
import { binaryAuc, probabilityColumn } from '@udtl/results';
import { metricName } from '../charts/theme.js';
import { listAnchors } from '../anchors.js';
import { compareBudgets, formatBudget, type Budget, type PredictionRow, type ResultRow } from '../results/types.js';
import { summarize, type Summary } from '../summary.js';
import { DASH, esc, note, notes, section, table } from './format.js';

export const HIGH_RES = 'busi';
export const LOW_RES = 'breastmnist';

/** The positive class of the matched task: BreastMNIST's label 0, BUSI's 'malignant'. */
export const MALIGNANT = 'malignant';

/**
 * Every label either dataset uses, mapped onto BreastMNIST's binary task: MedMNIST built
 * BreastMNIST from BUSI by merging benign and normal into one class ('normal, benign').
 */
const IS_MALIGNANT: Record<string, Record<string, boolean>> = {
  [HIGH_RES]: { malignant: true, benign: false, normal: false },
  [LOW_RES]: { malignant: true, 'normal, benign': false },
};

/** Whether a label of BUSI or BreastMNIST is the malignant class; any other label is an error naming it. */
export function isMalignant(dataset: string, label: string): boolean {
  const known = IS_MALIGNANT[dataset];
  if (!known) throw new Error(`isMalignant: dataset '${dataset}' is neither ${HIGH_RES} nor ${LOW_RES}`);
  if (!(label in known)) throw new Error(`isMalignant: label '${label}' is not one of ${dataset}'s (${Object.keys(known).join(', ')})`);
  return known[label];
}

/**
 * The matched-task metrics, per job, computed from predictions.csv. They keep the plain names (so
 * summarize() clips their CIs to [0, 1] as for any proportion) and live in their own rows, never
 * mixed with results.csv's scores of each dataset's own task.
 */
export const BINARY_METRICS = ['balanced_accuracy', 'accuracy'] as const;
/** The threshold-free matched metric, from the malignant probability (its own function: old runs lack it). */
export const AUC_METRIC = 'auc';

/** The cross-validation predictions of BUSI and BreastMNIST, one list per job. */
function matchedJobs(predictions: PredictionRow[]): PredictionRow[][] {
  const jobs = new Map<string, PredictionRow[]>();
  for (const p of predictions) {
    if ((p.dataset !== HIGH_RES && p.dataset !== LOW_RES) || p.fold === 'official') continue;
    const key = [p.dataset, p.method, p.fold, p.repeat, p.budget, p.seed, p.draw ?? 0].join('\u0000');
    const list = jobs.get(key);
    if (list) list.push(p);
    else jobs.set(key, [p]);
  }
  return [...jobs.values()];
}

/** A job's row of `metric` = `value`, at the coordinates of its first prediction. */
function scoreRow(p: PredictionRow, metric: string, value: number): ResultRow {
  const { dataset, method, fold, repeat, budget, seed, draw } = p;
  return { dataset, method, fold, repeat, budget, seed, draw: draw ?? 0, metric, value };
}

/**
 * Per cross-validation job of BUSI or BreastMNIST: accuracy and balanced accuracy (mean of the
 * malignant recall and the benign-or-normal recall) on malignant vs benign-or-normal, with each
 * prediction mapped as its label is. BUSI's three-class predictions are thus scored on
 * BreastMNIST's two classes. A job whose test fold lacks one of the two classes has no balanced
 * accuracy (one recall is undefined) and gets only the accuracy.
 */
export function binaryScores(predictions: PredictionRow[]): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const job of matchedJobs(predictions)) {
    let tp = 0, fn = 0, tn = 0, fp = 0;
    for (const p of job) {
      const truth = isMalignant(p.dataset, p.truth), pred = isMalignant(p.dataset, p.pred);
      if (truth) pred ? tp++ : fn++;
      else pred ? fp++ : tn++;
    }
    if (tp + fn > 0 && tn + fp > 0) rows.push(scoreRow(job[0], 'balanced_accuracy', (tp / (tp + fn) + tn / (tn + fp)) / 2));
    rows.push(scoreRow(job[0], 'accuracy', (tp + tn) / (tp + fn + tn + fp)));
  }
  return rows;
}

const MALIGNANT_COLUMN = probabilityColumn(MALIGNANT);

/**
 * Per cross-validation job of BUSI or BreastMNIST: the AUC of malignant vs benign-or-normal,
 * scored by each image's malignant probability (@udtl/results' binaryAuc). For BUSI that is the
 * three-class classifier's p_malignant, i.e. one-vs-rest for the malignant class; for
 * BreastMNIST it is one of its two columns, and a two-class AUC is the same whichever class is
 * called positive. A job whose test fold lacks one class has no AUC. A BUSI or BreastMNIST row
 * without p_malignant is an error naming its row (or the column, when no row has it).
 */
export function matchedAucScores(predictions: PredictionRow[]): ResultRow[] {
  const jobs = matchedJobs(predictions);
  if (jobs.length && !jobs.some((job) => job.some((p) => p.probabilities?.[MALIGNANT] !== undefined))) {
    throw new Error(`predictions.csv has no ${MALIGNANT_COLUMN} column (or it is empty in every ${HIGH_RES} and ${LOW_RES} row)`);
  }
  const rows: ResultRow[] = [];
  for (const job of jobs) {
    const scores = job.map((p) => {
      const score = p.probabilities?.[MALIGNANT];
      if (score === undefined) throw new Error(`predictions.csv data row ${p.dataRow ?? '?'} (${p.dataset}, ${p.method}, fold ${p.fold}, sample ${p.sampleId}): ${MALIGNANT_COLUMN} is empty`);
      return score;
    });
    const auc = binaryAuc(job.map((p) => isMalignant(p.dataset, p.truth)), scores);
    if (!Number.isNaN(auc)) rows.push(scoreRow(job[0], AUC_METRIC, auc));
  }
  return rows;
}

/** One method at one budget: its score on each dataset and BUSI − BreastMNIST. */
export interface ResolutionCell {
  method: string;
  budget: Budget;
  metric: string;
  high?: Summary;
  low?: Summary;
  /** high − low, in metric units. */
  difference?: number;
  /**
   * Half-width of an approximate 95% interval of the difference: the two datasets' folds are drawn
   * separately, so their corrected CI half-widths add in quadrature.
   */
  halfWidth?: number;
}

const halfWidthOf = (s: Summary | undefined) => (s?.ciLow !== undefined && s.ciHigh !== undefined ? (s.ciHigh - s.ciLow) / 2 : undefined);

/** Cross-validation cells of `metric` for every method × budget that either dataset has, methods in the given order. */
export function resolutionCells(summaries: Summary[], metric: string, methods: string[]): ResolutionCell[] {
  const cv = summaries.filter((s) => s.protocol === 'cv' && s.metric === metric && (s.dataset === HIGH_RES || s.dataset === LOW_RES));
  const order = [...new Set([...methods, ...cv.map((s) => s.method)])];
  const budgets = [...new Set(cv.map((s) => s.budget))].sort(compareBudgets);
  const cells: ResolutionCell[] = [];
  for (const method of order) {
    for (const budget of budgets) {
      const high = cv.find((s) => s.dataset === HIGH_RES && s.method === method && s.budget === budget);
      const low = cv.find((s) => s.dataset === LOW_RES && s.method === method && s.budget === budget);
      if (!high && !low) continue;
      const cell: ResolutionCell = { method, budget, metric, high, low };
      if (high && low) {
        cell.difference = high.mean - low.mean;
        const h = halfWidthOf(high), l = halfWidthOf(low);
        if (h !== undefined && l !== undefined) cell.halfWidth = Math.hypot(h, l);
      }
      cells.push(cell);
    }
  }
  return cells;
}

const percent = (s: Summary | undefined) => (s ? (100 * s.mean).toFixed(1) + (s.ciLow !== undefined && s.ciHigh !== undefined ? ` <small>[${(100 * s.ciLow).toFixed(1)}, ${(100 * s.ciHigh).toFixed(1)}]</small>` : '') : DASH);

function differenceText(c: ResolutionCell): string {
  if (c.difference === undefined) return DASH;
  const d = 100 * c.difference;
  const size = Math.abs(d).toFixed(1);
  const text = `${size === '0.0' ? '±' : d > 0 ? '+' : '−'}${size}`;
  if (c.halfWidth === undefined) return text;
  const h = 100 * c.halfWidth;
  const clear = Math.abs(d) > h;
  return `${clear ? `<b>${text}</b>` : text} <small>± ${h.toFixed(1)}</small>`;
}

/** One row per method × budget found in any group; a group lacking that cell shows dashes. */
function cellsTable(groups: ResolutionCell[][], name: (metric: string) => string = metricName): string {
  const keyOf = (c: ResolutionCell) => `${c.method}\u0000${c.budget}`;
  const keys = new Map<string, ResolutionCell>();
  for (const g of groups) for (const c of g) if (!keys.has(keyOf(c))) keys.set(keyOf(c), c);
  const header = ['method', 'labels', ...groups.flatMap((g) => [`${esc(name(g[0].metric))}: BUSI (256 → 224 px)`, 'BreastMNIST (28 → 224 px)', 'BUSI − BreastMNIST (points)'])];
  const rows = [...keys].map(([key, first]) => [esc(first.method), esc(formatBudget(first.budget)), ...groups.flatMap((g) => {
    const c = g.find((x) => keyOf(x) === key);
    return c ? [percent(c.high), percent(c.low), differenceText(c)] : [DASH, DASH, DASH];
  })]);
  return table(header, rows, 'resolution');
}

const MATCHED_AUC_NAME = 'AUC (malignant vs rest)';

/** The matched AUC's table, or a note saying why there is none; `scored` when the table is shown. */
function matchedAucSection(predictions: PredictionRow[], methods: string[]): { html: string; scored: boolean } {
  let rows: ResultRow[];
  try {
    rows = matchedAucScores(predictions);
  } catch (err) {
    return { html: note(`The matched AUC could not be computed: ${(err as Error).message}.`), scored: false };
  }
  const cells = resolutionCells(summarize(rows), AUC_METRIC, methods);
  if (!cells.some((c) => c.difference !== undefined)) {
    return { html: note('No matched AUC for both datasets: every test fold of one of them holds a single class.'), scored: false };
  }
  return {
    html: note(`${MATCHED_AUC_NAME}: each test image ranked by its malignant probability (${MALIGNANT_COLUMN} in predictions.csv), threshold-free. On BUSI it is the three-class classifier’s malignant probability (one-vs-rest), on BreastMNIST the two-class one’s; the mean over folds of each fold’s AUC, and a fold whose test images hold one class has none.`)
      + cellsTable([cells], () => MATCHED_AUC_NAME),
    scored: true,
  };
}

/** The MedMNIST+ rows of BreastMNIST's anchors: its 224 px images, which MedMNIST+ made from the BUSI originals. */
const medmnistPlus224 = () => listAnchors(LOW_RES).filter((a) => a.source.startsWith('Doerrich') && a.model.includes('224 px'));

/**
 * The section, or '' unless the run has cross-validation results for both BUSI and BreastMNIST.
 * Headline: the matched binary task from predictions.csv; below it, each dataset's own task on
 * the run's primary metric, which mixes resolution with the three-vs-two-class difference.
 */
export function resolutionSection(summaries: Summary[], predictions: PredictionRow[], metric: string, methods: string[]): string {
  const present = (d: string) => summaries.some((s) => s.dataset === d && s.protocol === 'cv');
  if (!present(HIGH_RES) || !present(LOW_RES)) return '';
  const title = 'Resolution: BUSI (256 px source) against BreastMNIST (28 px)';
  let body = note('The same 780 breast-ultrasound images (Al-Dhabyani et al. 2020), once from a 256 px copy of the ~500 px originals and once as MedMNIST’s 28 px thumbnails, both upsampled to the backbone’s 224 px input. BUSI − BreastMNIST is what the 28 px detour costs a method (positive: the 28 px version scores lower). Means over cross-validation folds with the corrected 95% CI in brackets; the difference carries an approximate 95% half-width (the two CIs in quadrature, as the two datasets’ folds are drawn separately), in bold when the difference exceeds it.');

  let binary: ResultRow[] = [];
  let mappingError: string | undefined;
  try {
    binary = binaryScores(predictions);
  } catch (err) {
    mappingError = (err as Error).message;
  }
  const binarySummaries = summarize(binary);
  const hasBinary = (d: string) => binarySummaries.some((s) => s.dataset === d);
  let hasAuc = false;
  body += '<h3>Matched task: malignant against benign-or-normal</h3>';
  if (hasBinary(HIGH_RES) && hasBinary(LOW_RES)) {
    body += note('Both datasets scored on BreastMNIST’s two classes from predictions.csv: a BUSI prediction of benign or of normal counts as “normal, benign”, as MedMNIST merged them. Balanced accuracy is the mean of the malignant and the benign-or-normal recall; accuracy is the share right (MedMNIST+ reports accuracy).');
    body += cellsTable(BINARY_METRICS.map((m) => resolutionCells(binarySummaries, m, methods)).filter((g) => g.length));
    const auc = matchedAucSection(predictions, methods);
    hasAuc = auc.scored;
    body += auc.html;
  } else {
    body += note(mappingError
      ? `The matched task could not be scored: ${mappingError}.`
      : 'The matched task needs per-image predictions (predictions.csv) of both datasets’ cross-validation jobs, and this run has them for at most one: only each dataset’s own task is shown below.');
  }

  const anchors = medmnistPlus224();
  if (anchors.length) {
    body += notes([
      ...anchors.map((a) => `MedMNIST+ (${a.source.split(',')[0]}), ${a.model}: ACC ${a.accuracy?.toFixed(1) ?? DASH} / AUC ${a.auc?.toFixed(1) ?? DASH} on BreastMNIST’s 224 px images.`),
      `These anchors are the analogue of the BUSI column, not of the BreastMNIST one: MedMNIST+’s 224 px BreastMNIST is made from the BUSI originals (no 28 px step, no padding), on the same binary task. They are tested once on the official 156-image test split (training 546, validation 78 for model selection), ours by cross-validation over all 780 images (a mean over test folds), and they report no balanced accuracy; ${hasAuc
        ? 'put our BUSI accuracy and AUC at “all” labels beside their ACC and AUC, not our balanced accuracy. Their classifier is two-class and ours on BUSI three-class, but both AUCs rank the same images on malignant against benign-or-normal (a two-class AUC is the same whichever class is called positive).'
        : 'put our BUSI accuracy at “all” labels beside them, not our balanced accuracy (this run has no matched AUC to put beside theirs).'}`,
    ]);
  }

  const own = resolutionCells(summaries, metric, methods);
  body += `<h3>Each dataset’s own task (${esc(metricName(metric))})</h3>`;
  body += note(`As run: BUSI as three classes (in the source: benign 437, malignant 210, normal 133; chance balanced accuracy 33%), BreastMNIST as two (malignant 210, normal-or-benign 570; chance 50%). This difference mixes resolution with the task, so it is not the cost of the 28 px step; read the matched task above for that.`);
  if (own.length) body += cellsTable([own]);
  else body += note(`No cross-validation ${metricName(metric)} for either dataset in results.csv.`);

  body += notes([
    'Labels per class differ at a partial budget: at b labels per class BUSI is trained on 3b images (b benign, b malignant, b normal) and BreastMNIST on 2b (b malignant, b normal-or-benign), and the BUSI classifier also learns to tell benign from normal. The “all” row, where each sees every training image of its fold, is the cleanest resolution contrast.',
    'The folds differ: each dataset is split on its own (in both, near-duplicate groups are kept in one fold and the one image pair filed as both benign and malignant is dropped), so a BUSI fold and a BreastMNIST fold do not hold the same test images and the difference is not paired image by image.',
    'BreastMNIST’s official split (546 / 78 / 156) is pooled for cross-validation here; BUSI has no official split, so this section uses cross-validation only.',
  ]);
  return section('resolution', title, body);
}
