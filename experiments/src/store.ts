import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '@udtl/datasets';
import { jobFileId, jobKey, type Job, type JobResult } from './jobs.js';

/** A job's result as stored: with the hash of the data it was computed on (absent in files of older versions). */
export type StoredResult = JobResult & { dataHash?: string };

/**
 * A run's folder. Each finished job is one JSON file under `jobs/`, written atomically, so a run
 * killed at any point resumes by skipping the files that exist; the CSVs and manifest are
 * re-assembled from them. `current` tells results of the data as it is now from stale ones (the
 * dataset changed since): stale files are neither reused nor reported, and are overwritten when
 * their job runs again.
 */
export class RunStore {
  readonly jobsDir: string;

  constructor(readonly dir: string, private readonly current: (r: StoredResult) => boolean = () => true) {
    this.jobsDir = join(dir, 'jobs');
  }

  async init(): Promise<void> {
    await mkdir(this.jobsDir, { recursive: true });
  }

  jobPath(job: Job): string {
    return join(this.jobsDir, `${jobFileId(job)}.json`);
  }

  /** Keys of jobs already finished (ok or failed) — a failed job is retried on the next run. */
  async finishedKeys(): Promise<Map<string, JobResult['status']>> {
    const done = new Map<string, JobResult['status']>();
    for (const result of await this.readResults()) done.set(result.key, result.status);
    return done;
  }

  async writeResult(result: StoredResult): Promise<void> {
    await atomicWriteFile(this.jobPath(result), JSON.stringify(result));
  }

  /** Every readable job file of the current data; an unreadable one (should not happen with atomic writes) is skipped and reported. */
  async readResults(onBad?: (file: string, err: Error) => void): Promise<StoredResult[]> {
    return (await this.readAll(onBad)).filter(this.current);
  }

  /** Results computed on data that has changed since, per dataset. */
  async staleCounts(): Promise<Map<string, number>> {
    const stale = new Map<string, number>();
    for (const r of await this.readAll()) if (!this.current(r)) stale.set(r.dataset, (stale.get(r.dataset) ?? 0) + 1);
    return stale;
  }

  private async readAll(onBad?: (file: string, err: Error) => void): Promise<StoredResult[]> {
    if (!existsSync(this.jobsDir)) return [];
    const files = (await readdir(this.jobsDir)).filter((f) => f.endsWith('.json')).sort();
    const out: StoredResult[] = [];
    for (const f of files) {
      try {
        const r = JSON.parse(await readFile(join(this.jobsDir, f), 'utf8')) as StoredResult;
        if (r.key !== jobKey(r)) throw new Error('key does not match its fields');
        out.push(r);
      } catch (err) {
        onBad?.(f, err as Error);
      }
    }
    return out;
  }
}

/**
 * Which stored results belong to the data as it is now: those carrying the dataset's current data
 * hash; a file from before data hashes were stored counts when the dataset's content hash is the
 * one the folder's previous manifest recorded (`before`).
 */
export function currentDataFilter(now: Map<string, { dataHash: string; contentHash: string }>, before: Map<string, string>): (r: StoredResult) => boolean {
  return (r) => {
    const data = now.get(r.dataset);
    if (!data) return false;
    return r.dataHash ? r.dataHash === data.dataHash : before.get(r.dataset) === data.contentHash;
  };
}

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csvLine = (cells: unknown[]): string => cells.map(csvCell).join(',') + '\n';

const ID_COLUMNS = ['dataset', 'method', 'fold', 'repeat', 'budget', 'seed', 'draw'] as const;
/** A job's id columns; results written before draws existed are draw 0. */
const idCells = (r: JobResult): unknown[] => ID_COLUMNS.map((c) => (c === 'draw' ? r.draw ?? 0 : r[c]));

/** `results.csv`: long format, one metric per line. NaN metrics (e.g. AUC with one class) are left empty. */
export function resultsCsv(results: JobResult[]): string {
  let out = csvLine([...ID_COLUMNS, 'metric', 'value']);
  for (const r of results) {
    if (r.status !== 'ok') continue;
    for (const [metric, value] of Object.entries(r.metrics)) out += csvLine([...idCells(r), metric, value]);
  }
  return out;
}

/** `predictions.csv`: one line per test image per job; `p_<class>` columns are the union over datasets. */
export function predictionsCsv(results: JobResult[]): string {
  const classes: string[] = [];
  for (const r of results) for (const c of r.classNames) if (!classes.includes(c)) classes.push(c);
  let out = csvLine([...ID_COLUMNS, 'sample_id', 'true', 'pred', ...classes.map((c) => `p_${c}`)]);
  for (const r of results) {
    if (r.status !== 'ok' || !r.predictions) continue;
    const { ids, truth, proba } = r.predictions;
    for (let i = 0; i < ids.length; i++) {
      const row = proba[i];
      let pred = 0;
      for (let j = 1; j < row.length; j++) if (row[j] > row[pred]) pred = j;
      const p = classes.map((c) => {
        const j = r.classNames.indexOf(c);
        return j < 0 ? '' : row[j];
      });
      out += csvLine([...idCells(r), ids[i], r.classNames[truth[i]], r.classNames[pred], ...p]);
    }
  }
  return out;
}

/** `jobs.jsonl`: per job its parameters, the values chosen during fit, status and timings. */
export function jobsJsonl(results: JobResult[]): string {
  return results
    .map(({ predictions: _p, metrics: _m, classNames: _c, ...rest }) => JSON.stringify(rest))
    .join('\n')
    .concat(results.length ? '\n' : '');
}

export async function writeTables(store: RunStore, results: JobResult[]): Promise<void> {
  await atomicWriteFile(join(store.dir, 'results.csv'), resultsCsv(results));
  await atomicWriteFile(join(store.dir, 'predictions.csv'), predictionsCsv(results));
  await atomicWriteFile(join(store.dir, 'jobs.jsonl'), jobsJsonl(results));
}

/** Point `<root>/latest` at the run (a symlink, replaced atomically). */
export async function pointLatest(root: string, runDirName: string): Promise<void> {
  const tmp = join(root, `.latest.${process.pid}.tmp`);
  await rm(tmp, { force: true });
  await symlink(runDirName, tmp);
  await rename(tmp, join(root, 'latest'));
}
