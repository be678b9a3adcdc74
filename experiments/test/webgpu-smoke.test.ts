/**
 * Every method family end to end on the webgpu backend (experiments/configs/webgpu-smoke.json), and
 * the same config on wasm: the CAE and the fine-tune train on the GPU backend, so their predictions
 * must match wasm's closely. Runs on Dawn's software adapter where no GPU is present (UDTL_BACKEND=webgpu
 * asks for it); skipped with the reason where no adapter starts, except under UDTL_REQUIRE_WEBGPU=1 (.ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { findWebGpuAdapter } from '@udtl/core';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const CONFIG = fileURLToPath(new URL('../configs/webgpu-smoke.json', import.meta.url));
const required = process.env.UDTL_REQUIRE_WEBGPU === '1';
const unavailable = await findWebGpuAdapter(true).then(() => undefined, (err: Error) => err.message);
if (unavailable != null && !required) console.warn(`skipping the webgpu smoke experiment: ${unavailable}`);

type Row = Record<string, string>;

/** Runs the smoke config on `backend`; its folder's predictions, jobs and manifest. */
function run(backend: string, cacheDir: string) {
  const out = mkdtempSync(join(tmpdir(), `udtl-webgpu-smoke-${backend}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, UDTL_BACKEND: backend, UDTL_CACHE_DIR: cacheDir };
  delete env.UDTL_WEBGPU_ADAPTER;
  const r = spawnSync(process.execPath, [CLI, 'run', '--config', CONFIG, '--out', out], { env, encoding: 'utf8' });
  expect(r.status, `${backend}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`).toBe(0);
  const dir = join(out, 'latest');
  return {
    predictions: parse(readFileSync(join(dir, 'predictions.csv'), 'utf8'), { columns: true }) as Row[],
    jobs: readFileSync(join(dir, 'jobs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)),
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
  };
}

const probabilities = (row: Row) => Object.keys(row).filter((k) => k.startsWith('p_')).map((k) => Number(row[k]));

describe.skipIf(unavailable != null && !required)('the webgpu smoke experiment', () => {
  it('runs every method family on webgpu, and its predictions match wasm', () => {
    expect(unavailable, 'UDTL_REQUIRE_WEBGPU=1 but the webgpu adapter does not start').toBeUndefined();
    const cache = join(tmpdir(), 'udtl-test-cache'); // shared with quick.test.ts: models imported once
    const gpu = run('webgpu', cache);
    expect(gpu.manifest).toMatchObject({ complete: true, jobs: { total: 6, done: 6, failed: 0 } });
    for (const j of gpu.jobs) {
      expect(j.status).toBe('ok');
      expect(j.backend.name).toBe('webgpu');
      expect(j.backend.adapter.name).toBeTruthy();
    }
    const cpu = run('wasm', cache);
    expect(cpu.jobs.every((j) => j.backend.name === 'wasm')).toBe(true);
    // Frozen features from the same engine on both (the ONNX export runs on webgpu too, not a fallback).
    expect(new Set(gpu.jobs.map((j) => j.backend.engine))).toEqual(new Set(cpu.jobs.map((j) => j.backend.engine)));

    // Same rows, same predicted classes but for near ties, probabilities within 1e-3 (measured: ≤ 6e-6).
    const key = (r: Row) => `${r.method}|${r.fold}|${r.sample_id}`;
    const wasmRows = new Map(cpu.predictions.map((r) => [key(r), r]));
    expect(gpu.predictions).toHaveLength(cpu.predictions.length);
    expect(new Set(gpu.predictions.map((r) => r.method))).toEqual(new Set(['transfer-learned', 'zero-bias-cae', 'fine-tuned']));
    let maxDiff = 0;
    for (const r of gpu.predictions) {
      const w = wasmRows.get(key(r));
      expect(w, key(r)).toBeDefined();
      const [p, q] = [probabilities(r), probabilities(w!)];
      expect(p.length).toBeGreaterThan(1);
      p.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - q[i]))));
    }
    expect(maxDiff).toBeLessThan(1e-3);

    // What trained on the GPU recorded the same training curves as on wasm.
    const chosen = (jobs: typeof gpu.jobs, method: string) => jobs.filter((j) => j.method === method).sort((a, b) => a.fold - b.fold).map((j) => j.chosen);
    chosen(gpu.jobs, 'zero-bias-cae').forEach((c, f) => {
      const ref = chosen(cpu.jobs, 'zero-bias-cae')[f];
      expect(Math.abs(c.caeFinalLoss - ref.caeFinalLoss) / ref.caeFinalLoss).toBeLessThan(1e-3);
      expect(c.codeDensity).toBeCloseTo(ref.codeDensity, 3);
    });
    chosen(gpu.jobs, 'fine-tuned').forEach((c, f) => {
      const ref = chosen(cpu.jobs, 'fine-tuned')[f];
      expect(c.lossCurve).toHaveLength(ref.lossCurve.length);
      c.lossCurve.forEach((v: number, i: number) => expect(Math.abs(v - ref.lossCurve[i])).toBeLessThanOrEqual(1e-3));
    });
  }, 300_000);
});
