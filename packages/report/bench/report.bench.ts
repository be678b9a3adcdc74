/**
 * Time to build the report for a synthetic run the size of the default experiment:
 * 3 datasets × 5 methods × 5 folds × 4 budgets (300 jobs), 3,000 test predictions per dataset
 * per method and budget (180k prediction rows). Prints seconds per stage.
 * Run: pnpm --filter @udtl/report bench   (set UDTL_BENCH_KEEP=1 to keep the directory)
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, readRun, writeSyntheticRun } from '../src/index.js';

const dir = await mkdtemp(join(tmpdir(), 'udtl-report-bench-'));
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
try {
  let t0 = process.hrtime.bigint();
  await writeSyntheticRun(dir, {
    datasets: [
      { id: 'brain-tumor-mri', classes: ['glioma_tumor', 'meningioma_tumor', 'no_tumor', 'pituitary_tumor'], nSamples: 3000 },
      { id: 'mednist-3000', classes: ['AbdomenCT', 'BreastMRI', 'CXR', 'ChestCT', 'Hand', 'HeadCT'], nSamples: 3000 },
      { id: 'breastmnist', classes: ['malignant', 'normal_benign'], nSamples: 3000 },
    ],
    methods: [
      { id: 'zero-bias-cae', skill: 0.88 },
      { id: 'transfer-learned', skill: 0.86 },
      { id: 'fine-tuned', skill: 0.9 },
      { id: 'pixel-cae', skill: 0.7 },
      { id: 'random-backbone', skill: 0.55 },
    ],
    folds: 5,
    budgets: [5, 20, 100, 'all'],
  });
  const generate = seconds(t0);
  const size = (await stat(join(dir, 'predictions.csv'))).size / 2 ** 20;

  t0 = process.hrtime.bigint();
  const run = await readRun(dir);
  const read = seconds(t0);

  t0 = process.hrtime.bigint();
  const svgOnly = await buildReport(dir, { png: false });
  const withoutPng = seconds(t0);

  t0 = process.hrtime.bigint();
  const report = await buildReport(dir);
  const total = seconds(t0);

  const html = (await stat(report.htmlPath)).size / 2 ** 20;
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version} (shared with other work unless stated)`);
  console.log(`input: ${run.jobs.length} jobs, ${run.results.length} result rows, ${run.predictions.length} prediction rows (${size.toFixed(1)} MiB predictions.csv); generated in ${generate.toFixed(2)} s`);
  console.log(`read + parse the results directory: ${read.toFixed(2)} s`);
  console.log(`buildReport, SVG only: ${withoutPng.toFixed(2)} s (${svgOnly.figures.length} figures)`);
  console.log(`buildReport, SVG + PNG: ${total.toFixed(2)} s (${report.figures.length} files, report.html ${html.toFixed(2)} MiB)`);
} finally {
  if (process.env.UDTL_BENCH_KEEP) console.log(`kept: ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
