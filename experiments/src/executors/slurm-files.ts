import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fold } from '@udtl/datasets';
import type { PrepareTask, WorkerEnv } from '../execute.js';
import { jobKey } from '@udtl/results';
import { groupJobs, type JobGroup } from '../jobs.js';

/**
 * What the slurm executor keeps in `<runDir>/slurm/`: the job list each submission's array tasks
 * read (`tasks-<n>.json`), the record of submissions and their array ids (`submissions.json`),
 * the shared-filesystem probe and its replies, and one log per task under `logs/`.
 */
export interface TaskList {
  env: WorkerEnv;
  /** Folds once each (as id lists); groups refer to them by index. */
  folds: Fold[];
  prepare: PrepareTask[];
  groups: { group: JobGroup; fold: number; dataHash: string }[];
}

export interface Submission {
  /** 1, 2, …: names tasks-<n>.json and probe-<n>.json. */
  n: number;
  submittedAt: string;
  nonce: string;
  /** The feature-preparation array: one task per dataset; the job arrays depend on it. */
  prepare: { jobId: string; count: number };
  /** The job list in chunks below MaxArraySize: task `i` of chunk runs group `offset + i`. */
  arrays: { jobId: string; offset: number; count: number }[];
}

export interface SlurmRecord {
  cluster: string | null;
  submissions: Submission[];
}

export const slurmDir = (runDir: string) => join(runDir, 'slurm');
export const tasksFile = (runDir: string, n: number) => join(slurmDir(runDir), `tasks-${n}.json`);
export const probeFile = (runDir: string, n: number) => join(slurmDir(runDir), `probe-${n}.json`);
export const preparedFile = (runDir: string, n: number, i: number) => join(slurmDir(runDir), `prepared-${n}-${i}.json`);
export const recordFile = (runDir: string) => join(slurmDir(runDir), 'submissions.json');
export const logFile = (runDir: string, taskId: string) => join(slurmDir(runDir), 'logs', `${taskId}.out`);

export async function readRecord(runDir: string): Promise<SlurmRecord | undefined> {
  const file = recordFile(runDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as SlurmRecord;
}

export async function readTaskList(file: string): Promise<TaskList> {
  return JSON.parse(await readFile(file, 'utf8')) as TaskList;
}

/** Every task id (`<jobId>_<index>`) of a submission, preparation first. */
export function submissionTaskIds(sub: Submission): string[] {
  const ids = Array.from({ length: sub.prepare.count }, (_, i) => `${sub.prepare.jobId}_${i}`);
  for (const a of sub.arrays) for (let i = 0; i < a.count; i++) ids.push(`${a.jobId}_${i}`);
  return ids;
}

export const submissionJobIds = (sub: Submission): string[] => [sub.prepare.jobId, ...sub.arrays.map((a) => a.jobId)];

/** The array task that runs group `g` of a submission. */
export function taskOfGroup(sub: Submission, g: number): string {
  const a = sub.arrays.find((x) => g >= x.offset && g < x.offset + x.count);
  if (!a) throw new Error(`group ${g} is in no array of submission ${sub.n}`);
  return `${a.jobId}_${g - a.offset}`;
}

/** Each job of a submission: its key, the job, and the array task that runs it. */
export function submissionJobs(list: TaskList, sub: Submission) {
  return list.groups.flatMap((entry, g) =>
    groupJobs(entry.group).map((job) => ({ key: jobKey(job), job, dataHash: entry.dataHash, task: taskOfGroup(sub, g) })),
  );
}
