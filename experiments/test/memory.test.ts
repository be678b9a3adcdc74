import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '@udtl/baselines';
import { SHARD_MAX_BYTES } from '@udtl/core';
import { configHash, parseConfig } from '../src/config.js';
import { checkJobFits, estimateJobMemory, estimateWorkerMemory, largestFoldSize, parseMemory, WORKER_BASE_BYTES, workersForMemory } from '../src/memory.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const GIB = 2 ** 30;

describe('memory budget', () => {
  it('parses sizes and names a bad one', () => {
    expect(parseMemory('8G')).toBe(8 * GIB);
    expect(parseMemory('8GiB')).toBe(8 * GIB);
    expect(parseMemory('512M')).toBe(512 * 2 ** 20);
    expect(parseMemory(1.5)).toBe(1.5 * GIB);
    expect(() => parseMemory('lots')).toThrow(/memory budget 'lots' is not a size/);
    expect(() => parseMemory(0)).toThrow(/positive number of GiB, got 0/);
  });

  it("estimates zero-bias-cae's job from its grid: pooled features of both configurations, the stacked CAE's maps and codes, one shard", () => {
    const n = 2400;
    const e = estimateJobMemory('zero-bias-cae', {}, { nTrain: n, nTest: 600 });
    // Defaults: 7×7×320 tap; config 0 = 2 layers 3×3 → 512 → 1024 codes, config 1 = 1 layer → 2048; avg pooling.
    const features = n * 1024 * 8 * 2 + n * 2048 * 8 * 2;
    const cae = n * 49 * 320 * 4 + 2 * n * 49 * 512 * 4;
    expect(e.bytes).toBe(features + cae + SHARD_MAX_BYTES);
    // caeMaxMaps bounds the CAE's part whatever the dataset size; the features grow with it.
    const big = estimateJobMemory('zero-bias-cae', { caeMaxMaps: 1000 }, { nTrain: 100_000, nTest: 1 });
    const bigCae = big.parts.find((p) => p.what.includes('CAE training'))!;
    expect(bigCae.bytes).toBe(1000 * 49 * 320 * 4 + 2 * 1000 * 49 * 512 * 4);
    expect(bigCae.what).toMatch(/on 1000 maps of 7×7×320/);
    // transfer-learned: its two taps' features (320 and 1280 channels at 224) and a shard.
    const tl = estimateJobMemory('transfer-learned', {}, { nTrain: n, nTest: 1 });
    expect(tl.bytes).toBe(n * 320 * 16 + n * 1280 * 16 + SHARD_MAX_BYTES);
    // A smaller input scales the tap: mobilenet-v1-0.25 at 64 px has 2×2×256 maps at its default tap.
    const small = estimateJobMemory('zero-bias-cae', { backbone: 'mobilenet-v1-0.25', inputSize: 64, tap: 'conv_pw_13_relu', grid: [{ layers: 1, kernelSize: 1, filters: 512 }] }, { nTrain: 10, nTest: 1 });
    expect(small.parts.find((p) => p.what.includes('CAE'))!.what).toMatch(/maps of 2×2×256/);
  });

  it("counts fine-tuned's inputs up to mapsInMemoryMiB per set: whole below it, a window above", () => {
    const map = 7 * 7 * 320 * 4; // block_16_project, the cut of trainBlocks 1
    const e = estimateJobMemory('fine-tuned', {}, { nTrain: 2400, nTest: 600 });
    expect(e.bytes).toBe(2400 * map + 600 * map + SHARD_MAX_BYTES);
    expect(e.parts[0].what).toBe('fine-tuning inputs of 2400 training images: 2400 maps of 7×7×320');
    // Full MedNIST, ≈29,000 images a side: 1 GiB by default (17,119 maps), 256 MiB when asked.
    const big = estimateJobMemory('fine-tuned', {}, { nTrain: 29_000, nTest: 29_000 });
    expect(big.parts[0]).toEqual({ what: 'fine-tuning inputs of 29000 training images: 17119 maps of 7×7×320 (a window of mapsInMemoryMiB)', bytes: 17_119 * map });
    expect(big.bytes).toBe(2 * 17_119 * map + SHARD_MAX_BYTES);
    expect(estimateJobMemory('fine-tuned', { mapsInMemoryMiB: 256 }, { nTrain: 29_000, nTest: 10 }).bytes).toBe(4279 * map + 10 * map + SHARD_MAX_BYTES);
    // trainBlocks 0 holds the 1280-channel output; 'all' holds uint8 pixels (and writes no shard); a cut that is no tap counts the cap.
    expect(estimateJobMemory('fine-tuned', { trainBlocks: 0 }, { nTrain: 100, nTest: 0 }).bytes).toBe(100 * 4 * map + SHARD_MAX_BYTES);
    expect(estimateJobMemory('fine-tuned', { backbone: 'mobilenet-v1-0.25', inputSize: 96, trainBlocks: 'all' }, { nTrain: 100, nTest: 10 }).bytes).toBe(110 * 96 * 96 * 3);
    expect(estimateJobMemory('fine-tuned', { trainBlocks: 2 }, { nTrain: 100, nTest: 10 }).bytes).toBe(2 * GIB + SHARD_MAX_BYTES);
  });

  it('is a config field that does not change the run folder', () => {
    const base = { name: 'x', datasets: ['mednist-tiny'], methods: ['transfer-learned'] };
    expect(parseConfig({ ...base, memoryBudget: '16G' }).memoryBudget).toBe('16G');
    expect(configHash(parseConfig({ ...base, memoryBudget: 4 }))).toBe(configHash(parseConfig(base)));
  });

  it('picks workers from memory as well as cores', () => {
    expect(workersForMemory(2, 16 * GIB, 3 * GIB)).toBe(2);
    expect(workersForMemory(8, 16 * GIB, 3 * GIB)).toBe(5);
    expect(workersForMemory(2, 2 * GIB, 3 * GIB)).toBe(1); // never 0: the job's own check says why it cannot fit
    const w = estimateWorkerMemory([
      { methodId: 'transfer-learned', params: {}, size: { nTrain: 100, nTest: 10 } },
      { methodId: 'zero-bias-cae', params: {}, size: { nTrain: 100, nTest: 10 } },
    ]);
    expect(w.job).toMatch(/^zero-bias-cae/);
    expect(w.bytes).toBe(estimateJobMemory('zero-bias-cae', {}, { nTrain: 100, nTest: 10 }).bytes + WORKER_BASE_BYTES);
  });

  it('plans from the largest fold, not the whole dataset', () => {
    const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `s${from + i}`);
    // 2-fold CV of 10 images (5/5) and an official split with 7 training and 3 test images.
    const folds = [
      { train: ids(5), test: ids(5, 5) },
      { train: ids(5, 5), test: ids(5) },
      { train: ids(7), test: ids(3, 7) },
    ];
    expect(largestFoldSize(folds)).toEqual({ nTrain: 7, nTest: 5 });
    expect(largestFoldSize([])).toEqual({ nTrain: 0, nTest: 0 });
  });

  it('a job that cannot fit fails with the numbers', () => {
    const e = estimateJobMemory('zero-bias-cae', {}, { nTrain: 100_000, nTest: 1 });
    expect(() => checkJobFits('zero-bias-cae on big fold 0', e, 2 * GIB)).toThrow(
      /zero-bias-cae on big fold 0 needs an estimated \d+\.\d\d GiB but a worker's memory budget is 2\.00 GiB \(worker .* GiB; config 0: 100000 × 1024 pooled features/,
    );
    expect(() => checkJobFits('small', estimateJobMemory('transfer-learned', {}, { nTrain: 10, nTest: 1 }), 4 * GIB)).not.toThrow();
  });

  it('the runner starts one worker for a budget that holds one, and every job fails before allocating, naming the numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'udtl-memory-'));
    const config = join(dir, 'mem.json');
    writeFileSync(config, JSON.stringify({ name: 'mem', datasets: ['mednist-tiny'], methods: [{ id: 'intensity-histogram', package: '@udtl/baseline-histogram' }], folds: 2, budgets: ['all'], inputSize: 32 }));
    const out = join(dir, 'results');
    const r = spawnSync(process.execPath, [CLI, 'run', '--config', config, '--out', out, '--memory-budget', '0.5G'], { env: { ...process.env, UDTL_CACHE_DIR: join(tmpdir(), 'udtl-test-cache') }, encoding: 'utf8' });
    expect(r.stderr + r.stdout).toMatch(/memory: ~1\.00 GiB per worker .*budget 0\.50 GiB: 1 worker\(s\)/);
    expect(r.status).toBe(3); // failed jobs
    const runDir = join(out, readdirSync(out).find((d) => d.startsWith('mem-'))!);
    const jobs = readdirSync(join(runDir, 'jobs')).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(runDir, 'jobs', f), 'utf8')));
    expect(jobs).toHaveLength(2);
    for (const j of jobs) {
      expect(j.status).toBe('failed');
      expect(j.error).toMatch(/intensity-histogram on mednist-tiny fold \d needs an estimated 1\.00 GiB but a worker's memory budget is 0\.50 GiB/);
      expect(j.fitSeconds).toBe(0);
    }
  }, 120_000);
});
