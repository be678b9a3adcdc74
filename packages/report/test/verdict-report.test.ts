import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chosenSection, chosenValue, detectability, selectionSummary } from '../src/html/verdict.js';
import type { ClaimVerdict } from '../src/verdict.js';
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
  it('says first whether the run could detect the effect, then one line per dataset; the table shows the adjusted CI, MDD and plan', async () => {
    const html = await report('full', {
      draws: 2,
      datasets: [{ id: 'big', classes: ['a', 'b'], nSamples: 1000 }, { id: 'small', classes: ['a', 'b', 'c'], nSamples: 300 }],
      methods: [{ id: 'zero-bias-cae', skill: 0.92 }, { id: 'transfer-learned', skill: 0.8 }, { id: 'fine-tuned', skill: 0.92 }],
    });
    const summary = between(html, '<div class="verdict-summary"', '</div>');
    expect(html.indexOf('verdict-summary')).toBeLessThan(html.indexOf('<section id="run">'));
    expect(summary.indexOf('Could this run detect the effect it tests?')).toBeLessThan(summary.indexOf('Verdicts'));
    const power = [...between(summary, '<ul class="power">', '</ul>').matchAll(/<li>(.*?)<\/li>/g)].map((m) => text(m[1]));
    expect(power[0]).toMatch(/^better than transfer-learned: no — 0 of 4 testable cell\(s\) could detect a gain of δ = 1 point with 80% power \(minimum detectable difference \d+\.\d–\d+\.\d points\)\.$/);
    // zero-bias-cae and fine-tuned have the same skill on shared draws: identical predictions, no variance.
    expect(power[1]).toBe('close to fine-tuned: no cell is testable (4 not testable), so this run cannot decide the claim.');
    const lines = [...between(summary, '<p><b>Verdicts', '</ul>').matchAll(/<li>(.*?)<\/li>/g)].map((m) => text(m[1]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^big: better than transfer-learned — 5\/class: (reproduces|inconclusive), all labels: reproduces; close to fine-tuned — 5\/class: not testable, all labels: not testable$/);
    const section = text(between(html, '<section id="verdict">', '</section>'));
    expect(section).toContain('non-inferiority, margin 2 points');
    expect(section).toContain('Bonferroni simultaneous (1 − α/m) interval');
    // Each verdict row: Δ and its 98.75% interval (m = 4 cells), the same numbers as the significance table.
    const row = section.match(/all labels \| better than transfer-learned \| 5 \| (\+\d+\.\d)\n\[(\+\d+\.\d), (\+\d+\.\d)\] \| [<=] [\d.]+\nm = 4 \| (\d+\.\d)\nvs 1\.0 \| repeats: [^|]+\| Reproduces: zero-bias-cae is better than transfer-learned \(Δ \+\d+\.\d points, 98\.75% CI/);
    expect(row).not.toBeNull();
    const sig = text(between(html, '<h3>big — cross-validation, all labels</h3>', '</table>'));
    expect(sig).toContain(`transfer-learned | 5 | ${row![1]}\n[${row![2]}, ${row![3]}]`);
    expect(sig).toContain(`| ${row![4]} |`);
    expect(section).toContain('Not testable: the paired differences have no variance (every fold gives Δ = 0.0 points), so no interval can be formed.');
    expect(section).toContain('2 replicates (seeds × labelled draws) per fold averaged before the test: the fold, not the draw, is the unit');
  });

  it('the primary metric comes from the run config', async () => {
    const html = await report('macro', { primaryMetric: 'macro_f1', datasets: [{ id: 'd', classes: ['a', 'b'], nSamples: 400 }] });
    expect(text(between(html, '<div class="verdict-summary"', '</div>'))).toContain('(macro f1, the primary metric;');
    expect(text(between(html, '<section id="significance">', '</section>'))).toContain('compared with zero-bias-cae on macro f1 (the primary metric)');
  });

  it('an absent baseline is named and marked "not run"; an absent proposed method is said plainly', async () => {
    const noFt = await report('no-ft', { methods: [{ id: 'zero-bias-cae', skill: 0.85 }, { id: 'transfer-learned', skill: 0.85 }] });
    expect(text(between(noFt, '<div class="verdict-summary"', '</div>'))).toContain('close to fine-tuned — not run');
    expect(text(between(noFt, '<section id="verdict">', '</section>'))).toContain('Not in this run: fine-tuned — the comparisons that need it are marked “not run”.');
    const noCae = await report('no-cae', { methods: [{ id: 'transfer-learned', skill: 0.85 }, { id: 'fine-tuned', skill: 0.9 }] });
    expect(text(between(noCae, '<div class="verdict-summary"', '</div>'))).toContain('No cross-validation results with both zero-bias-cae and a baseline yet, so the claim cannot be assessed.');
    expect(text(between(noCae, '<section id="verdict">', '</section>'))).toContain('Not in this run: zero-bias-cae');
  });

  it('chosen hyper-parameters: one collapsible table per method, C-grid edge hits, fine-tuned training length', async () => {
    const html = await report('chosen', { datasets: [{ id: 'd', classes: ['a', 'b'], nSamples: 100 }], official: true });
    const section = between(html, '<section id="chosen">', '</section>');
    const details = [...section.matchAll(/<details[^>]*><summary>([^<]+)<\/summary>/g)].map((m) => m[1]);
    expect(details).toEqual([
      'zero-bias-cae — 12 job(s); chosen: C, theta, caeLossHistory',
      'transfer-learned — 12 job(s); chosen: C, innerFolds, scores',
      'fine-tuned — 12 job(s); chosen: epochs, converged, stepCapHit',
      'random-backbone — 12 job(s), no values chosen during fit',
    ]);
    const cae = text(section.slice(section.indexOf('<details'), section.indexOf('transfer-learned —')));
    const folds = [...cae.matchAll(/^d \| all labels \| (\w+) \|/gm)].map((m) => m[1]);
    expect(folds).toEqual(['0', '1', '2', '3', '4', 'official']);
    expect(cae).toContain('10 values: 0.55 … 0.1171');
    const t = text(section);
    // Synthetic C = candidates[(fold + round(log2 labels)) % 4]: folds 0–4 and official (= fold 0) at 5 and 40 labels/class.
    // 5/class: index (fold + 2) % 4 → folds 1 (10, largest) and 2 (0.01, smallest); all labels (40/class): (fold + 5) % 4 → folds 2 and 3.
    expect(t).toContain('transfer-learned | 4 of 12 (33%) | 2 | 2 | 0 |');
    expect(section).toContain('<span class="sig-worse">4 of 12 (33%)</span>');
    // epochs 4 + fold % 3 over folds 0–4 and official (= fold 0), twice: 4 ×6, 5 ×4, 6 ×2; fold 1 hit the step cap.
    expect(t).toContain('fine-tuned | 12 | 4–6 (median 4) | 10 of 12 | 2 of 12 |');
  });
});

describe('detectability: the statement before any verdict', () => {
  const v = (baseline: string, kind: 'better' | 'close', mdd?: number): ClaimVerdict => ({
    dataset: 'd', budget: 'all', metric: 'balanced_accuracy', control: 'zero-bias-cae', baseline, kind, nUnits: 5, threshold: kind === 'better' ? 0.01 : 0.02,
    power: mdd === undefined ? undefined : { mdd, plan: { floor: 0, drawVarianceKnown: false } }, outcome: mdd === undefined ? 'not testable' : 'inconclusive', sentence: '', notes: [],
  });
  it('yes, partly or no, from the MDD of each testable cell against the claim’s threshold', () => {
    expect(detectability([v('transfer-learned', 'better', 0.008), v('transfer-learned', 'better', 0.01)])).toEqual([
      'better than transfer-learned: yes — 2 of 2 testable cell(s) could detect a gain of δ = 1 point with 80% power (minimum detectable difference 0.8–1.0 points).',
    ]);
    expect(detectability([v('fine-tuned', 'close', 0.015), v('fine-tuned', 'close', 0.06), v('fine-tuned', 'close')])).toEqual([
      'close to fine-tuned: partly — 1 of 2 testable cell(s) could show non-inferiority within 2 points when the methods are equal with 80% power (minimum detectable difference 1.5–6.0 points); 1 cell(s) not testable.',
    ]);
    expect(detectability([v('transfer-learned', 'better', 0.05)])[0]).toMatch(/^better than transfer-learned: no — 0 of 1/);
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
    expect(t).toContain('zero-bias-cae | 8 ×3 | inner cross-validation ×3 | theta = 0.5 ×2; defaults ×1 |');
    expect(t).toContain('transfer-learned | 8 ×1 | official validation split ×1 | tap = out_relu ×1 |');
    const unfair = text(selectionSummary([...fair, job('fine-tuned', 0, { candidates: 6, selection: 'held-out', config: {} })], ['zero-bias-cae', 'fine-tuned']));
    expect(unfair).toContain('different numbers of candidate configurations (8, 6)');
    expect(selectionSummary([job('m', 0, { C: 1 })], ['m'])).toBe('');
  });
});
