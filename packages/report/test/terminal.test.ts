import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRun } from '../src/results/read.js';
import { writeSyntheticRun } from '../src/synthetic.js';
import { terminalSummary } from '../src/terminal.js';
import { claimVerdicts } from '../src/verdict-run.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function run(options: Parameters<typeof writeSyntheticRun>[1]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'udtl-terminal-'));
  dirs.push(dir);
  await writeSyntheticRun(dir, { folds: 5, budgets: [5, 'all'], correlated: true, ...options });
  return dir;
}

describe('terminal summary at the end of udtl run', () => {
  it('gives mean ± sd of the primary metric per cell and the same verdicts, Δ and adjusted CIs as the report', async () => {
    const dir = await run({ primaryMetric: 'accuracy' });
    const lines = await terminalSummary(dir);
    expect(lines[0]).toBe('accuracy (mean ± sd over folds)');
    expect(lines[1]).toMatch(/^dataset +method +5\/class +all labels$/);
    const row = lines.find((l) => l.startsWith('brain-tumor-mri') && l.includes(' zero-bias-cae '));
    expect(row).toMatch(/0\.\d{3} ± 0\.\d{3} +0\.\d{3} ± 0\.\d{3}$/);

    const r = await readRun(dir);
    const { verdicts } = claimVerdicts(r, ['zero-bias-cae', 'transfer-learned', 'fine-tuned', 'random-backbone'], { control: 'zero-bias-cae', alpha: 0.05 });
    const v = verdicts.find((x) => x.dataset === 'brain-tumor-mri' && x.baseline === 'transfer-learned' && x.budget === 'all')!;
    expect(v.ciLow).toBeDefined();
    const line = lines.find((l) => l.startsWith('  brain-tumor-mri, better than transfer-learned:'))!;
    const fmt = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`;
    expect(line).toContain(`all labels ${v.outcome} (Δ ${fmt(v.meanDifference!)}, CI ${fmt(v.ciLow!)}…${fmt(v.ciHigh!)})`);
    expect(lines.some((l) => l.startsWith('  mednist-3000, close to fine-tuned:'))).toBe(true);
  });

  it('says so when there is nothing to summarise', async () => {
    const dir = await run({ keepFraction: 0 });
    expect(await terminalSummary(dir)).toEqual(['no cross-validation results for balanced accuracy yet']);
  });
});
