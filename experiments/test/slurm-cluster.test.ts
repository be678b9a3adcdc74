/**
 * The slurm executor on a real one-node Slurm cluster on loopback, started here by
 * experiments/slurm/start.sh (needs root and Debian's slurmctld slurmd slurm-client munge) and
 * stopped by PID. Skipped with the reason when those are missing, unless UDTL_REQUIRE_SLURM=1
 * (CI), which makes a missing cluster a failure.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFileId, groupJobs } from '../src/jobs.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SLURM = fileURLToPath(new URL('../slurm/', import.meta.url));

function missing(): string | undefined {
  const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  const absent = ['slurmctld', 'slurmd', 'munged', 'sbatch'].filter((t) => !has(t));
  if (absent.length) return `${absent.join(', ')} not installed (apt-get install slurmctld slurmd slurm-client munge)`;
  if (process.getuid?.() !== 0) return 'not root (slurmd must run as root)';
  return undefined;
}
const reason = missing();
if (reason && process.env.UDTL_REQUIRE_SLURM === '1') throw new Error(`UDTL_REQUIRE_SLURM=1 but the Slurm integration test cannot run: ${reason}`);
if (reason) console.warn(`skipping the Slurm cluster test: ${reason}`);

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

describe.skipIf(Boolean(reason))('slurm executor on a one-node cluster', () => {
  let state: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), 'udtl-slurm-cluster-'));
    const ports = { UDTL_SLURM_CTLD_PORT: String(await freePort()), UDTL_SLURM_SLURMD_PORT: String(await freePort()) };
    execFileSync(join(SLURM, 'start.sh'), [state], { env: { ...process.env, ...ports }, stdio: ['ignore', 'ignore', 'inherit'] });
    env = { ...process.env, SLURM_CONF: join(state, 'slurm.conf'), UDTL_CACHE_DIR: join(tmpdir(), 'udtl-test-cache'), UDTL_SLURM_POLL_MS: '300' };
  });

  afterAll(() => {
    const pids = ['munged.pid', 'slurmctld.daemon.pid', 'slurmd.daemon.pid'].filter((f) => existsSync(join(state, f))).map((f) => Number(readFileSync(join(state, f), 'utf8')));
    execFileSync(join(SLURM, 'stop.sh'), [state], { stdio: 'inherit' });
    // Every daemon this test started is gone.
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    rmSync(state, { recursive: true, force: true });
  });

  const cli = (args: string[], extra: Record<string, string> = {}) => spawnSync(process.execPath, [CLI, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
  const resultValues = (runDir: string) => readFileSync(join(runDir, 'results.csv'), 'utf8').split('\n').filter((l) => !/fit_seconds|predict_seconds/.test(l)).sort();

  it('the quick config through the slurm executor gives the local executor\'s results.csv', () => {
    const out = mkdtempSync(join(tmpdir(), 'udtl-slurm-quick-'));
    let t = Date.now();
    const local = cli(['run', '--quick', '--out', join(out, 'local')]);
    const localSeconds = (Date.now() - t) / 1000;
    expect(local.status, local.stderr).toBe(0);
    t = Date.now();
    const slurm = cli(['run', '--quick', '--out', join(out, 'slurm'), '--executor', 'slurm']);
    const slurmSeconds = (Date.now() - t) / 1000;
    expect(slurm.status, slurm.stderr).toBe(0);
    console.log(`quick config (60 jobs, 30 array tasks): local executor ${localSeconds.toFixed(1)} s, slurm on the one-node cluster ${slurmSeconds.toFixed(1)} s`);
    const localDir = join(out, 'local', 'latest'), slurmDir = join(out, 'slurm', 'latest');
    expect(resultValues(slurmDir)).toEqual(resultValues(localDir));
    expect(resultValues(slurmDir).filter((l) => l.includes(',accuracy,'))).toHaveLength(60);
    const manifest = JSON.parse(readFileSync(join(slurmDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: true, jobs: { total: 60, done: 60, failed: 0 }, executor: { name: 'slurm', cluster: 'udtl-loopback' } });
    expect(manifest.executor.arrays).toHaveLength(1);
  }, 1_200_000);

  it('a requeued task reruns idempotently; a cancelled task and a killed udtl run resume with a second run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-slurm-resume-'));
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({
      name: 'cluster', datasets: ['mednist-tiny'], methods: [{ id: 'intensity-histogram', package: '@udtl/baseline-histogram' }],
      folds: 3, budgets: [2, 'all'], seeds: [0, 1], inputSize: 32,
    }));
    const out = join(dir, 'out');
    const args = ['run', '--config', config, '--out', out, '--executor', 'slurm', '--max-concurrent', '2'];
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, UDTL_JOB_DELAY_MS: '3000' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((r) => child.on('exit', r));

    const until = async <T>(what: string, probe: () => T | undefined, ms = 120_000): Promise<T> => {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
        const v = probe();
        if (v !== undefined) return v;
      }
      throw new Error(`timed out waiting for ${what}\n${stderr}`);
    };
    const runDir = await until('the run folder', () => (existsSync(out) ? readdirSync(out).map((d) => join(out, d)).find((d) => existsSync(join(d, 'slurm', 'submissions.json'))) : undefined));
    const record = () => JSON.parse(readFileSync(join(runDir, 'slurm', 'submissions.json'), 'utf8'));
    const arrayId = await until('the array id', () => record().submissions[0]?.arrays[0]?.jobId as string | undefined);
    const list = JSON.parse(readFileSync(join(runDir, 'slurm', 'tasks-1.json'), 'utf8'));
    const files = list.groups.map((g: { group: Parameters<typeof groupJobs>[0] }) => groupJobs(g.group).map((j) => join(runDir, 'jobs', `${jobFileId(j)}.json`)));
    const halfDone = (skip: number) => files.findIndex((f: string[], i: number) => i !== skip && existsSync(f[0]) && !existsSync(f[1]));

    // A running task with one of its two results: requeue it (it is killed and starts again).
    const requeued = await until('a task half-way', () => (halfDone(-1) >= 0 ? halfDone(-1) : undefined));
    const firstResult = readFileSync(files[requeued][0], 'utf8');
    execFileSync('scontrol', ['requeue', `${arrayId}_${requeued}`], { env });
    // A requeued task waits ~2 minutes (BeginTime) once pending again: start it now instead.
    const stateOf = (task: string) => execFileSync('squeue', ['-h', '-r', '-t', 'all', '-j', task, '-o', '%T %r'], { env, encoding: 'utf8' }).trim();
    await until('the requeued task to be pending', () => (/^PENDING BeginTime/.test(stateOf(`${arrayId}_${requeued}`)) ? true : undefined), 30_000);
    execFileSync('scontrol', ['update', `JobId=${arrayId}_${requeued}`, 'StartTime=now'], { env });
    // Another task half-way: cancel it, then kill the udtl run itself.
    const cancelled = await until('another task half-way', () => (halfDone(requeued) >= 0 ? halfDone(requeued) : undefined));
    execFileSync('scancel', [`${arrayId}_${cancelled}`], { env });
    child.kill('SIGKILL');
    await exited;

    // The second run reattaches (the array is still going) and ends with the cancelled task's job missing.
    const t = Date.now();
    const second = cli(args);
    console.log(`second run (reattached) waited ${((Date.now() - t) / 1000).toFixed(1)} s`);
    expect(second.stderr).toMatch(/reattaching to submission 1/);
    expect(second.status, second.stderr).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`slurm task ${arrayId}_${cancelled} ended without writing a result`));
    expect(readFileSync(files[requeued][0], 'utf8')).toBe(firstResult); // the requeued task did not redo its first job
    const log = readFileSync(join(runDir, 'slurm', 'logs', `${arrayId}_${requeued}.out`), 'utf8');
    expect(log).toMatch(/\(restart 1\)/);
    expect(log).toMatch(/1 job\(s\) already have results; running 1/);
    const status = cli(['status', runDir]);
    expect(status.stdout).toMatch(/12 jobs: 11 done, 1 failed/);

    // The third submits only that job, and the run is complete.
    const third = cli(args);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/12 jobs, 11 already done, 1 to run/);
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: true, jobs: { total: 12, done: 12, failed: 0 } });
    expect(manifest.executor.arrays).toHaveLength(2);
    rmSync(dir, { recursive: true, force: true });
  }, 600_000);
});
