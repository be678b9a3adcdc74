import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The example baseline package through the runner: no edit of the runner, only a config naming the package. */
function writeConfig(dir: string, name = 'resume'): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    name,
    datasets: ['mednist-tiny'],
    methods: [{ id: 'intensity-histogram', package: '@udtl/baseline-histogram' }],
    folds: 3,
    budgets: [2, 'all'],
    seeds: [0, 1],
    inputSize: 32,
  }));
  return file;
}

const env = (extra: Record<string, string> = {}) => ({ ...process.env, UDTL_CACHE_DIR: join(tmpdir(), 'udtl-test-cache'), ...extra });

describe('runner: resumable runs of a user-added baseline package', () => {
  it('a run killed half-way resumes, keeps what was done, and ends with every job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-resume-'));
    const config = writeConfig(dir);
    const out = join(dir, 'results');
    const child = spawn(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--workers', '1'], {
      env: env({ UDTL_JOB_DELAY_MS: '400' }),
      stdio: 'ignore',
    });
    const runDirOf = () => (existsSync(out) ? readdirSync(out).find((d) => d.startsWith('resume-')) : undefined);
    const jobFiles = () => {
      const r = runDirOf();
      return r && existsSync(join(out, r, 'jobs')) ? readdirSync(join(out, r, 'jobs')).filter((f) => f.endsWith('.json')) : [];
    };
    const deadline = Date.now() + 60_000;
    while (jobFiles().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const before = jobFiles();
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(12);
    const runDir = join(out, runDirOf()!);
    const saved = new Map(before.map((f) => [f, readFileSync(join(runDir, 'jobs', f), 'utf8')]));

    const again = spawnSync(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--workers', '1'], { env: env(), encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`12 jobs, ${before.length} already done, ${12 - before.length} to run`));
    // What was done before the kill is kept byte for byte, not recomputed.
    for (const [f, text] of saved) expect(readFileSync(join(runDir, 'jobs', f), 'utf8')).toBe(text);
    const results = parse(readFileSync(join(runDir, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const accuracy = results.filter((r) => r.metric === 'accuracy');
    expect(accuracy).toHaveLength(12);
    // 6 classes: an intensity histogram is far above chance (1/6) on MedNIST modalities.
    const mean = accuracy.reduce((s, r) => s + Number(r.value), 0) / accuracy.length;
    expect(mean).toBeGreaterThan(0.5);
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: true, jobs: { total: 12, done: 12, failed: 0 }, sessions: 2 });
    expect(manifest.backend.name).toMatch(/wasm|cpu|tensorflow/);
    expect(readFileSync(join(runDir, 'predictions.csv'), 'utf8').split('\n')[0]).toMatch(/^dataset,method,fold,repeat,budget,seed,draw,sample_id,true,pred,p_/);
    expect(existsSync(join(out, 'latest', 'results.csv'))).toBe(true);

    // Same config again: nothing to run. A changed config: a new folder, nothing reused.
    const third = spawnSync(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--workers', '1'], { env: env(), encoding: 'utf8' });
    expect(third.stderr).toMatch(/12 jobs, 12 already done, 0 to run/);
    const changed = JSON.parse(readFileSync(config, 'utf8'));
    writeFileSync(config, JSON.stringify({ ...changed, seeds: [0] }));
    const fourth = spawnSync(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--workers', '1'], { env: env(), encoding: 'utf8' });
    expect(fourth.status, fourth.stderr).toBe(0);
    expect(fourth.stderr).toMatch(/6 jobs, 0 already done, 6 to run/);
  }, 240_000);

  it('an unknown method is an error that lists the known ones, before anything runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-bad-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', datasets: ['mednist-tiny'], methods: ['no-such-method'] }));
    const r = spawnSync(process.execPath, [CLI, 'run', '--config', file, '--out', join(dir, 'results')], { env: env(), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/no-such-method/);
    expect(r.stderr).toMatch(/zero-bias-cae/);
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });
});
