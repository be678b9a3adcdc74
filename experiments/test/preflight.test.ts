/**
 * Issue 20, item 5: inputs that cannot run are refused by the preflight within seconds, naming the
 * bad value, before a run folder exists — not by a run whose every job fails.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as core from '@udtl/core';
import { dataRoot, loadDatasetFromPath, modelsRoot } from '@udtl/datasets';
import { describe, expect, it } from 'vitest';
import { checkBudgets, checkDecodable, checkLayerTaps, dataIdentity, outFolderProblem } from '../src/preflight.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = join(dataRoot(), 'fixtures', 'medical_mnist_tiny');
const HAVE_WEIGHTS = existsSync(join(modelsRoot(), 'mobilenet_v2_1.0_224_quant'));

const dir = mkdtempSync(join(tmpdir(), 'udtl-preflight-'));
/** Whether the tfjs-node backend starts on this machine (it is installed here without its native addon). */
const TFJS_NODE_STARTS = spawnSync(process.execPath, ['--input-type=module', '-e',
  `const c = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'packages/core/dist/index.js')).href)}); await c.initBackend({ force: 'tfjs-node' });`],
{ encoding: 'utf8' }).status === 0;
const baseEnv = { ...process.env, UDTL_CACHE_DIR: join(tmpdir(), 'udtl-test-cache') };

/** A config on the tiny MedNIST fixture; `over` replaces fields. */
function config(name: string, over: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, datasets: ['mednist-tiny'], methods: ['transfer-learned'], folds: 2, inputSize: 32, ...over }));
  return file;
}

/** `udtl run` from the project root; returns the result, its wall time and whether a run folder was made. */
function run(file: string, env: Record<string, string> = {}) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'run', '--config', file, '--out', out, '--workers', '1'], { cwd: ROOT, env: { ...baseEnv, ...env }, encoding: 'utf8' });
  return { ...r, seconds: (Date.now() - t0) / 1000, madeRunFolder: existsSync(out) };
}

function expectRefused(r: ReturnType<typeof run>, ...named: (string | RegExp)[]) {
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/preflight found \d+ problems?/);
  for (const n of named) expect(r.stderr).toMatch(n);
  expect(r.madeRunFolder).toBe(false);
  // Seconds, not a run: the whole process (node start, imports, dataset load) on a loaded 2-core machine.
  expect(r.seconds).toBeLessThan(20);
}

describe('preflight: refused before the run starts, naming the value', () => {
  it('an unknown backend (the name the README used to give) lists the known ones', () => {
    expectRefused(run(config('backend'), { UDTL_BACKEND: 'tensorflow' }), "UDTL_BACKEND='tensorflow'", 'tfjs-node-gpu, tfjs-node, wasm, cpu');
  });

  it.skipIf(TFJS_NODE_STARTS)('a known backend that cannot start stops the run at its first worker, with the reason, not after every job failed', () => {
    const r = run(config('backend-start', { methods: [{ id: 'intensity-histogram', package: '@udtl/baseline-histogram' }] }), { UDTL_BACKEND: 'tfjs-node' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/preflight found 1 problem .*\n {2}backend\/engine: worker failed to start: backend "tfjs-node" \(chosen by UDTL_BACKEND\) failed to initialise/);
    expect(r.stderr).not.toMatch(/job\(s\) failed/);
    expect(r.seconds).toBeLessThan(30);
  });

  it('an unknown frozen engine', () => {
    expectRefused(run(config('engine'), { UDTL_ENGINE: 'tensorrt' }), "UDTL_ENGINE='tensorrt'", /auto, onnxruntime, tfjs/);
  });

  it('an unknown backbone', () => {
    expectRefused(run(config('backbone', { backbone: 'resnet-50' })), "unknown backbone 'resnet-50'", /mobilenet-v2-1\.0/);
  });

  it.skipIf(!HAVE_WEIGHTS)('an unknown tap, also inside a grid configuration', () => {
    const methods = [{ id: 'transfer-learned', params: { grid: [{}, { tap: 'pool6' }] } }];
    expectRefused(run(config('tap', { methods })), "method 'transfer-learned'", "unknown tap 'pool6'", /block_16_project/);
  });

  it('missing weights that cannot be downloaded: names the backbone, the fetch command, and a writable place for the file', () => {
    const cache = mkdtempSync(join(tmpdir(), 'udtl-preflight-cache-'));
    // A read-only models root (like the shared mirror): the hint must name the cache instead.
    const models = mkdtempSync(join(tmpdir(), 'udtl-preflight-models-'));
    chmodSync(models, 0o555);
    // Port 9 is on fetch's list of blocked ports: the download fails at once, without the network.
    const r = run(config('alexnet', { backbone: 'alexnet' }), { UDTL_CACHE_DIR: cache, UDTL_MODELS_DIR: models, UDTL_FETCH_BASE_URL: 'http://127.0.0.1:9' });
    expectRefused(r, "weights of backbone 'alexnet'", 'udtl fetch alexnet', `put the files into ${join(cache, 'models', 'bvlcalexnet-8')}`);
    expect(r.stderr).not.toContain(models);
  });

  it('a truncated image in an inline dataset names the file', () => {
    const data = join(dir, 'corrupt-data');
    cpSync(FIXTURE, data, { recursive: true });
    chmodSync(join(data, 'CXR'), 0o755);
    const victim = join(data, 'CXR', '000005.jpeg');
    chmodSync(victim, 0o644);
    const bytes = readFileSync(victim);
    writeFileSync(victim, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    const file = config('corrupt', { datasets: [{ id: 'mine', path: data }], methods: [{ id: 'intensity-histogram', package: '@udtl/baseline-histogram' }] });
    // libvips words the failure differently between runs ('premature end of JPEG file', or the
    // warning that failOn turned into an error); the file's name is what the user needs.
    const r = run(file);
    expectRefused(r, `cannot decode image ${victim}`, /premature end of JPEG|Warning treated as error/);
  });

  it('a budget larger than a class names the budget, the class and the largest feasible budget', () => {
    expectRefused(run(config('budget', { budgets: [2, 50, 'all'] })), /budgets 50: dataset 'mednist-tiny' has only 5 training images of class '\w+'/, 'the largest feasible budget is 5');
  });

  it('several problems are reported together', () => {
    const r = run(config('several', { backbone: 'nope', budgets: [50] }), { UDTL_ENGINE: 'nope' });
    expectRefused(r, /preflight found 3 problems/, "UDTL_ENGINE='nope'", "unknown backbone 'nope'", 'budgets 50');
  });
});

describe('preflight checks, one by one', () => {
  it('checkDecodable passes the fixture and names a file that is not an image (header) or is cut short (tail, then decode)', async () => {
    const good = await loadDatasetFromPath(FIXTURE);
    expect(await checkDecodable(good)).toEqual([]);
    const data = join(dir, 'decodable');
    cpSync(FIXTURE, data, { recursive: true });
    for (const f of ['Hand/000003.jpeg', 'ChestCT/000004.jpeg']) chmodSync(join(data, f), 0o644);
    const bytes = readFileSync(join(data, 'ChestCT/000004.jpeg'));
    writeFileSync(join(data, 'ChestCT/000004.jpeg'), bytes.subarray(0, bytes.length - 200));
    expect(await checkDecodable(await loadDatasetFromPath(data))).toEqual([expect.stringMatching(/cannot decode image .*ChestCT\/000004\.jpeg/)]);
    writeFileSync(join(data, 'Hand/000003.jpeg'), 'not an image');
    expect(await checkDecodable(await loadDatasetFromPath(data))).toEqual([expect.stringMatching(/Hand\/000003\.jpeg/)]);
  });

  it.skipIf(!HAVE_WEIGHTS)('checkLayerTaps accepts a layer name that exists and names one that does not', async () => {
    const uses = [
      { method: 'a', backbone: 'mobilenet-v2-1.0', tap: 'block_15_project' },
      { method: 'b', backbone: 'mobilenet-v2-1.0', tap: 'block_99_project' },
      { method: 'c', backbone: 'mobilenet-v2-1.0', tap: 'out_relu' },
    ];
    const problems = await checkLayerTaps(uses, { cacheDir: baseEnv.UDTL_CACHE_DIR });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^method 'b': .*unknown tap 'block_99_project'/);
    expect(core.getBackbone('mobilenet-v2-1.0').taps.block_15_project).toBeUndefined(); // so it really was checked on the model
  });

  it('checkBudgets takes the smallest class over every fold', async () => {
    const ds = await loadDatasetFromPath(FIXTURE); // 6 classes × 10 images
    const fold = (trainPerClass: number) => ({
      seed: 0, label: 0 as const,
      fold: { index: 0, repeat: 0, train: ds.samples.filter((s) => Number(s.id.slice(-6, -5)) < trainPerClass).map((s) => s.id), val: [], test: [] },
    });
    expect(checkBudgets({ id: 'x', dataset: ds, folds: [fold(8)] }, [8, 'all'])).toEqual([]);
    const [msg] = checkBudgets({ id: 'x', dataset: ds, folds: [fold(8), fold(7)] }, [8, 2]);
    expect(msg).toMatch(/^budgets 8: dataset 'x' has only 7 training images of class 'AbdomenCT' in fold 0 \(seed 0\); the largest feasible budget is 7$/);
  });

  it('outFolderProblem: a file, a path under a file; a new folder is fine', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(outFolderProblem(file)).toBe(`--out ${file} is a file; give a folder for run folders`);
    expect(outFolderProblem(join(file, 'sub'))).toBe(`--out ${join(file, 'sub')}: ${file} is a file, not a folder`);
    expect(outFolderProblem(join(dir, 'new', 'deeper'))).toBeUndefined();
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('dataIdentity changes with a label or a removed image, not with the order samples come in', async () => {
    const ds = await loadDatasetFromPath(FIXTURE);
    const base = dataIdentity(ds);
    expect(dataIdentity({ info: ds.info, samples: [...ds.samples].reverse() })).toBe(base);
    expect(dataIdentity({ info: ds.info, samples: ds.samples.slice(1) })).not.toBe(base);
    const relabelled = ds.samples.map((s, i) => (i === 0 ? { ...s, label: (s.label + 1) % 6 } : s));
    expect(dataIdentity({ info: ds.info, samples: relabelled })).not.toBe(base);
  });
});
