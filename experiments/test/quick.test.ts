import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { SELECTION_BUDGET } from '@udtl/core';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const METHODS = ['zero-bias-cae', 'transfer-learned', 'fine-tuned', 'pixel-cae', 'random-backbone'];

describe('the quick experiment, end to end', () => {
  it('runs every method on the fixtures and builds the report', () => {
    const out = mkdtempSync(join(tmpdir(), 'udtl-quick-'));
    const env = { ...process.env, UDTL_CACHE_DIR: join(tmpdir(), 'udtl-test-cache') };
    const run = spawnSync(process.execPath, [CLI, 'run', '--quick', '--out', out], { env, encoding: 'utf8' });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const dir = join(out, 'latest');
    for (const f of ['results.csv', 'predictions.csv', 'manifest.json', 'jobs.jsonl']) expect(existsSync(join(dir, f)), f).toBe(true);

    const results = parse(readFileSync(join(dir, 'results.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const accuracy = results.filter((r) => r.metric === 'accuracy');
    // 2 datasets × 5 methods × 3 folds × 2 budgets
    expect(accuracy).toHaveLength(60);
    expect(new Set(accuracy.map((r) => r.method))).toEqual(new Set(METHODS));
    for (const r of accuracy) expect(Number(r.value)).toBeGreaterThanOrEqual(0);
    // The pretrained features separate MedNIST modalities well even on 60 images.
    const mean = (m: string) => {
      const v = accuracy.filter((r) => r.dataset === 'mednist-tiny' && r.method === m && r.budget === 'all').map((r) => Number(r.value));
      return v.reduce((s, x) => s + x, 0) / v.length;
    };
    expect(mean('transfer-learned')).toBeGreaterThan(0.6);
    expect(mean('zero-bias-cae')).toBeGreaterThan(0.4);

    // Fair selection: every method chose among the same number of candidate configurations, inside
    // the training fold, and recorded what it chose.
    const jobs = readFileSync(join(dir, 'jobs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const m of METHODS) {
      const mine = jobs.filter((j) => j.method === m);
      // A fit with nothing to score on (fine-tuned holds out only classes of ≥ 3 images; 2 per class
      // here) records 'fallback' and 0 candidates; every fit that chose, chose among the same number.
      const chose = mine.filter((j) => j.chosen.selection !== 'fallback');
      expect(new Set(chose.map((j) => j.chosen.candidates)), m).toEqual(new Set([SELECTION_BUDGET]));
      expect(mine.filter((j) => j.chosen.selection === 'fallback').every((j) => j.budget === 2 && j.chosen.candidates === 0), m).toBe(true);
      expect(chose.length, m).toBeGreaterThanOrEqual(mine.length / 2);
      expect(mine.every((j) => j.chosen.config && typeof j.chosen.config === 'object'), m).toBe(true);
    }

    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: true, jobs: { total: 60, done: 60, failed: 0 } });
    expect(manifest.backend.name).toBeTruthy();
    expect(manifest.datasets.map((d: { id: string }) => d.id)).toEqual(['brain-tumor-mri-tiny', 'mednist-tiny']);

    const report = spawnSync(process.execPath, [CLI, 'report', dir], { env, encoding: 'utf8' });
    expect(report.status, report.stderr).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('zero-bias-cae');
    expect(html).not.toMatch(/\bNaN\b/);
  }, 600_000);
});
