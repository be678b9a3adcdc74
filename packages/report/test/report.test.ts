import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportResult } from '../src/report.js';
import { writeSyntheticRun } from '../src/synthetic.js';

let root: string;
let full: { dir: string; result: ReportResult; html: string };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'udtl-report-'));
  const dir = join(root, 'full');
  await writeSyntheticRun(dir, { budgets: [5, 'all'] });
  const result = await buildReport(dir);
  full = { dir, result, html: await readFile(result.htmlPath, 'utf8') };
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** What every report must satisfy, whatever its input. */
function expectCleanHtml(html: string) {
  expect(html).not.toMatch(/NaN/);
  expect(html).not.toMatch(/>undefined</);
  // The one script element allowed is the key-figures JSON block (type application/json: never executed).
  expect(html.replace(/<script type="application\/json" id="udtl-key-figures">[^<]*<\/script>/, '')).not.toMatch(/<script/i);
  expect(html).not.toMatch(/(src|href)\s*=\s*"(https?:)?\/\//i);
  expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
}

describe('buildReport on a complete synthetic run', () => {
  it('writes report.html with every section, self-contained', () => {
    expect(full.result.htmlPath).toBe(join(full.dir, 'report.html'));
    for (const id of ['run', 'results', 'significance', 'across', 'figures']) expect(full.html).toContain(`<section id="${id}">`);
    expectCleanHtml(full.html);
    expect(full.result.warnings).toEqual([]);
  });

  it('inlines one SVG per chart and writes each as SVG and PNG', async () => {
    const charts = [...full.html.matchAll(/<figure class="chart" id="fig-([^"]+)"[^>]*><svg/g)].map((m) => m[1]);
    expect(charts).toEqual(expect.arrayContaining(['metric-accuracy', 'metric-auc', 'paired-balanced_accuracy', 'lead-balanced_accuracy', 'forest', 'critical-difference', 'confusion-breastmnist', 'timing']));
    expect(full.result.figures.sort()).toEqual(charts.flatMap((id) => [join(full.dir, 'figures', `${id}.png`), join(full.dir, 'figures', `${id}.svg`)]).sort());
    for (const f of full.result.figures) expect(existsSync(f)).toBe(true);
    const files = [...(await readdir(full.dir)), ...(await readdir(join(full.dir, 'figures')))];
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('states significance verdicts against zero-bias-cae per dataset and budget', () => {
    // Synthetic skills: zero-bias-cae 0.88 vs random-backbone 0.55 — a difference no test can miss at full budget.
    const verdicts = [...full.html.matchAll(/<span class="sig-better">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(verdicts).toEqual(expect.arrayContaining([expect.stringMatching(/^zero-bias-cae is better than random-backbone \(adjusted 99\.17% CI \[\+[\d.]+, \+[\d.]+\] above 0; p_adj [<=] [\d.]+\)$/)]));
    expect(full.html).toMatch(/no significant difference at this sample size/);
    // 3 datasets × 2 budgets sub-tables.
    expect(full.html.match(/<table class="significance">/g)).toHaveLength(6);
    expect(full.html).toContain('Friedman χ²');
    expect(full.html).toContain('Nemenyi critical difference');
  });

  it('writes elsewhere with `out`, leaving the results directory alone', async () => {
    const out = join(root, 'elsewhere');
    const dir = join(root, 'small');
    await writeSyntheticRun(dir, { folds: 2, budgets: ['all'], datasets: [{ id: 'd', classes: ['x', 'y'], nSamples: 40 }] });
    const result = await buildReport(dir, { out, png: false });
    expect(result.htmlPath).toBe(join(out, 'report.html'));
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
    expect(result.figures.every((f) => f.startsWith(join(out, 'figures')) && f.endsWith('.svg'))).toBe(true);
  });
});

describe('buildReport on bad input: clear messages, no crash, no NaN', () => {
  const build = async (name: string, options: Parameters<typeof writeSyntheticRun>[1] | null) => {
    const dir = join(root, name);
    if (options) await writeSyntheticRun(dir, { folds: 3, budgets: ['all'], ...options });
    else await mkdir(dir, { recursive: true });
    const result = await buildReport(dir, { png: false });
    const html = await readFile(result.htmlPath, 'utf8');
    expectCleanHtml(html);
    return { result, html };
  };

  it('a missing directory is an error naming it', async () => {
    await expect(buildReport(join(root, 'missing'))).rejects.toThrow(`results directory not found: ${join(root, 'missing')}`);
  });

  it('an empty directory gives a report that lists what is missing', async () => {
    const { result, html } = await build('empty', null);
    expect(result.warnings.join(' ')).toMatch(/results\.csv is missing/);
    expect(html).toContain('No results to show yet');
    expect(html).toContain('No charts');
  });

  it('an interrupted run reports what is there and what is missing', async () => {
    const { result, html } = await build('interrupted', { keepFraction: 0.3 });
    expect(result.warnings[0]).toMatch(/incomplete \(manifest.complete = false\): 11 job\(s\) finished of 36 planned/);
    expect(html).toContain('Read this first');
    expect(html).toContain('no — interrupted or still running');
    expect(html).toContain('brain-tumor-mri — cross-validation');
    // 11 jobs in grid order: brain-tumor-mri's 4 methods × 3 folds would be 12, so one is missing; other datasets have none.
    expect(html).toContain('<tr><td>brain-tumor-mri</td><td>3</td><td>3</td><td>3</td><td>2</td></tr>');
    expect(html).toContain('<tr><td>mednist-3000</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>');
  });

  it('a single method: comparisons are skipped and the reason given', async () => {
    const { result, html } = await build('one-method', { methods: [{ id: 'zero-bias-cae', skill: 0.8 }] });
    expect(result.warnings.join(' ')).toMatch(/Only one method \(zero-bias-cae\)/);
    expect(html).toContain('Only one method has results');
    expect(html).toMatch(/needs at least 2 datasets and 2 methods/);
  });

  it('a single fold: fold tests and CIs are skipped, with the reason', async () => {
    const { result, html } = await build('one-fold', { folds: 1 });
    expect(result.warnings.join(' ')).toMatch(/Only one cross-validation fold/);
    expect(html).toContain('no CI (one score)');
    expect(html).toContain('not testable: 1 paired fold(s) from 1 fold index(es): the corrected t needs at least 2 folds');
  });

  it('no results for the proposed method: says so', async () => {
    const { result } = await build('no-control', { methods: [{ id: 'a', skill: 0.8 }, { id: 'b', skill: 0.7 }] });
    expect(result.warnings.join(' ')).toMatch(/The proposed method zero-bias-cae has no results/);
  });

  it('an official split is reported separately, tested with McNemar only', async () => {
    const { html } = await build('official', { official: true, folds: 2 });
    expect(html).toContain('breastmnist — official train/test split');
    expect(html).toMatch(/breastmnist — official split, all labels<\/h3><table class="significance">.*?<td>—<\/td><td>b = \d+, c = \d+<br>p /s);
    expect(html).toMatch(/on this split \(McNemar, p_adj [<=] [\d.]+\)/);
  });
});
