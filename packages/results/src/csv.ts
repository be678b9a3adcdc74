/**
 * The files of a run folder as text: `results.csv` (long format, one metric a line),
 * `predictions.csv` (one test image a line) and `jobs.jsonl`. The runner writes them through
 * these functions and the report reads them by these column names.
 */
import { argmax } from './metrics.js';
import type { JobResult } from './records.js';

/** A row's job, in every CSV. `draw` is absent in files written before draws existed (readers take 0). */
export const JOB_COLUMNS = ['dataset', 'method', 'fold', 'repeat', 'budget', 'seed', 'draw'] as const;
/** Columns every results file has (the job columns but `draw`). */
export const REQUIRED_JOB_COLUMNS = JOB_COLUMNS.filter((c) => c !== 'draw');
export const RESULTS_COLUMNS = [...JOB_COLUMNS, 'metric', 'value'] as const;
/** Then one `p_<class>` column per class, the union over datasets in the order first met. */
export const PREDICTIONS_COLUMNS = [...JOB_COLUMNS, 'sample_id', 'true', 'pred'] as const;
export const probabilityColumn = (className: string) => `p_${className}`;

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvLine = (cells: unknown[]): string => cells.map(csvCell).join(',') + '\n';

/** A job's cells under JOB_COLUMNS; results written before draws existed are draw 0. */
const jobCells = (r: JobResult): unknown[] => JOB_COLUMNS.map((c) => (c === 'draw' ? r.draw ?? 0 : r[c]));

/** `results.csv`: the ok jobs, one metric a line. NaN metrics (e.g. AUC with one class) are left empty. */
export function resultsCsv(results: JobResult[]): string {
  let out = csvLine([...RESULTS_COLUMNS]);
  for (const r of results) {
    if (r.status !== 'ok') continue;
    for (const [metric, value] of Object.entries(r.metrics)) out += csvLine([...jobCells(r), metric, value]);
  }
  return out;
}

/** `predictions.csv`: one line per test image per ok job; `pred` is the arg-max class (first on ties). */
export function predictionsCsv(results: JobResult[]): string {
  const classes: string[] = [];
  for (const r of results) for (const c of r.classNames) if (!classes.includes(c)) classes.push(c);
  let out = csvLine([...PREDICTIONS_COLUMNS, ...classes.map(probabilityColumn)]);
  for (const r of results) {
    if (r.status !== 'ok' || !r.predictions) continue;
    const { ids, truth, proba } = r.predictions;
    for (let i = 0; i < ids.length; i++) {
      const row = proba[i];
      const pred = argmax(row);
      const p = classes.map((c) => {
        const j = r.classNames.indexOf(c);
        return j < 0 ? '' : row[j];
      });
      out += csvLine([...jobCells(r), ids[i], r.classNames[truth[i]], r.classNames[pred], ...p]);
    }
  }
  return out;
}

/** `jobs.jsonl`: each job's record (its result without metrics, class names and predictions). */
export function jobsJsonl(results: JobResult[]): string {
  return results
    .map(({ predictions: _p, metrics: _m, classNames: _c, ...record }) => JSON.stringify(record))
    .join('\n')
    .concat(results.length ? '\n' : '');
}
