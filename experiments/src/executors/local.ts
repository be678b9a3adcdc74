import { availableParallelism } from 'node:os';
import type { PrepareTask } from '../execute.js';
import { jobKey, jobLabel } from '@udtl/results';
import { groupJobs } from '../jobs.js';
import { formatGiB, workersForMemory, type WorkerMemory } from '../memory.js';
import { runPool } from '../pool.js';
import { Progress } from '../progress.js';
import { devNull, failedResult, type GridExecutor, type GridOutcome, type GridWork } from './executor.js';

/** Today's executor: one worker process per slot on this machine (see pool.ts). */
export class LocalExecutor implements GridExecutor {
  readonly name = 'local';
  workers: number;

  constructor(workers: number | undefined, say: (m: string) => void) {
    const cores = availableParallelism();
    let n = Math.max(1, workers ?? cores);
    if (n > cores) {
      say(`warning: --workers ${n} is more than this machine's ${cores} cores; using ${cores} (each worker is one process with its own copy of the data)`);
      n = cores;
    }
    this.workers = n;
  }

  /** From memory as well as cores: no more workers than `budgetBytes` holds at `worker.bytes` each. */
  fitMemory(budgetBytes: number, worker: WorkerMemory, say: (m: string) => void): void {
    const n = workersForMemory(this.workers, budgetBytes, worker.bytes);
    say(`memory: ~${formatGiB(worker.bytes)} per worker (largest job: ${worker.job ?? 'none'}), budget ${formatGiB(budgetBytes)}: ${n} worker(s)${n < this.workers ? ` instead of ${this.workers}` : ''}`);
    this.workers = n;
  }

  async check(): Promise<void> {}

  describe(): Record<string, unknown> {
    return { name: 'local', workers: this.workers };
  }

  async execute({ env, store, prepare, groups, pending, say, quiet }: GridWork): Promise<GridOutcome> {
    const out: GridOutcome = {};
    if (!groups.length) return out;
    const workers = this.workers;
    say(`preparing features for ${prepare.map((p) => p.dataset).join(', ')} with ${Math.min(workers, prepare.length)} worker(s)`);
    // The last preflight step: a worker starts the backend and engine. If it cannot, no job can run.
    await runPool(prepare, workers, env, {
      onMessage: (m, task) => {
        if (m.type === 'ready') out.backend = m.backend;
        if (m.type === 'taskFailed' && !task) out.startFailure ??= m.error;
        if (m.type === 'log' && !quiet) say(`  ${m.message}`);
      },
      onTaskEnd: (task, error) => {
        if (error && !out.startFailure) say(`  prepare ${(task as PrepareTask).dataset} failed: ${error} (its jobs will compute what they need)`);
      },
    });
    if (out.startFailure) return out;

    const progress = new Progress(pending, quiet ? devNull : process.stderr);
    await runPool(groups, workers, env, {
      onMessage: (m, task) => {
        if (m.type === 'ready') out.backend = m.backend;
        if (m.type === 'job') progress.tick(jobLabel(m.key), m.status === 'ok');
        if (m.type === 'log' && task?.kind === 'group') progress.setCurrent(`${task.group.dataset}/${task.group.method}/fold ${task.group.fold}: ${m.message}`);
      },
      onTaskEnd: async (task, error) => {
        if (!error || task.kind !== 'group') return;
        // The group stopped early (e.g. its worker died): record its unfinished jobs as failed.
        const done = await store.finishedKeys();
        for (const job of groupJobs(task.group)) {
          const key = jobKey(job);
          if (done.has(key)) continue;
          await store.writeResult(failedResult(job, error, task.dataHash));
          progress.tick(jobLabel(key), false);
        }
      },
    });
    progress.end();
    return out;
  }
}
