import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { atomicWriteFile } from '@udtl/datasets';
import type { JobResult } from '@udtl/results';
import type { GroupTask } from '../execute.js';
import { openExecutor } from '../executors/open.js';
import { preparedFile, readTaskList } from '../executors/slurm-files.js';
import { RunStore } from '../store.js';
import { checkFlags, checkPositional, flag, parseArgs } from './args.js';

export const summary = 'run one task of a run folder\'s job list (what each slurm array task runs; not for use by hand)';

const USAGE = 'usage: udtl task <runDir> --list <tasks-N.json> --index i [--offset n | --prepare]';

/**
 * One slurm array task. `--prepare`: answer the shared-filesystem probe, then compute dataset
 * `index`'s features. Otherwise: run group `offset + index` of the list; jobs whose result is
 * already there (a requeued task) are skipped, so the task is idempotent. Exit 0 when every job
 * has a result, 3 when one of them failed, 2 when the task cannot run at all.
 */
export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, ['prepare']);
  checkFlags(p, ['list', 'index', 'offset', 'prepare']);
  checkPositional(p, 1, USAGE);
  const runDir = p.positional[0];
  const listName = flag(p, 'list');
  const index = Number(flag(p, 'index'));
  const offset = Number(flag(p, 'offset') ?? 0);
  if (!runDir || !listName || !Number.isInteger(index) || index < 0 || !Number.isInteger(offset)) throw new Error(USAGE);
  const listPath = resolve(runDir, 'slurm', listName);
  const restart = process.env.SLURM_RESTART_COUNT;
  console.log(`udtl task ${listName} ${flag(p, 'prepare') ? 'prepare' : 'group'} ${offset + index} on ${hostname()}${restart && restart !== '0' ? ` (restart ${restart})` : ''}`);
  if (!existsSync(listPath)) {
    console.error(`udtl task: ${listPath} is not visible on ${hostname()}: the run folder must be on a filesystem every node sees`);
    return 2;
  }
  const list = await readTaskList(listPath);
  // Native engines use the cores Slurm gave this task, not every core of the node.
  process.env.UDTL_ENGINE_THREADS ??= process.env.SLURM_CPUS_PER_TASK ?? '1';
  const code = await (flag(p, 'prepare') ? prepare(list, listPath, index) : group(list, offset + index));
  // A native engine's threads must not keep a finished task (and its Slurm allocation) alive.
  setTimeout(() => process.exit(code), 2000).unref();
  return code;
}

async function prepare(list: Awaited<ReturnType<typeof readTaskList>>, listPath: string, index: number): Promise<number> {
  const n = Number(listPath.match(/tasks-(\d+)\.json$/)?.[1]);
  const probe = join(dirname(listPath), `probe-${n}.json`);
  const { nonce } = JSON.parse(await readFile(probe, 'utf8')) as { nonce: string };
  const reply = (extra: Record<string, unknown>) => atomicWriteFile(preparedFile(list.env.runDir, n, index), JSON.stringify({ nonce, host: hostname(), ...extra }));
  const task = list.prepare[index];
  if (!task) {
    console.error(`udtl task: no preparation task ${index} in ${listPath} (it has ${list.prepare.length})`);
    return 2;
  }
  let opened;
  try {
    opened = await openExecutor(list.env);
  } catch (err) {
    const startFailure = `worker failed to start on ${hostname()}: ${(err as Error).message}`;
    console.error(startFailure);
    await reply({ startFailure });
    return 2;
  }
  try {
    await opened.executor.prepare(task, (m) => console.log(`  ${m}`));
    await reply({ backend: opened.backend });
  } catch (err) {
    // As with local workers: the jobs compute what they need themselves.
    console.error(`prepare ${task.dataset} failed: ${(err as Error).message} (its jobs will compute what they need)`);
    await reply({ backend: opened.backend, error: (err as Error).message });
  }
  return 0;
}

async function group(list: Awaited<ReturnType<typeof readTaskList>>, at: number): Promise<number> {
  const entry = list.groups[at];
  if (!entry) {
    console.error(`udtl task: no group ${at} in the job list (it has ${list.groups.length})`);
    return 2;
  }
  const store = new RunStore(list.env.runDir);
  // Idempotent: a job whose result (of this data) exists is not run again.
  const cells = entry.group.cells.filter(({ budget, draw }) => !usable(store.jobPath({ ...entry.group, budget, draw }), entry.dataHash));
  if (!cells.length) {
    console.log(`all ${entry.group.cells.length} job(s) of this task have results; nothing to do`);
    return 0;
  }
  if (cells.length < entry.group.cells.length) console.log(`${entry.group.cells.length - cells.length} job(s) already have results; running ${cells.length}`);
  const { executor } = await openExecutor(list.env);
  const task: GroupTask = { kind: 'group', group: { ...entry.group, cells }, fold: list.folds[entry.fold], dataHash: entry.dataHash };
  let failed = 0;
  await executor.runGroup(task, (r) => {
    if (r.status !== 'ok') failed++;
    console.log(`${r.key} ${r.status}${r.error ? `: ${r.error}` : ` accuracy ${r.metrics.accuracy?.toFixed(3)}`}`);
  }, (m) => console.log(`  ${m}`));
  executor.dispose();
  return failed ? 3 : 0;
}

function usable(file: string, dataHash: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as JobResult;
    return r.status === 'ok' && r.dataHash === dataHash;
  } catch {
    return false;
  }
}
