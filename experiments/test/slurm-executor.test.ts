import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { arraySpec, chunks, sbatchArguments } from '../src/executors/slurm.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const FAKE = fileURLToPath(new URL('./helpers/fake-slurm.mjs', import.meta.url));

/** A PATH whose sbatch/squeue/scancel/scontrol are the fake, with its state in a fresh folder. */
function fakeSlurm(extra: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'udtl-fake-slurm-'));
  const bin = join(root, 'bin');
  const state = join(root, 'state');
  mkdirSync(bin);
  mkdirSync(state);
  for (const cmd of ['sbatch', 'squeue', 'scancel', 'scontrol']) {
    writeFileSync(join(bin, cmd), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" ${cmd} "$@"\n`);
    chmodSync(join(bin, cmd), 0o755);
  }
  const env = {
    ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_SLURM_DIR: state, UDTL_SLURM_POLL_MS: '100',
    UDTL_CACHE_DIR: join(tmpdir(), 'udtl-test-cache'), ...extra,
  };
  const calls = () => readFileSync(join(state, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { cmd: string; args: string[] });
  const queue = () => JSON.parse(readFileSync(join(state, 'queue.json'), 'utf8')) as Record<string, string>;
  const setQueue = (q: Record<string, string>) => writeFileSync(join(state, 'queue.json'), JSON.stringify(q));
  return { root, env, calls, queue, setQueue };
}

/** Three folds × two budgets of a fast baseline: 3 groups, 6 jobs. */
function writeConfig(dir: string): string {
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({
    name: 'fake', datasets: ['mednist-tiny'], methods: [{ id: 'intensity-histogram', package: '@udtl/baseline-histogram' }],
    folds: 3, budgets: [2, 'all'], seeds: [0], inputSize: 32,
  }));
  return file;
}

const cli = (args: string[], env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
const runDirIn = (out: string) => join(out, readdirSync(out).find((d) => d.startsWith('fake-'))!);
const values = (dir: string) => readFileSync(join(dir, 'results.csv'), 'utf8').split('\n').filter((l) => !/fit_seconds|predict_seconds/.test(l)).sort();

describe('slurm executor: sbatch arguments', () => {
  it('puts resources, dependency and the extra arguments (last) in one argument array', () => {
    const args = sbatchArguments(
      { partition: 'gpu', time: '01:00:00', mem: '8G', cpusPerTask: 4, gres: 'gpu:1', sbatchArgs: ['--account=lab', '--qos=short'] },
      { name: 'udtl-x', logs: '/r/slurm/logs', array: arraySpec(30, 5), dependency: '41', chdir: '/repo' },
    );
    expect(args).toEqual([
      '--job-name=udtl-x', '--array=0-29%5', '--output=/r/slurm/logs/%A_%a.out', '--open-mode=append', '--chdir=/repo',
      '--dependency=afterok:41', '--kill-on-invalid-dep=yes',
      '--partition=gpu', '--time=01:00:00', '--mem=8G', '--cpus-per-task=4', '--gres=gpu:1', '--account=lab', '--qos=short',
    ]);
    expect(arraySpec(1)).toBe('0-0');
  });

  it('chunks a job list at MaxArraySize', () => {
    expect(chunks(2500, 1001)).toEqual([{ offset: 0, count: 1001 }, { offset: 1001, count: 1001 }, { offset: 2002, count: 498 }]);
    expect(chunks(3, 1001)).toEqual([{ offset: 0, count: 3 }]);
  });
});

describe('slurm executor through fake sbatch/squeue/scancel', () => {
  it('submits preparation then chunked arrays that depend on it; results equal the local executor\'s; resubmits only what is missing', () => {
    const fake = fakeSlurm({ FAKE_SLURM_RUN: '1', FAKE_SLURM_MAX_ARRAY: '2' });
    const config = writeConfig(fake.root);
    const out = join(fake.root, 'slurm-out');
    const r = cli(['run', '--config', config, '--out', out, '--executor', 'slurm', '--max-concurrent', '1', '--partition', 'p', '--sbatch-arg=--account=lab'], fake.env);
    expect(r.status, r.stderr).toBe(0);
    const runDir = runDirIn(out);
    const sbatch = fake.calls().filter((c) => c.cmd === 'sbatch' && c.args[0] !== '--version');
    expect(sbatch).toHaveLength(3); // preparation + 3 groups in chunks of 2
    const [prep, first, second] = sbatch.map((c) => c.args);
    expect(prep).toContain('--array=0-0');
    expect(prep.slice(prep.indexOf(join(runDir, 'slurm', 'task.sh')) + 1)).toEqual([process.execPath, CLI, 'task', runDir, '--list', 'tasks-1.json', '--prepare']);
    expect(first).toEqual(expect.arrayContaining(['--array=0-1%1', '--dependency=afterok:100', '--kill-on-invalid-dep=yes', '--partition=p']));
    expect(first.at(first.indexOf(join(runDir, 'slurm', 'task.sh')) - 1)).toBe('--account=lab');
    expect(first.slice(-2)).toEqual(['--offset', '0']);
    expect(second).toContain('--array=0-0%1');
    expect(second.slice(-2)).toEqual(['--offset', '2']);

    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: true, jobs: { total: 6, done: 6 }, executor: { name: 'slurm', cluster: 'fake', arrays: ['101', '102'] } });
    const record = JSON.parse(readFileSync(join(runDir, 'slurm', 'submissions.json'), 'utf8'));
    expect(record.submissions[0]).toMatchObject({ prepare: { jobId: '100', count: 1 }, arrays: [{ jobId: '101', offset: 0, count: 2 }, { jobId: '102', offset: 2, count: 1 }] });

    const local = cli(['run', '--config', config, '--out', join(fake.root, 'local-out'), '--workers', '1'], fake.env);
    expect(local.status, local.stderr).toBe(0);
    expect(values(runDir)).toEqual(values(runDirIn(join(fake.root, 'local-out'))));

    // Two jobs lose their result (one file deleted, one turned into a failure): only their group(s) go again.
    const jobs = readdirSync(join(runDir, 'jobs')).filter((f) => f.includes('_f1_')).sort();
    expect(jobs).toHaveLength(2);
    rmSync(join(runDir, 'jobs', jobs[0]));
    const failed = JSON.parse(readFileSync(join(runDir, 'jobs', jobs[1]), 'utf8'));
    writeFileSync(join(runDir, 'jobs', jobs[1]), JSON.stringify({ ...failed, status: 'failed', error: 'boom' }));
    const again = cli(['run', '--config', config, '--out', out, '--executor', 'slurm'], fake.env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/6 jobs, 4 already done, 2 to run/);
    const tasks2 = JSON.parse(readFileSync(join(runDir, 'slurm', 'tasks-2.json'), 'utf8'));
    expect(tasks2.groups.map((g: { group: { fold: number; cells: unknown[] } }) => [g.group.fold, g.group.cells.length])).toEqual([[1, 2]]);
    expect(values(runDir)).toEqual(values(runDirIn(join(fake.root, 'local-out'))));
    // Nothing missing: nothing submitted.
    const before = fake.calls().length;
    const third = cli(['run', '--config', config, '--out', out, '--executor', 'slurm'], fake.env);
    expect(third.status, third.stderr).toBe(0);
    expect(fake.calls().slice(before).filter((c) => c.cmd === 'sbatch' && c.args[0] !== '--version')).toHaveLength(0);
  }, 180_000);

  it('reattaches to queued tasks instead of resubmitting, reports status, and asks before scancel on Ctrl-C', async () => {
    const fake = fakeSlurm({ FAKE_SLURM_RUN: '1' });
    const config = writeConfig(fake.root);
    const out = join(fake.root, 'out');
    expect(cli(['run', '--config', config, '--out', out, '--executor', 'slurm'], fake.env).status).toBe(0);
    const runDir = runDirIn(out);
    // As if group 0 were still queued and task 1 had been cancelled before writing its results.
    const group0 = readdirSync(join(runDir, 'jobs')).filter((f) => f.includes('_f0_'));
    const group1 = readdirSync(join(runDir, 'jobs')).filter((f) => f.includes('_f1_'));
    for (const f of [...group0, ...group1]) rmSync(join(runDir, 'jobs', f));
    fake.setQueue({ ...fake.queue(), '101_0': 'PENDING', '101_1': 'CANCELLED' });

    const status = cli(['status', runDir], fake.env);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/6 jobs: 2 done, 0 failed, 0 running, 2 pending, 2 lost/);
    expect(status.stdout).toMatch(/pending +mednist-tiny intensity-histogram · fold 0 · repeat 0 · 2\/class · seed 0 +task 101_0 PENDING/);
    expect(status.stdout).toContain(`lost     mednist-tiny intensity-histogram · fold 1 · repeat 0 · all labels · seed 0  left the queue as CANCELLED without a result; task 101_1, log ${join(runDir, 'slurm', 'logs', '101_1.out')}`);

    const before = fake.calls().length;
    const child = spawn(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--executor', 'slurm'], { env: fake.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const waitFor = async (re: RegExp) => {
      for (const end = Date.now() + 60_000; !re.test(stderr) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      expect(stderr).toMatch(re);
    };
    await waitFor(/reattaching to submission 1/);
    // The queued task runs now (by hand here): it skips nothing, writes its two results; the run sees them.
    const task = cli(['task', runDir, '--list', 'tasks-1.json', '--offset', '0', '--index', '0'], fake.env);
    expect(task.status, task.stderr).toBe(0);
    // A requeued task finds its results and exits at once.
    const requeued = cli(['task', runDir, '--list', 'tasks-1.json', '--offset', '0', '--index', '0'], fake.env);
    expect(requeued.stdout).toMatch(/all 2 job\(s\) of this task have results; nothing to do/);
    await waitFor(/2\/4 jobs/);
    // Ctrl-C: the question, answered no: the tasks are left running, nothing cancelled.
    child.kill('SIGINT');
    await waitFor(/cancel this run's slurm jobs \(scancel 100 101\)\?/);
    child.stdin.end('n\n');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/left running: 1 task\(s\)/);
    const calls = fake.calls().slice(before);
    expect(calls.filter((c) => c.cmd === 'sbatch' && c.args[0] !== '--version')).toHaveLength(0);
    expect(calls.filter((c) => c.cmd === 'scancel')).toHaveLength(0);

    // A second Ctrl-C instead of an answer also leaves them running (stdin left open).
    const twice = spawn(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--executor', 'slurm'], { env: fake.env, stdio: ['pipe', 'pipe', 'pipe'] });
    stderr = '';
    twice.stderr.on('data', (d) => (stderr += d));
    const exitedTwice = new Promise<number | null>((r) => twice.on('exit', r));
    await waitFor(/reattaching to submission 1/);
    twice.kill('SIGINT');
    await waitFor(/\[y\/N\]/);
    twice.kill('SIGINT');
    expect(await exitedTwice).toBe(130);
    expect(stderr).toMatch(/left running/);
    expect(fake.calls().filter((c) => c.cmd === 'scancel')).toHaveLength(0);

    // Again, answered yes: scancel of the submission's jobs.
    const second = spawn(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--executor', 'slurm'], { env: fake.env, stdio: ['pipe', 'pipe', 'pipe'] });
    stderr = '';
    second.stderr.on('data', (d) => (stderr += d));
    const exited2 = new Promise<number | null>((r) => second.on('exit', r));
    await waitFor(/reattaching to submission 1/);
    second.kill('SIGINT');
    await waitFor(/\[y\/N\]/);
    second.stdin.end('y\n');
    expect(await exited2).toBe(130);
    expect(fake.calls().filter((c) => c.cmd === 'scancel').at(-1)?.args).toEqual(['100', '101']);
    expect(fake.queue()['101_0']).toBe('CANCELLED');

    // Nothing queued any more: the next run submits the 2 jobs still missing (group 1's) only, and finishes.
    const last = cli(['run', '--config', config, '--out', out, '--executor', 'slurm'], fake.env);
    expect(last.status, last.stderr).toBe(0);
    expect(last.stderr).toMatch(/6 jobs, 4 already done, 2 to run/);
    const tasks2 = JSON.parse(readFileSync(join(runDir, 'slurm', 'tasks-2.json'), 'utf8'));
    expect(tasks2.groups.map((g: { group: { fold: number } }) => g.group.fold)).toEqual([1]);
    expect(JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'))).toMatchObject({ complete: true, executor: { arrays: ['101', '103'] } });
  }, 180_000);

  it('fails with a clear message when the nodes do not see the run folder, and cancels the arrays', () => {
    const fake = fakeSlurm({ FAKE_SLURM_RUN: '1', FAKE_SLURM_NOSHARE: '1' });
    const r = cli(['run', '--config', writeConfig(fake.root), '--out', join(fake.root, 'out'), '--executor', 'slurm'], fake.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/feature preparation \(slurm job 100\) ended without its reply/);
    expect(r.stderr).toMatch(/must be on a filesystem every node sees/);
    expect(fake.calls().find((c) => c.cmd === 'scancel')?.args).toEqual(['100', '101']);
  }, 120_000);

  it('takes executor settings from the config (flags win) without changing the run folder', () => {
    const fake = fakeSlurm({ FAKE_SLURM_RUN: '1' });
    const plain = JSON.parse(readFileSync(writeConfig(fake.root), 'utf8'));
    const file = join(fake.root, 'slurm.json');
    writeFileSync(file, JSON.stringify({ ...plain, executor: 'slurm', slurm: { partition: 'a', maxConcurrent: 3, mem: '2G', sbatchArgs: ['--qos=x'] } }));
    const out = join(fake.root, 'out');
    const r = cli(['run', '--config', file, '--out', out, '--partition', 'b'], fake.env);
    expect(r.status, r.stderr).toBe(0);
    const array = fake.calls().filter((c) => c.cmd === 'sbatch' && c.args[0] !== '--version')[1].args;
    expect(array).toEqual(expect.arrayContaining(['--partition=b', '--array=0-2%3', '--mem=2G', '--qos=x']));
    expect(array).not.toContain('--partition=a');
    // The same folder as the config without executor settings: where jobs run does not change results.
    const local = cli(['run', '--config', join(fake.root, 'c.json'), '--out', out], fake.env);
    expect(local.stderr).toMatch(/6 jobs, 6 already done, 0 to run/);
    expect(readdirSync(out).filter((d) => d.startsWith('fake-'))).toHaveLength(1);
  }, 120_000);

  it('says so before any preflight when sbatch is not on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-no-slurm-'));
    mkdirSync(join(dir, 'empty-bin'));
    const r = cli(['run', '--config', writeConfig(dir), '--out', join(dir, 'out'), '--executor', 'slurm'], { ...process.env, PATH: join(dir, 'empty-bin') });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/sbatch not found on PATH/);
    expect(r.stderr).not.toMatch(/preflight/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('the local executor refuses a run folder whose slurm tasks are still queued', () => {
    const fake = fakeSlurm({ FAKE_SLURM_RUN: '1' });
    const config = writeConfig(fake.root);
    const out = join(fake.root, 'out');
    expect(cli(['run', '--config', config, '--out', out, '--executor', 'slurm'], fake.env).status).toBe(0);
    fake.setQueue({ ...fake.queue(), '101_2': 'RUNNING' });
    const r = cli(['run', '--config', config, '--out', out], fake.env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 slurm task\(s\) of this run folder are still queued or running \(101_2\): run with --executor slurm/);
  }, 120_000);
});
