/**
 * Issue 20, items 1–3, 5 (failed jobs) and 7: bad inputs from a new user's session, each with the
 * answer it must get. The runs use the example histogram baseline on the tiny MedNIST fixture
 * (seconds per run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dataRoot } from '@udtl/datasets';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(dataRoot(), 'fixtures', 'medical_mnist_tiny');
const dir = mkdtempSync(join(tmpdir(), 'udtl-inputs-'));
const baseEnv = { ...process.env, UDTL_CACHE_DIR: join(tmpdir(), 'udtl-test-cache') };
const HISTOGRAM = { id: 'intensity-histogram', package: '@udtl/baseline-histogram' };

const udtl = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...baseEnv, ...env }, encoding: 'utf8' });

function writeConfig(name: string, fields: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, folds: 2, budgets: ['all'], inputSize: 32, ...fields }));
  return file;
}

/** A writable copy of the 60-image fixture (6 classes × 10, labels.csv). */
function copyFixture(name: string): string {
  const data = join(dir, name);
  cpSync(FIXTURE, data, { recursive: true });
  const walk = (p: string) => {
    chmodSync(p, 0o755);
    for (const e of readdirSync(p, { withFileTypes: true })) e.isDirectory() ? walk(join(p, e.name)) : chmodSync(join(p, e.name), 0o644);
  };
  walk(data);
  return data;
}

describe('issue 20 item 1: a changed dataset never reuses stale results', () => {
  it('deleting five images (and their labels.csv rows) recomputes the jobs; predictions list only the images that exist', () => {
    const data = copyFixture('stale-data');
    const file = writeConfig('stale', { datasets: [{ id: 'mine', path: data }], methods: [HISTOGRAM] });
    const out = join(dir, 'stale-out');
    const first = udtl(['run', '--config', file, '--out', out, '--workers', '1']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/2 jobs, 0 already done, 2 to run/);
    const gone = ['AbdomenCT/000000.jpeg', 'AbdomenCT/000001.jpeg', 'CXR/000000.jpeg', 'CXR/000001.jpeg', 'Hand/000000.jpeg'];
    for (const g of gone) rmSync(join(data, g));
    const csv = readFileSync(join(data, 'labels.csv'), 'utf8').split('\n').filter((l) => !gone.some((g) => l.startsWith(`${g},`)));
    writeFileSync(join(data, 'labels.csv'), csv.join('\n'));

    const second = udtl(['run', '--config', file, '--out', out, '--workers', '1']);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/dataset 'mine' changed since its 2 result\(s\) in this folder were computed/);
    expect(second.stderr).toMatch(/2 jobs, 0 already done, 2 to run/);
    const predictions = readFileSync(join(out, 'latest', 'predictions.csv'), 'utf8');
    for (const g of gone) expect(predictions).not.toContain(g);
    expect(predictions.trim().split('\n')).toHaveLength(1 + 55); // header + each remaining image tested once over 2 folds
    const manifest = JSON.parse(readFileSync(join(out, 'latest', 'manifest.json'), 'utf8'));
    expect(manifest.datasets[0]).toMatchObject({ id: 'mine', nSamples: 55, dataHash: expect.stringMatching(/^[0-9a-f]{16}$/) });

    const third = udtl(['run', '--config', file, '--out', out, '--workers', '1']);
    expect(third.stderr).toMatch(/2 jobs, 2 already done, 0 to run/);
  }, 120_000);
});

describe('issue 20 item 2: stray positional arguments are errors', () => {
  it('udtl run <config file> (without --config) does not start the default experiment', () => {
    const r = udtl(['run', 'experiments/configs/quick.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unexpected argument 'experiments/configs/quick.json' (did you mean --config experiments/configs/quick.json?)");
    expect(r.stderr).not.toMatch(/jobs,/);
  });

  it('extra words after methods list / backbones list / report <dir>', () => {
    expect(udtl(['methods', 'list', 'extra']).stderr).toContain("unexpected argument 'extra'");
    expect(udtl(['backbones', 'list', 'extra']).stderr).toContain("unexpected argument 'extra'");
    expect(udtl(['report', 'a', 'b']).stderr).toContain("unexpected argument 'b'");
  });
});

describe('issue 20 item 3: udtl report needs a run folder', () => {
  it('refuses a folder that is not a run, writes nothing into it, exits 1', () => {
    const notRun = join(dir, 'not-a-run');
    mkdirSync(notRun);
    writeFileSync(join(notRun, 'notes.txt'), 'hello');
    const r = udtl(['report', notRun]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${notRun} is not a run folder (no manifest.json or jobs/ in it)`);
    expect(readdirSync(notRun)).toEqual(['notes.txt']);
    const missing = udtl(['report', join(dir, 'nowhere')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });
});

describe('issue 20 item 5: failed jobs say why in the terminal', () => {
  it('prints the first distinct errors with how many jobs each stopped', () => {
    // A method package that always fails in fit, imported by file URL like any installed package.
    const core = pathToFileURL(join(ROOT, 'packages/core/dist/index.js')).href;
    const pkg = join(dir, 'failing-method.mjs');
    writeFileSync(pkg, `import { defineMethod, registerMethod, z } from '${core}';
registerMethod(defineMethod({ id: 'always-fails', description: 'test', params: z.object({}), build: (params) => ({ id: 'always-fails', params,
  async fit({ labelled }) { throw new Error(labelled.labels.length > 20 ? 'too many labels for this test method' : 'too few labels for this test method'); } }) }));\n`);
    const file = writeConfig('fails', { datasets: ['mednist-tiny'], methods: ['always-fails'], packages: [pkg], budgets: [2, 'all'] });
    const r = udtl(['run', '--config', file, '--out', join(dir, 'fails-out'), '--workers', '1']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/4 job\(s\) failed:\n {2}2 jobs \(e\.g\. mednist-tiny always-fails · fold 0 · repeat 0 · 2\/class · seed 0\): too few labels for this test method\n {2}2 jobs \(e\.g\. mednist-tiny always-fails · fold 0 · repeat 0 · all labels · seed 0\): too many labels for this test method\nall failures: /);
  }, 60_000);
});

describe('issue 20 item 7: the smaller ones', () => {
  const histogram = () => writeConfig('small', { datasets: ['mednist-tiny'], methods: [HISTOGRAM] });

  it('--out naming a file is refused with the path, not a raw ENOTDIR', () => {
    const file = join(dir, 'out-is-a-file');
    writeFileSync(file, '');
    const r = udtl(['run', '--config', histogram(), '--out', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`--out ${file} is a file; give a folder for run folders`);
    expect(r.stderr).not.toContain('ENOTDIR');
  });

  it('--workers beyond the cores is capped with a warning', () => {
    const r = udtl(['run', '--config', histogram(), '--out', join(dir, 'workers-out'), '--workers', '512']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --workers 512 is more than this machine's \d+ cores; using \d+/);
  }, 60_000);

  it('budgets: ["abc"] names the bad value and what is allowed', () => {
    const r = udtl(['run', '--config', writeConfig('abc', { datasets: ['mednist-tiny'], methods: [HISTOGRAM], budgets: ['abc', 0] })]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('budgets.0: "abc" is not a label budget: give a whole number of labels per class ≥ 1, or "all"');
    expect(r.stderr).toContain('budgets.1: 0 is not a label budget');
  });

  it('UDTL_DATA_DIR pointing nowhere is reported (run: an error before any download; datasets list: a warning)', () => {
    const nowhere = join(dir, 'no-such-data');
    const r = udtl(['run', '--config', histogram(), '--out', join(dir, 'nowhere-out')], { UDTL_DATA_DIR: nowhere });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`data root ${nowhere} (from UDTL_DATA_DIR) does not exist`);
    expect(existsSync(nowhere)).toBe(false);
    const list = udtl(['datasets', 'list'], { UDTL_DATA_DIR: nowhere });
    expect(list.status).toBe(0);
    expect(list.stderr).toContain(`warning: data root ${nowhere} (from UDTL_DATA_DIR) does not exist`);
    const flagged = udtl(['datasets', 'list', '--data-dir', nowhere]);
    expect(flagged.stderr).toContain('(from --data-dir) does not exist');
  });

  it('two identical runs into one --out: the second is refused while the first holds the folder, and resumes after', async () => {
    const file = writeConfig('locked', { datasets: ['mednist-tiny'], methods: [HISTOGRAM], budgets: [2, 'all'] });
    const out = join(dir, 'locked-out');
    const first = spawn(process.execPath, [CLI, 'run', '--config', file, '--out', out, '--workers', '1'], {
      cwd: ROOT, env: { ...baseEnv, UDTL_JOB_DELAY_MS: '1500' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let firstErr = '';
    first.stderr.on('data', (b) => (firstErr += b));
    const deadline = Date.now() + 30_000;
    while (!/to run/.test(firstErr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = udtl(['run', '--config', file, '--out', out, '--workers', '1']);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`another udtl run \\(pid ${first.pid} on .*\\) is writing into ${out}/locked-`));
    const code = await new Promise((r) => first.on('exit', r));
    expect(code, firstErr).toBe(0);
    const third = udtl(['run', '--config', file, '--out', out, '--workers', '1']);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/4 jobs, 4 already done, 0 to run/);
  }, 120_000);
});
