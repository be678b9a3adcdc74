import { execFile } from 'node:child_process';

/**
 * The thin adapter over Slurm's command-line tools (no maintained Node client exists; slurmrestd's
 * API versions differ by release). Every call is execFile with an argument array: no shell.
 */
export interface ClusterInfo {
  /** ClusterName from `scontrol show config`, or null when scontrol is not available. */
  name: string | null;
  /** Array indices must be below this (Slurm's default: 1001). */
  maxArraySize: number;
}

/** Terminal job states; any other state (PENDING, RUNNING, REQUEUED, COMPLETING, …) is still in the queue. */
const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE', 'SPECIAL_EXIT', 'REVOKED']);

export const isActive = (state: string): boolean => !ENDED.has(state.replace(/\+$/, '').split(' ')[0]);

function exec(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`${cmd} not found on PATH: the slurm executor runs on a machine that can submit Slurm jobs (a login node)`));
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

async function run(cmd: string, args: string[]): Promise<string> {
  const r = await exec(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** `sbatch --version`: throws a clear error when Slurm's tools are not here. */
export async function slurmVersion(): Promise<string> {
  return (await run('sbatch', ['--version'])).trim();
}

/** ClusterName and MaxArraySize from `scontrol show config` (defaults when scontrol is absent or says nothing). */
export async function clusterInfo(): Promise<ClusterInfo> {
  let text = '';
  try {
    text = await run('scontrol', ['show', 'config']);
  } catch {
    /* no scontrol (or no permission): Slurm's defaults */
  }
  const value = (key: string) => text.match(new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm'))?.[1];
  const max = Number(value('MaxArraySize'));
  return { name: value('ClusterName') ?? null, maxArraySize: Number.isInteger(max) && max > 0 ? max : 1001 };
}

/** Submit; returns the job id (`--parsable` prints `id` or `id;cluster`). */
export async function sbatch(args: string[]): Promise<string> {
  const out = (await run('sbatch', ['--parsable', ...args])).trim();
  const id = out.split('\n').pop()!.split(';')[0];
  if (!/^\d+$/.test(id)) throw new Error(`sbatch printed '${out}', not a job id`);
  return id;
}

/**
 * State per array task (`<jobId>_<index>` → `RUNNING`, …) of the given jobs, one line per task
 * (`-r`), including tasks that ended within MinJobAge (`-t all`). Jobs Slurm no longer knows are
 * simply absent (squeue exits 1 with "Invalid job id" when it knows none of them).
 */
export async function queueStates(jobIds: string[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  if (!jobIds.length) return states;
  const r = await exec('squeue', ['-h', '-r', '-t', 'all', '-j', jobIds.join(','), '-o', '%i %T']);
  if (r.code !== 0) {
    if (/invalid job id/i.test(r.stderr)) return states;
    throw new Error(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  for (const line of r.stdout.split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    if (id && state) states.set(id, state);
  }
  return states;
}

/** Cancel jobs or array tasks (`id` or `id_index`). */
export async function scancel(ids: string[]): Promise<void> {
  if (ids.length) await run('scancel', ids);
}
