import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '@udtl/datasets';
import { jobKey, jobsJsonl, predictionsCsv, resultsCsv, type Job, type JobResult } from '@udtl/results';
import { jobFileId } from './jobs.js';

/**
 * A run's folder. Each finished job is one JSON file under `jobs/`, written atomically, so a run
 * killed at any point resumes by skipping the files that exist; the CSVs and manifest are
 * re-assembled from them. `current` tells results of the data as it is now from stale ones (the
 * dataset changed since): stale files are neither reused nor reported, and are overwritten when
 * their job runs again.
 */
export class RunStore {
  readonly jobsDir: string;

  constructor(readonly dir: string, private readonly current: (r: JobResult) => boolean = () => true) {
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

  async writeResult(result: JobResult): Promise<void> {
    await atomicWriteFile(this.jobPath(result), JSON.stringify(result));
  }

  /** Every readable job file of the current data; an unreadable one (should not happen with atomic writes) is skipped and reported. */
  async readResults(onBad?: (file: string, err: Error) => void): Promise<JobResult[]> {
    return (await this.readAll(onBad)).filter(this.current);
  }

  /** Results computed on data that has changed since, per dataset. */
  async staleCounts(): Promise<Map<string, number>> {
    const stale = new Map<string, number>();
    for (const r of await this.readAll()) if (!this.current(r)) stale.set(r.dataset, (stale.get(r.dataset) ?? 0) + 1);
    return stale;
  }

  private async readAll(onBad?: (file: string, err: Error) => void): Promise<JobResult[]> {
    if (!existsSync(this.jobsDir)) return [];
    const files = (await readdir(this.jobsDir)).filter((f) => f.endsWith('.json')).sort();
    const out: JobResult[] = [];
    for (const f of files) {
      try {
        const r = JSON.parse(await readFile(join(this.jobsDir, f), 'utf8')) as JobResult;
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
export function currentDataFilter(now: Map<string, { dataHash: string; contentHash: string }>, before: Map<string, string>): (r: JobResult) => boolean {
  return (r) => {
    const data = now.get(r.dataset);
    if (!data) return false;
    return r.dataHash ? r.dataHash === data.dataHash : before.get(r.dataset) === data.contentHash;
  };
}

/** results.csv, predictions.csv and jobs.jsonl, re-assembled from the job files (written by @udtl/results' writers). */
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
