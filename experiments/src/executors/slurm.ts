import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { atomicWriteFile } from '@udtl/datasets';
import type { Fold } from '@udtl/datasets';
import { jobLabel, type JobResult } from '@udtl/results';
import { groupJobs } from '../jobs.js';
import { Progress } from '../progress.js';
import { devNull, failedResult, type GridExecutor, type GridOutcome, type GridWork } from './executor.js';
import { clusterInfo, isActive, queueStates, sbatch, scancel, slurmVersion, type ClusterInfo } from './slurm-cli.js';
import {
  logFile, preparedFile, probeFile, readRecord, recordFile, slurmDir, submissionJobIds, submissionJobs, submissionTaskIds,
  tasksFile, type SlurmRecord, type Submission, type TaskList,
} from './slurm-files.js';

export interface SlurmOptions {
  partition?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: number;
  gres?: string;
  /** At most this many tasks of an array at once (`--array=…%K`; per array when the list is chunked). */
  maxConcurrent?: number;
  /** Passed to sbatch as they are, after udtl's own arguments. */
  sbatchArgs?: string[];
  /** How often squeue and the result files are polled (default 2 s; UDTL_SLURM_POLL_MS). */
  pollMs?: number;
  /** Asked on Ctrl-C; resolves true to scancel (default: a y/N question on stdin). */
  confirmCancel?: (question: string) => Promise<boolean>;
}

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

/** The array task's script: runs `node cli.js task …` with the task's index (arguments come from sbatch, no shell quoting). */
const TASK_SCRIPT = '#!/bin/sh\n# udtl slurm task: "$@" is `node cli.js task <runDir> --list <file> [--offset n|--prepare]`\nexec "$@" --index "${SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}"\n';

/** The sbatch arguments for one submission, resources first, the user's extra arguments last (they win). */
export function sbatchArguments(
  opts: SlurmOptions,
  job: { name: string; logs: string; array: string; dependency?: string; chdir: string },
): string[] {
  // Append: a requeued task's log keeps its first attempt.
  const args = [`--job-name=${job.name}`, `--array=${job.array}`, `--output=${join(job.logs, '%A_%a.out')}`, '--open-mode=append', `--chdir=${job.chdir}`];
  if (job.dependency) args.push(`--dependency=afterok:${job.dependency}`, '--kill-on-invalid-dep=yes');
  if (opts.partition) args.push(`--partition=${opts.partition}`);
  if (opts.time) args.push(`--time=${opts.time}`);
  if (opts.mem) args.push(`--mem=${opts.mem}`);
  if (opts.cpusPerTask) args.push(`--cpus-per-task=${opts.cpusPerTask}`);
  if (opts.gres) args.push(`--gres=${opts.gres}`);
  return [...args, ...(opts.sbatchArgs ?? [])];
}

/** `0-(count-1)` with `%K` when limited. */
export const arraySpec = (count: number, maxConcurrent?: number) => `0-${count - 1}${maxConcurrent ? `%${maxConcurrent}` : ''}`;

/** Chunks of at most `size` consecutive indices: [offset, count] pairs. */
export function chunks(total: number, size: number): { offset: number; count: number }[] {
  const out: { offset: number; count: number }[] = [];
  for (let offset = 0; offset < total; offset += size) out.push({ offset, count: Math.min(size, total - offset) });
  return out;
}

/** Array tasks of this run folder still queued or running (for the local executor, which must not compute them twice). */
export async function liveSlurmTasks(runDir: string): Promise<string[]> {
  const record = await readRecord(runDir).catch(() => undefined);
  const last = record?.submissions.at(-1);
  if (!last) return [];
  try {
    const states = await queueStates(submissionJobIds(last));
    return [...states].filter(([, s]) => isActive(s)).map(([id]) => id);
  } catch {
    return []; // no squeue here: nothing we can see is running
  }
}

/**
 * The slurm executor: feature preparation as one array (a task per dataset), then the job list as
 * job arrays that depend on it; each array task is `udtl task`, which runs one group (a fold ×
 * method, every budget and draw) exactly as a local worker does. Progress comes from squeue and
 * the result files; the array ids are recorded so a later `udtl run` reattaches.
 */
export class SlurmExecutor implements GridExecutor {
  readonly name = 'slurm';
  private cluster: ClusterInfo | undefined;
  private record: SlurmRecord | undefined;

  constructor(private readonly opts: SlurmOptions) {}

  async check(): Promise<void> {
    await slurmVersion();
    this.cluster = await clusterInfo();
  }

  describe(): Record<string, unknown> {
    const subs = this.record?.submissions ?? [];
    return {
      name: 'slurm',
      cluster: this.cluster?.name ?? this.record?.cluster ?? null,
      options: { ...this.opts, confirmCancel: undefined, pollMs: undefined },
      submissions: subs.map((s) => ({ n: s.n, submittedAt: s.submittedAt, prepareJob: s.prepare.jobId, arrays: s.arrays.map((a) => a.jobId) })),
      arrays: subs.flatMap((s) => s.arrays.map((a) => a.jobId)),
    };
  }

  async execute(work: GridWork): Promise<GridOutcome> {
    const runDir = work.env.runDir;
    this.cluster ??= await clusterInfo();
    this.record = (await readRecord(runDir)) ?? { cluster: this.cluster.name, submissions: [] };
    const last = this.record.submissions.at(-1);
    if (last && [...(await queueStates(submissionJobIds(last))).values()].some(isActive)) {
      // Read before announcing: from the announcement on, follow() (which asks on Ctrl-C) runs without awaiting first.
      const list = await readTaskListOf(runDir, last.n);
      work.say(`reattaching to submission ${last.n} (feature preparation ${last.prepare.jobId}, array${last.arrays.length > 1 ? 's' : ''} ${last.arrays.map((a) => a.jobId).join(', ')}): still in the queue; nothing is resubmitted`);
      return this.follow(work, last, list);
    }
    if (!work.groups.length) return {};
    const sub = await this.submit(work, this.record);
    return this.follow(work, sub, await readTaskListOf(runDir, sub.n));
  }

  private async submit(work: GridWork, record: SlurmRecord): Promise<Submission> {
    const runDir = work.env.runDir;
    const n = (record.submissions.at(-1)?.n ?? 0) + 1;
    const dir = slurmDir(runDir);
    const logs = join(dir, 'logs');
    await mkdir(logs, { recursive: true });
    const folds: Fold[] = [];
    const foldIndex = new Map<Fold, number>();
    const list: TaskList = {
      env: work.env,
      folds,
      prepare: work.prepare,
      groups: work.groups.map((g) => {
        if (!foldIndex.has(g.fold)) foldIndex.set(g.fold, folds.push(g.fold) - 1);
        return { group: g.group, fold: foldIndex.get(g.fold)!, dataHash: g.dataHash };
      }),
    };
    await atomicWriteFile(tasksFile(runDir, n), JSON.stringify(list));
    const nonce = randomBytes(8).toString('hex');
    await atomicWriteFile(probeFile(runDir, n), JSON.stringify({ nonce, writtenBy: process.pid }));
    const script = join(dir, 'task.sh');
    await atomicWriteFile(script, TASK_SCRIPT);
    // A job about to be submitted has no usable result (failed, or of older data): its file goes, so
    // a result file that exists from now on was written by this submission's task.
    for (const g of work.groups) for (const job of groupJobs(g.group)) await rm(work.store.jobPath(job), { force: true });

    const name = `udtl-${basename(runDir)}`;
    const command = [process.execPath, CLI, 'task', runDir, '--list', basename(tasksFile(runDir, n))];
    const sub: Submission = { n, submittedAt: new Date().toISOString(), nonce, prepare: { jobId: '', count: list.prepare.length }, arrays: [] };
    const prepArgs = sbatchArguments(this.opts, { name: `${name}-prepare`, logs, array: arraySpec(list.prepare.length), chdir: process.cwd() });
    sub.prepare.jobId = await sbatch([...prepArgs, script, ...command, '--prepare']);
    record.submissions.push(sub);
    await writeRecord(runDir, record);
    try {
      for (const { offset, count } of chunks(list.groups.length, this.cluster!.maxArraySize)) {
        const args = sbatchArguments(this.opts, { name, logs, array: arraySpec(count, this.opts.maxConcurrent), dependency: sub.prepare.jobId, chdir: process.cwd() });
        sub.arrays.push({ jobId: await sbatch([...args, script, ...command, '--offset', String(offset)]), offset, count });
        await writeRecord(runDir, record);
      }
    } catch (err) {
      await scancel(submissionJobIds(sub).filter(Boolean)).catch(() => {});
      throw err;
    }
    work.say(`submitted to slurm${this.cluster?.name ? ` cluster ${this.cluster.name}` : ''}: feature preparation ${sub.prepare.jobId} (${sub.prepare.count} task${sub.prepare.count > 1 ? 's' : ''}), ` +
      `${list.groups.length} task${list.groups.length > 1 ? 's' : ''} (${work.pending} jobs) in array${sub.arrays.length > 1 ? 's' : ''} ${sub.arrays.map((a) => a.jobId).join(', ')}; logs in ${logs}`);
    return sub;
  }

  /** Poll squeue and the result files until every task of the submission has left the queue. */
  private async follow(work: GridWork, sub: Submission, list: TaskList): Promise<GridOutcome> {
    const runDir = work.env.runDir;
    const jobs = submissionJobs(list, sub);
    const finished = new Map<string, JobResult>();
    const readFinished = async () => {
      for (const j of jobs) {
        if (finished.has(j.key)) continue;
        const file = work.store.jobPath(j.job);
        if (!existsSync(file)) continue;
        try {
          finished.set(j.key, JSON.parse(await readFile(file, 'utf8')) as JobResult);
        } catch {
          /* atomic writes: a file that exists is whole; anything else is read next time */
        }
      }
    };
    let interrupt: Promise<'cancel' | 'detach'> | undefined;
    let secondCtrlC: (() => void) | undefined;
    const onSigint = () => {
      // A second Ctrl-C while the question is open means no: leave the tasks running.
      if (interrupt) return secondCtrlC?.();
      interrupt = Promise.race([this.askCancel(sub), new Promise<'detach'>((r) => (secondCtrlC = () => r('detach')))]);
    };
    // Before the first await: the submission has been announced, so a Ctrl-C from now on must ask.
    process.on('SIGINT', onSigint);
    try {
      await readFinished();
    } catch (err) {
      process.off('SIGINT', onSigint);
      throw err;
    }
    // Jobs finished before this session (a reattach) are not counted again.
    const ticked = new Set(finished.keys());
    const progress = new Progress(jobs.length - finished.size, work.quiet ? devNull : process.stderr);
    const out: GridOutcome = {};
    let prepareChecked = false;
    try {
      for (let squeueErrors = 0; ; ) {
        let states: Map<string, string>;
        try {
          states = await queueStates(submissionJobIds(sub));
          squeueErrors = 0;
        } catch (err) {
          // A busy controller times out now and then; the tasks go on without us.
          if (++squeueErrors >= 5) throw new Error(`${(err as Error).message}; the tasks are still in Slurm's hands: \`udtl run\` again reattaches`);
          await sleep(this.pollMs());
          continue;
        }
        await readFinished();
        for (const [key, r] of finished) {
          if (ticked.has(key)) continue;
          ticked.add(key);
          progress.tick(jobLabel(key), r.status === 'ok');
          if (r.status === 'ok') out.backend ??= r.backend;
        }
        const active = submissionTaskIds(sub).filter((id) => states.has(id) && isActive(states.get(id)!));
        const prepActive = active.some((id) => id.startsWith(`${sub.prepare.jobId}_`));
        if (!prepActive && !prepareChecked) {
          prepareChecked = true;
          const problem = await this.checkPrepared(runDir, sub, out);
          if (problem) {
            await scancel(submissionJobIds(sub)).catch(() => {});
            if (out.startFailure) return out;
            throw new Error(problem);
          }
        }
        const running = active.filter((id) => states.get(id) === 'RUNNING').length;
        progress.setCurrent(`slurm: ${running} running, ${active.length - running} queued`);
        // An open question is answered even when the last task just ended (its readline holds stdin).
        if (interrupt) {
          const answer = await interrupt;
          if (answer === 'cancel') {
            await scancel(submissionJobIds(sub));
            work.say(`\ncancelled (scancel ${submissionJobIds(sub).join(' ')}); the next \`udtl run\` resubmits what is missing`);
            out.interrupted = 'cancelled';
          } else {
            work.say(`\nleft running: ${active.length} task(s) of ${submissionJobIds(sub).join(', ')}; \`udtl run\` with the same config reattaches, \`udtl status ${runDir}\` shows where they are`);
            out.interrupted = 'detached';
          }
          progress.end();
          return out;
        }
        if (!active.length) break;
        await sleep(this.pollMs());
      }
      await readFinished();
      // Tasks that left the queue without a result (cancelled, timed out, out of memory, node lost).
      for (const j of jobs) {
        if (finished.has(j.key)) continue;
        const log = logFile(runDir, j.task);
        await work.store.writeResult(failedResult(j.job, `slurm task ${j.task} ended without writing a result (cancelled, out of time or memory, or its node failed); log: ${log}`, j.dataHash));
        progress.tick(jobLabel(j.key), false);
      }
      progress.end();
      return out;
    } finally {
      process.off('SIGINT', onSigint);
    }
  }

  /** After the preparation array: the probe replies say whether the nodes see the run folder and could start the backend. */
  private async checkPrepared(runDir: string, sub: Submission, out: GridOutcome): Promise<string | undefined> {
    const replies: { nonce?: string; host?: string; backend?: GridOutcome['backend']; error?: string; startFailure?: string }[] = [];
    for (let i = 0; i < sub.prepare.count; i++) {
      try {
        replies.push(JSON.parse(await readFile(preparedFile(runDir, sub.n, i), 'utf8')));
      } catch {
        /* missing: below */
      }
    }
    const log = logFile(runDir, `${sub.prepare.jobId}_0`);
    if (!replies.some((r) => r.nonce === sub.nonce)) {
      return `feature preparation (slurm job ${sub.prepare.jobId}) ended without its reply in ${slurmDir(runDir)}: ` +
        `either it failed (log: ${log}) or the compute nodes do not see the run folder. The run folder must be on a filesystem ` +
        `every node sees (give --out a shared path); the nodes also need this checkout and ${process.execPath}`;
    }
    const start = replies.find((r) => r.startFailure);
    if (start) {
      out.startFailure = start.startFailure;
      return start.startFailure;
    }
    out.backend ??= replies.find((r) => r.backend)?.backend;
    return undefined;
  }

  private pollMs(): number {
    return this.opts.pollMs ?? (Number(process.env.UDTL_SLURM_POLL_MS) || 2000);
  }

  private async askCancel(sub: Submission): Promise<'cancel' | 'detach'> {
    const question = `\nCtrl-C: cancel this run's slurm jobs (scancel ${submissionJobIds(sub).join(' ')})? Finished results are kept either way. [y/N] `;
    const yes = await (this.opts.confirmCancel ?? askOnStdin)(question);
    return yes ? 'cancel' : 'detach';
  }
}

/** One line from stdin (no answer, a second Ctrl-C or a closed stdin mean no). */
function askOnStdin(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    process.stderr.write(question);
    const rl = createInterface({ input: process.stdin });
    let done = false;
    const finish = (yes: boolean) => {
      if (done) return;
      done = true;
      rl.close();
      process.stdin.pause();
      resolve(yes);
    };
    rl.once('line', (line) => finish(/^\s*y(es)?\s*$/i.test(line)));
    rl.once('close', () => finish(false));
    rl.once('SIGINT', () => finish(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function writeRecord(runDir: string, record: SlurmRecord): Promise<void> {
  await atomicWriteFile(recordFile(runDir), JSON.stringify(record, null, 2));
}

async function readTaskListOf(runDir: string, n: number): Promise<TaskList> {
  return JSON.parse(await readFile(tasksFile(runDir, n), 'utf8')) as TaskList;
}
