import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chosenSection, chosenValue, selectionSummary } from '../src/html/verdict.js';
import { buildReport } from '../src/report.js';
import type { JobRecord } from '../src/results/types.js';
import { writeSyntheticRun, type SyntheticOptions } from '../src/synthetic.js';

const text = (html: string) => html.replace(/<br>|<\/tr>|<\/li>/g, '\n').replace(/<\/td>/g, ' | ').replace(/<[^>]+>/g, '');
const between = (html: string, from: string, to: string) => html.slice(html.indexOf(from), html.indexOf(to, html.indexOf(from)));

let root: string;
beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-verdict-report-'))));
afterAll(() => rm(root, { recursive: true, force: true }));

const report = async (name: string, options: SyntheticOptions) => {
  const dir = join(root, name);
  await writeSyntheticRun(dir, { folds: 5, budgets: [5, 'all'], correlated: true, ...options });
  const html = await readFile((await buildReport(dir, { png: false })).htmlPath, 'utf8');
  expect(html).not.toMatch(/NaN|>undefined</);
  return html;
};

describe('verdict in the report', () => {
  it('a one-line-per-dataset summary at the top, the detailed table in its section', async () => {
    const html = await report('full', {
      datasets: [{ id: 'big', classes: ['a', 'b'], nSamples: 1000 }, { id: 'small', classes: ['a', 'b', 'c'], nSamples: 300 }],
      methods: [{ id: 'zero-bias-cae', skill: 0.92 }, { id: 'transfer-learned', skill: 0.8 }, { id: 'fine-tuned', skill: 0.92 }],
    });
    const summary = between(html, '<div class="verdict-summary"', '</div>');
    expect(html.indexOf('verdict-summary')).toBeLessThan(html.indexOf('<section id="run">'));
    const lines = [...summary.matchAll(/<li>(.*?)<\/li>/g)].map((m) => text(m[1]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('big: better than transfer-learned — 5 / class: reproduces, all labels: reproduces; close to fine-tuned — 5 / class: reproduces, all labels: reproduces');
    expect(lines[1]).toMatch(/^small: better than transfer-learned — 5 \/ class: \S.*; close to fine-tuned — /);
    const section = text(between(html, '<section id="verdict">', '</section>'));
    expect(section).toContain('our definition of “close”');
    expect(section).toMatch(/all labels \| better than transfer-learned \| 5 \| \+1\d\.\d\n\[\+\d+\.\d, \+\d+\.\d\] \| \+[\d.]+ \| t = [\d.]+ \(df 4\)\np [<=] [\d.]+\np_holm [<=] [\d.]+ \| W = 0\.0\np = 0\.063\np_holm = 0\.125 \| Reproduces: zero-bias-cae is significantly better than transfer-learned/);
    expect(section).toContain('With 5 folds the exact Wilcoxon test cannot reach p &lt; 0.05 (smallest possible p = 0.0625)');
    expect(section).toContain('every paired fold difference is zero: Wilcoxon has nothing to rank (p = 1)');
  });

  it('an absent baseline is named and marked "not run"; an absent proposed method is said plainly', async () => {
    const noFt = await report('no-ft', { methods: [{ id: 'zero-bias-cae', skill: 0.85 }, { id: 'transfer-learned', skill: 0.85 }] });
    expect(text(between(noFt, '<div class="verdict-summary"', '</div>'))).toContain('close to fine-tuned — not run');
    expect(text(between(noFt, '<section id="verdict">', '</section>'))).toContain('Not in this run: fine-tuned — the comparisons that need it are marked “not run”.');
    const noCae = await report('no-cae', { methods: [{ id: 'transfer-learned', skill: 0.85 }, { id: 'fine-tuned', skill: 0.9 }] });
    expect(text(between(noCae, '<div class="verdict-summary"', '</div>'))).toContain('zero-bias-cae has no results in this run, so the claim cannot be assessed.');
    expect(text(between(noCae, '<section id="verdict">', '</section>'))).toContain('Not in this run: zero-bias-cae');
  });

  it('chosen hyper-parameters: one collapsible table per method, one row per fold', async () => {
    const html = await report('chosen', { datasets: [{ id: 'd', classes: ['a', 'b'], nSamples: 100 }], official: true });
    const section = between(html, '<section id="chosen">', '</section>');
    const details = [...section.matchAll(/<details[^>]*><summary>([^<]+)<\/summary>/g)].map((m) => m[1]);
    expect(details).toEqual([
      'zero-bias-cae — 12 job(s); chosen: C, theta, caeLossHistory',
      'transfer-learned — 12 job(s); chosen: C, innerFolds',
      'fine-tuned — 12 job(s); chosen: C, innerFolds',
      'random-backbone — 12 job(s), no values chosen during fit',
    ]);
    const cae = text(section.slice(0, section.indexOf('transfer-learned —')));
    const folds = [...cae.matchAll(/^d \| all labels \| (\w+) \|/gm)].map((m) => m[1]);
    expect(folds).toEqual(['0', '1', '2', '3', '4', 'official']);
    expect(cae).toContain('10 values: 0.55 … 0.1171');
  });
});

describe('chosenValue / chosenSection', () => {
  it('summarises long lists and objects, never prints NaN or undefined', () => {
    expect(chosenValue(0.123456)).toBe('0.1235');
    expect(chosenValue([1, 2, 3])).toBe('[1, 2, 3]');
    expect(chosenValue([0.9, 0.5, 0.4, 0.3, 0.25])).toBe('5 values: 0.9 … 0.25');
    expect(chosenValue(NaN)).toBe('—');
    expect(chosenValue(null)).toBe('—');
    expect(chosenValue('0123456789abcdef0123456789abcdef')).toBe('0123456789ab…');
    expect(chosenValue({ a: 'x'.repeat(100) })).toHaveLength(58);
  });

  it('skips failed jobs and says when nothing finished', () => {
    const job = (status: JobRecord['status'], fold: number): JobRecord => ({ key: `k${fold}`, dataset: 'd', method: 'm', fold, repeat: 0, budget: 'all', seed: 0, status, chosen: { C: fold } });
    expect(text(chosenSection([job('failed', 0)], ['m']))).toContain('No finished jobs in jobs.jsonl');
    const t = text(chosenSection([job('failed', 0), job('ok', 1)], ['m']));
    expect(t).toContain('m — 1 job(s); chosen: C');
    expect(t).toContain('d | all labels | 1 | 0 | 0 | 1 |');
  });

  it('summarises model selection per method and flags unequal candidate budgets', () => {
    const job = (method: string, fold: number, chosen: Record<string, unknown>): JobRecord => ({ key: `${method}${fold}`, dataset: 'd', method, fold, repeat: 0, budget: 'all', seed: 0, status: 'ok', chosen });
    const fair = [
      job('zero-bias-cae', 0, { candidates: 8, selection: 'inner-cv', config: {} }),
      job('zero-bias-cae', 1, { candidates: 8, selection: 'inner-cv', config: { theta: 0.5 } }),
      job('zero-bias-cae', 2, { candidates: 8, selection: 'inner-cv', config: { theta: 0.5 } }),
      job('transfer-learned', 0, { candidates: 8, selection: 'validation', config: { tap: 'out_relu' } }),
    ];
    const t = text(selectionSummary(fair, ['zero-bias-cae', 'transfer-learned'])).replace(/&quot;/g, '"');
    expect(t).toContain('Every method chose among 8 candidate configurations');
    expect(t).toContain('zero-bias-cae | 8 ×3 | inner-cv ×3 | {"theta":0.5} ×2; {} ×1 |');
    expect(t).toContain('transfer-learned | 8 ×1 | validation ×1 | {"tap":"out_relu"} ×1 |');
    const unfair = text(selectionSummary([...fair, job('fine-tuned', 0, { candidates: 6, selection: 'held-out', config: {} })], ['zero-bias-cae', 'fine-tuned']));
    expect(unfair).toContain('different numbers of candidate configurations (8, 6)');
    expect(selectionSummary([job('m', 0, { C: 1 })], ['m'])).toBe('');
  });
});
