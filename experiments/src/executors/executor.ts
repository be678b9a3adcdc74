import type { GroupTask, PrepareTask, WorkerEnv } from '../execute.js';
import { jobKey, type Job, type JobResult } from '@udtl/results';
import type { RunStore } from '../store.js';

/** What a session hands an executor: the jobs not finished yet, as feature-preparation tasks and groups. */
export interface GridWork {
  env: WorkerEnv;
  store: RunStore;
  prepare: PrepareTask[];
  groups: GroupTask[];
  /** Jobs in `groups`. */
  pending: number;
  say: (message: string) => void;
  quiet: boolean;
}

export interface GridOutcome {
  backend?: { name: string; gpu: boolean; engine?: string };
  /** The backend or engine could not start: no job can run (the runner reports it as a preflight problem). */
  startFailure?: string;
  /** The session stopped before every task ended: tasks left running (`detached`) or cancelled. */
  interrupted?: 'detached' | 'cancelled';
}

/**
 * Where a run's jobs execute. `local`: a pool of worker processes on this machine; `slurm`: sbatch
 * job arrays. Both write each job's result with RunStore.writeResult from Executor.runGroup.
 */
export interface GridExecutor {
  readonly name: 'local' | 'slurm';
  /** Fails fast (before the preflight) when this executor cannot be used here. */
  check(): Promise<void>;
  execute(work: GridWork): Promise<GridOutcome>;
  /** What the manifest records about where the jobs ran (executor, cluster, array ids, workers). */
  describe(): Record<string, unknown>;
}

/** The result file of a job that did not produce one of its own (its worker or task died). */
export function failedResult(job: Job, error: string, dataHash: string): JobResult {
  return {
    ...job, key: jobKey(job), dataHash, status: 'failed', error, methodId: job.method, params: {}, chosen: {},
    backend: { name: 'unknown', gpu: false }, metrics: {}, fitSeconds: 0, predictSeconds: 0, classNames: [],
    finishedAt: new Date().toISOString(),
  };
}

export const devNull = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
