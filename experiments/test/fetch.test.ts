/**
 * Done-when test of the fetcher: with an empty data root, an empty cache and the fetcher pointed at a
 * local server (UDTL_FETCH_BASE_URL), `udtl run` downloads the dataset from its registered public
 * source (here: a GitHub-style archive served on 127.0.0.1) and runs end to end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MODELS = fileURLToPath(new URL('../../../shared/models/mobilenet_v2_1.0_224_quant', import.meta.url));
const CORAL = '/raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../../shared/data/fixtures/brain_tumor_mri_tiny', import.meta.url));
const COMMIT = '3ea9f4eae54c67e5bddbf6f7a73582967a5f5f79';
const ARCHIVE_PATH = `/github.com/SartajBhuvaji/Brain-Tumor-Classification-DataSet/archive/${COMMIT}.tar.gz`;

const requests: string[] = [];
let archive: Buffer;
const server = createServer((req, res) => {
  requests.push(req.url ?? '');
  const coral = req.url?.startsWith(`${CORAL}/`) ? join(MODELS, req.url.slice(CORAL.length + 1)) : undefined;
  if (req.url === ARCHIVE_PATH) res.writeHead(200, { 'content-length': archive.length }).end(archive);
  else if (coral && existsSync(coral)) res.writeHead(200).end(readFileSync(coral));
  else res.writeHead(404).end();
});
const dir = mkdtempSync(join(tmpdir(), 'udtl-fetch-e2e-'));
let base = '';

beforeAll(async () => {
  // The fixture's 20 images where the public repository has them: <repo>-<commit>/Training/<class>/<file>.
  const top = join(dir, 'tree', `Brain-Tumor-Classification-DataSet-${COMMIT}`);
  for (const cls of readdirSync(FIXTURE).filter((f) => !f.endsWith('.csv'))) {
    mkdirSync(join(top, 'Training', cls), { recursive: true });
    cpSync(join(FIXTURE, cls), join(top, 'Training', cls), { recursive: true });
  }
  execFileSync('tar', ['-czf', join(dir, 'a.tar.gz'), '-C', join(dir, 'tree'), '.']);
  archive = readFileSync(join(dir, 'a.tar.gz'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** Run the CLI without blocking this process's event loop (the server lives here). */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(!existsSync(FIXTURE))('udtl fetch / run from downloaded files only', () => {
  it('run downloads brain-tumor-mri-tiny into the cache and completes; fetch then finds it; datasets list says so', async () => {
    const env = { UDTL_DATA_DIR: join(dir, 'empty-data'), UDTL_CACHE_DIR: join(dir, 'cache'), UDTL_FETCH_BASE_URL: base };
    mkdirSync(env.UDTL_DATA_DIR);
    const config = join(dir, 'tiny.json');
    writeFileSync(config, JSON.stringify({
      name: 'fetch-e2e',
      datasets: ['brain-tumor-mri-tiny'],
      methods: [{ id: 'intensity-histogram', package: '@udtl/baseline-histogram' }],
      folds: 2,
      budgets: ['all'],
      inputSize: 32,
    }));
    const out = join(dir, 'results');
    const r = await cli(['run', '--config', config, '--out', out, '--workers', '1'], env);
    expect(r.status, r.stderr).toBe(0);
    expect(requests).toEqual([ARCHIVE_PATH]);
    const installed = join(env.UDTL_CACHE_DIR, 'data', 'fixtures', 'brain_tumor_mri_tiny');
    expect(readFileSync(join(installed, 'labels.csv'), 'utf8')).toBe(readFileSync(join(FIXTURE, 'labels.csv'), 'utf8'));
    expect(readdirSync(env.UDTL_DATA_DIR)).toEqual([]);
    const runDir = join(out, readdirSync(out).find((d) => d.startsWith('fetch-e2e'))!);
    const results = parse(readFileSync(join(runDir, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const accuracy = results.filter((x) => x.metric === 'accuracy');
    expect(accuracy).toHaveLength(2);
    for (const a of accuracy) expect(Number(a.value)).toBeGreaterThanOrEqual(0), expect(Number(a.value)).toBeLessThanOrEqual(1);
    // Every downloaded image was predicted once (2 folds), under its id in the public repository's layout minus the split.
    const predictions = parse(readFileSync(join(runDir, 'predictions.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const fixtureIds = readFileSync(join(FIXTURE, 'labels.csv'), 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',')[0]);
    expect(predictions.map((p) => p.sample_id).sort()).toEqual(fixtureIds.sort());

    const again = await cli(['fetch', 'brain-tumor-mri-tiny'], env);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(`brain-tumor-mri-tiny: present (cache) ${installed}\n`);
    expect(requests).toHaveLength(1);
    const list = await cli(['datasets', 'list', '--fixtures'], env);
    expect(list.stdout).toMatch(/brain-tumor-mri-tiny .* yes \(cache\) .* subset of brain-tumor-mri: https:\/\/github\.com\/SartajBhuvaji\//);
    expect(list.stdout).toMatch(/mednist-3000 .* no \(downloadable\) .* CC BY-SA 4\.0 .* subset of mednist: https:\/\/github\.com\/Project-MONAI\//);
  });

  it('the quick grid (all five methods) runs from downloaded files only: dataset archive and MobileNetV2 weights', async () => {
    // mednist-tiny is left out: its source is verified by the MD5 of the real 60 MB MedNIST archive,
    // which a local test server cannot fake; brain-tumor-mri-tiny is verified image by image.
    const env = {
      UDTL_DATA_DIR: join(dir, 'empty-data3'),
      UDTL_MODELS_DIR: join(dir, 'empty-models3'),
      UDTL_CACHE_DIR: join(dir, 'cache3'),
      UDTL_FETCH_BASE_URL: base,
    };
    mkdirSync(env.UDTL_DATA_DIR);
    mkdirSync(env.UDTL_MODELS_DIR);
    const override = join(dir, 'quick-brain-only.json');
    writeFileSync(override, JSON.stringify({ datasets: ['brain-tumor-mri-tiny'] }));
    const before = requests.length;
    const out = join(dir, 'results3');
    const r = await cli(['run', '--quick', '--config', override, '--out', out], env);
    expect(r.status, r.stderr).toBe(0);
    expect(new Set(requests.slice(before))).toEqual(new Set([ARCHIVE_PATH, `${CORAL}/mobilenet_v2_1.0_224_quant.tflite`, `${CORAL}/imagenet_labels.txt`]));
    const results = parse(readFileSync(join(out, 'latest', 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const accuracy = results.filter((x) => x.metric === 'accuracy');
    expect(accuracy).toHaveLength(30); // 5 methods × 3 folds × 2 budgets
    expect(new Set(accuracy.map((a) => a.method))).toEqual(new Set(['zero-bias-cae', 'transfer-learned', 'fine-tuned', 'pixel-cae', 'random-backbone']));
    expect(readdirSync(env.UDTL_DATA_DIR)).toEqual([]);
    expect(readdirSync(env.UDTL_MODELS_DIR)).toEqual([]);
  }, 600_000);

  it('offline: fetch fails with the resource, its URL and where to put the file by hand', async () => {
    const env = { UDTL_DATA_DIR: join(dir, 'empty-data2'), UDTL_CACHE_DIR: join(dir, 'cache2'), UDTL_FETCH_BASE_URL: `${base}/nothing-here`, UDTL_MODELS_DIR: join(dir, 'no-models') };
    const r = await cli(['fetch', 'mednist', 'mobilenet-v2-1.0'], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`dataset 'mednist': download of ${base}/nothing-here/github.com/Project-MONAI/MONAI-extra-test-data/releases/download/0.8.1/MedNIST.tar.gz (for https://github.com/Project-MONAI/MONAI-extra-test-data/releases/download/0.8.1/MedNIST.tar.gz) failed: HTTP 404`);
    expect(r.stderr).toContain(`put the file at ${join(env.UDTL_CACHE_DIR, 'downloads', 'mednist.tar.gz')}`);
    expect(r.stderr).toMatch(new RegExp(`mobilenet-v2-1.0 mobilenet_v2_1.0_224_quant.tflite: download of .* failed: HTTP 404 .*put the files into ${env.UDTL_MODELS_DIR}/mobilenet_v2_1.0_224_quant`));
    expect(existsSync(join(env.UDTL_CACHE_DIR, 'downloads', 'mednist.tar.gz'))).toBe(false);
    const unknown = await cli(['fetch', 'nope'], env);
    // Both kinds of id are listed: datasets and weights.
    expect(unknown.stderr).toMatch(/unknown id 'nope'; datasets: .*mednist-3000.*; weights: alexnet, mobilenet-v1-0\.25/);
  });
});

describe.skipIf(!existsSync(MODELS))('backbone weights resolve through the fetcher', () => {
  it('mobilenet-v2-1.0 with an empty models root: both files downloaded into the cache, verified, loaded with its ImageNet labels; second load downloads nothing', async () => {
    const core = await import('@udtl/core');
    await core.initBackend();
    process.env.UDTL_FETCH_BASE_URL = base;
    try {
      const before = requests.length;
      const cacheDir = join(dir, 'bb-cache');
      const bb = await core.loadBackbone('mobilenet-v2-1.0', { modelsDir: join(dir, 'no-models'), cacheDir, inputSize: 96 });
      expect(requests.slice(before)).toEqual([`${CORAL}/mobilenet_v2_1.0_224_quant.tflite`, `${CORAL}/imagenet_labels.txt`]);
      expect(bb.weightsHash).toBe('7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776');
      expect(bb.classNames[286]).toBe('Egyptian cat'); // the labels file came too (index 0 is 'background')
      expect(readdirSync(join(cacheDir, 'models', 'mobilenet_v2_1.0_224_quant')).sort()).toEqual(['imagenet_labels.txt', 'mobilenet_v2_1.0_224_quant.tflite']);
      bb.dispose();
      const again = await core.loadBackbone('mobilenet-v2-1.0', { modelsDir: join(dir, 'no-models'), cacheDir, inputSize: 96 });
      expect(requests.length - before).toBe(2);
      again.dispose();
    } finally {
      delete process.env.UDTL_FETCH_BASE_URL;
    }
  });
});
