import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { projectRoot } from '@udtl/datasets';
import { queueStates } from '../executors/slurm-cli.js';
import { logFile, readRecord, submissionJobIds, submissionJobs, tasksFile, readTaskList } from '../executors/slurm-files.js';
import { jobLabel } from '@udtl/results';
import { RunStore } from '../store.js';
import { checkFlags, checkPositional, flag, parseArgs } from './args.js';

export const summary = 'where a run stands: done/pending/running/failed per job, with failed slurm tasks\' logs (status <runDir> [--all])';

const USAGE = 'usage: udtl status <runDir | run name under results/> [--all]';

type State = 'done' | 'failed' | 'running' | 'pending' | 'lost' | 'not run';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ['all']);
  checkFlags(p, ['all']);
  checkPositional(p, 1, USAGE);
  if (!p.positional[0]) throw new Error(USAGE);
  const runDir = [resolve(p.positional[0]), join(projectRoot(), 'results', p.positional[0])].find((d) => existsSync(join(d, 'manifest.json')));
  if (!runDir) throw new Error(`no run folder (with a manifest.json) at '${p.positional[0]}'\n${USAGE}`);
  const lines = await statusLines(runDir, Boolean(flag(p, 'all')));
  console.log(lines.join('\n'));
  return 0;
}

/** The status report of a run folder: a summary line, then one line per job (only unfinished ones unless `all`). */
export async function statusLines(runDir: string, all: boolean): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as { runId: string; jobs: { total: number }; executor?: { name: string; cluster?: string | null } };
  const results = new Map((await new RunStore(runDir).readResults()).map((r) => [r.key, r]));
  const rows: { key: string; state: State; detail: string }[] = [];
  const record = await readRecord(runDir);
  const last = record?.submissions.at(-1);
  let where = manifest.executor?.name ?? 'local';
  const listed = new Set<string>();
  if (last && existsSync(tasksFile(runDir, last.n))) {
    // Jobs of the latest submission: state from their result file, else from squeue.
    const states = await queueStates(submissionJobIds(last)).catch(() => new Map<string, string>());
    where = `slurm${record!.cluster ? ` cluster ${record!.cluster}` : ''}, submission ${last.n}: preparation ${last.prepare.jobId}, array${last.arrays.length > 1 ? 's' : ''} ${last.arrays.map((a) => a.jobId).join(', ')}`;
    for (const j of submissionJobs(await readTaskList(tasksFile(runDir, last.n)), last)) {
      listed.add(j.key);
      const r = results.get(j.key);
      const queued = states.get(j.task);
      const log = `task ${j.task}, log ${logFile(runDir, j.task)}`;
      if (r?.status === 'ok') rows.push({ key: j.key, state: 'done', detail: `task ${j.task}` });
      else if (r) rows.push({ key: j.key, state: 'failed', detail: `${r.error ?? ''}; ${log}` });
      else if (queued === 'RUNNING' || queued === 'COMPLETING') rows.push({ key: j.key, state: 'running', detail: log });
      else if (queued && /PENDING|REQUEUE|CONFIGURING|SUSPENDED/.test(queued)) rows.push({ key: j.key, state: 'pending', detail: `task ${j.task} ${queued}` });
      else rows.push({ key: j.key, state: 'lost', detail: `left the queue${queued ? ` as ${queued}` : ''} without a result; ${log}` });
    }
  }
  for (const [key, r] of results) {
    if (!listed.has(key)) rows.push({ key, state: r.status === 'ok' ? 'done' : 'failed', detail: r.error ?? '' });
  }
  const count = (s: State) => rows.filter((r) => r.state === s).length;
  const notRun = Math.max(0, manifest.jobs.total - rows.length);
  const parts = (['done', 'failed', 'running', 'pending', 'lost'] as State[]).filter((s) => last || count(s)).map((s) => `${count(s)} ${s}`);
  if (notRun) parts.push(`${notRun} not run`);
  const out = [`${manifest.runId} (${where}): ${manifest.jobs.total} jobs: ${parts.join(', ')}`];
  const order: State[] = ['failed', 'lost', 'running', 'pending', 'done'];
  for (const s of order) for (const r of rows) if (r.state === s && (all || s !== 'done')) out.push(`${s.padEnd(8)} ${jobLabel(r.key)}  ${r.detail}`.trimEnd());
  return out;
}
