import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDataset } from '@udtl/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryScores, isMalignant, resolutionCells, resolutionSection } from '../src/html/resolution.js';
import { buildReport } from '../src/report.js';
import type { PredictionRow, ResultRow } from '../src/results/types.js';
import { summarize, type Summary } from '../src/summary.js';

const text = (html: string) => html.replace(/<br>|<\/tr>|<\/li>/g, '\n').replace(/<\/td>/g, ' | ').replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

const NB = 'normal, benign';
/** One job's predictions from [truth, pred] pairs. */
const job = (dataset: string, fold: number | 'official', pairs: [string, string][], method = 'zero-bias-cae', budget: number | 'all' = 'all'): PredictionRow[] =>
  pairs.map(([truth, pred], i) => ({ dataset, method, fold, repeat: 0, budget, seed: 1, draw: 0, sampleId: `${dataset}-${fold}-${i}`, truth, pred }));

// Hand counts on malignant vs benign-or-normal (tp fn tn fp):
// BUSI fold 0: tp 1 (m→m), fn 1 (m→benign), tn 3 (benign→normal, normal→normal, normal→benign), fp 1 (benign→m)
//   → accuracy 4/6, balanced (1/2 + 3/4)/2 = 0.625. Three-class it would be 2/6 right: benign→normal and normal→benign
//   are wrong there but right on the binary task.
// BUSI fold 1: tp 2, tn 2 → 1 and 1.
// BreastMNIST fold 0: tp 1, fn 1, tn 2 → accuracy 3/4, balanced (1/2 + 1)/2 = 0.75.
// BreastMNIST fold 1: tp 1, fn 1, tn 1, fp 1 → 0.5 and 0.5.
const predictions: PredictionRow[] = [
  ...job('busi', 0, [['malignant', 'malignant'], ['malignant', 'benign'], ['benign', 'normal'], ['benign', 'malignant'], ['normal', 'normal'], ['normal', 'benign']]),
  ...job('busi', 1, [['malignant', 'malignant'], ['malignant', 'malignant'], ['benign', 'benign'], ['normal', 'benign']]),
  ...job('breastmnist', 0, [['malignant', 'malignant'], ['malignant', NB], [NB, NB], [NB, NB]]),
  ...job('breastmnist', 1, [['malignant', NB], ['malignant', 'malignant'], [NB, 'malignant'], [NB, NB]]),
  // Not part of the comparison: the official split and another dataset.
  ...job('breastmnist', 'official', [['malignant', NB]]),
  ...job('brain-tumor-mri', 0, [['glioma_tumor', 'no_tumor']]),
];

/** Per-fold results of each dataset's own task (three-class BUSI, binary BreastMNIST). */
const own = (dataset: string, values: number[], metric = 'balanced_accuracy'): ResultRow[] =>
  values.map((value, fold) => ({ dataset, method: 'zero-bias-cae', fold, repeat: 0, budget: 'all', seed: 1, draw: 0, metric, value }));

describe('the label mapping', () => {
  it('follows MedMNIST: benign and normal become "normal, benign"; the registry still names these classes', () => {
    expect(['malignant', 'benign', 'normal'].map((l) => isMalignant('busi', l))).toEqual([true, false, false]);
    expect(['malignant', NB].map((l) => isMalignant('breastmnist', l))).toEqual([true, false]);
    expect([...getDataset('busi').labels].sort()).toEqual(['benign', 'malignant', 'normal']);
    expect(getDataset('breastmnist').labels).toEqual(['malignant', NB]);
  });

  it('an unknown label or dataset is an error naming it', () => {
    expect(() => isMalignant('busi', 'normal_benign')).toThrow(/label 'normal_benign' is not one of busi's \(malignant, benign, normal\)/);
    expect(() => isMalignant('covid-ct', 'covid')).toThrow(/dataset 'covid-ct' is neither busi nor breastmnist/);
  });
});

describe('binary scores per job', () => {
  it('match the hand counts; official folds and other datasets are left out', () => {
    const rows = binaryScores(predictions);
    const value = (dataset: string, fold: number, metric: string) => rows.find((r) => r.dataset === dataset && r.fold === fold && r.metric === metric)?.value;
    expect(value('busi', 0, 'accuracy')).toBeCloseTo(4 / 6, 12);
    expect(value('busi', 0, 'balanced_accuracy')).toBeCloseTo(0.625, 12);
    expect(value('busi', 1, 'accuracy')).toBe(1);
    expect(value('breastmnist', 0, 'balanced_accuracy')).toBeCloseTo(0.75, 12);
    expect(value('breastmnist', 1, 'accuracy')).toBeCloseTo(0.5, 12);
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => r.fold !== 'official' && (r.dataset === 'busi' || r.dataset === 'breastmnist'))).toBe(true);
  });

  it('a test fold with one class has an accuracy but no balanced accuracy', () => {
    const rows = binaryScores(job('busi', 0, [['benign', 'benign'], ['normal', 'malignant']]));
    expect(rows.map((r) => [r.metric, r.value])).toEqual([['accuracy', 0.5]]);
  });
});

describe('resolution cells', () => {
  const cell = (dataset: string, mean: number, ciLow?: number, ciHigh?: number): Summary => ({ dataset, method: 'm', budget: 'all', protocol: 'cv', metric: 'balanced_accuracy', n: 5, mean, ciLow, ciHigh });

  it('difference = BUSI − BreastMNIST, half-width = the two CI half-widths in quadrature', () => {
    const [c] = resolutionCells([cell('busi', 0.8, 0.7, 0.9), cell('breastmnist', 0.6, 0.45, 0.75)], 'balanced_accuracy', ['m']);
    expect(c.difference).toBeCloseTo(0.2, 12);
    // √(0.1² + 0.15²) = √0.0325 = 0.18028
    expect(c.halfWidth).toBeCloseTo(0.18028, 5);
  });

  it('no interval without both CIs; a side missing leaves the difference out; cv only', () => {
    const cells = resolutionCells([
      cell('busi', 0.8), cell('breastmnist', 0.7, 0.6, 0.8),
      { ...cell('busi', 0.9), budget: 5 },
      { ...cell('breastmnist', 0.1), protocol: 'official' },
    ], 'balanced_accuracy', ['m']);
    expect(cells.map((c) => [c.budget, c.difference === undefined ? undefined : +c.difference.toFixed(12), c.halfWidth])).toEqual([[5, undefined, undefined], ['all', 0.1, undefined]]);
  });
});

describe('the BUSI vs BreastMNIST section', () => {
  const results = [...own('busi', [0.6, 0.7]), ...own('breastmnist', [0.75, 0.55])];

  it('is absent when either dataset is missing', () => {
    expect(resolutionSection(summarize(own('busi', [0.6, 0.7])), predictions, 'balanced_accuracy', ['zero-bias-cae'])).toBe('');
    expect(resolutionSection(summarize(own('breastmnist', [0.6, 0.7])), predictions, 'balanced_accuracy', ['zero-bias-cae'])).toBe('');
    expect(resolutionSection([], [], 'balanced_accuracy', [])).toBe('');
  });

  it('shows the matched-task scores and differences computed from the hand counts', () => {
    const t = text(resolutionSection(summarize(results), predictions, 'balanced_accuracy', ['zero-bias-cae']));
    // Matched task, fold means: BUSI balanced (0.625 + 1)/2 = 81.25 → 81.3, accuracy (4/6 + 1)/2 = 83.3;
    // BreastMNIST balanced (0.75 + 0.5)/2 = 62.5, accuracy 62.5. Differences +18.75 → +18.8 and +20.8.
    expect(t).toMatch(/zero-bias-cae \| all labels \| 81\.3 \[[^\]]*\] \| 62\.5 \[[^\]]*\] \| \+18\.8 ± [\d.]+ \| 83\.3 \[[^\]]*\] \| 62\.5 \[[^\]]*\] \| \+20\.8 ± [\d.]+ \|/);
    // Own task: BUSI (0.6 + 0.7)/2 = 65.0, BreastMNIST (0.75 + 0.55)/2 = 65.0 → ±0.0 (not −0.0 from rounding error).
    expect(t).toMatch(/zero-bias-cae \| all labels \| 65\.0 \[[^\]]*\] \| 65\.0 \[[^\]]*\] \| ±0\.0 ± [\d.]+ \|/);
    // Two folds give a CI wider than [0, 1]: the matched-task scores are proportions, so it is clipped.
    expect(t).toContain('81.3 [0.0, 100.0]');
    expect(t).toContain('Matched task: malignant against benign-or-normal');
    expect(t).toContain('This difference mixes resolution with the task');
  });

  it('quotes the MedMNIST+ 224 px anchors from the anchors table and says which column they match', () => {
    const t = text(resolutionSection(summarize(results), predictions, 'balanced_accuracy', []));
    expect(t).toContain('AlexNet (ImageNet), frozen, linear probe, 224 px: ACC 86.1 / AUC 93.5');
    expect(t).toContain('best end-to-end trained model, 224 px: ACC 90.6 / AUC 94.0');
    expect(t).not.toContain('ResNet-18');
    expect(t).toContain('the analogue of the BUSI column');
  });

  it('without predictions, or with a label outside the mapping, says why the matched task is missing', () => {
    const none = text(resolutionSection(summarize(results), [], 'balanced_accuracy', []));
    expect(none).toContain('needs per-image predictions (predictions.csv)');
    expect(none).toMatch(/65\.0 \[[^\]]*\] \| 65\.0/);
    const odd = text(resolutionSection(summarize(results), job('breastmnist', 0, [['malignant', 'normal_benign']]), 'balanced_accuracy', []));
    expect(odd).toContain("label 'normal_benign' is not one of breastmnist's");
  });
});

describe('inside buildReport', () => {
  let root: string;
  beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-resolution-'))));
  afterAll(() => rm(root, { recursive: true, force: true }));

  const coords = (r: { dataset: string; method: string; fold: number | string; budget: number | string }) => [r.dataset, r.method, r.fold, 0, r.budget, 1, 0];
  const quote = (c: unknown) => (String(c).includes(',') ? `"${c}"` : String(c));
  async function writeRun(dir: string, datasets: string[]): Promise<string> {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const res = results().filter((r) => datasets.includes(r.dataset));
    const pre = predictions.filter((p) => datasets.includes(p.dataset));
    await writeFile(join(dir, 'results.csv'), ['dataset,method,fold,repeat,budget,seed,draw,metric,value', ...res.map((r) => [...coords(r), r.metric, r.value].map(quote).join(','))].join('\n') + '\n');
    await writeFile(join(dir, 'predictions.csv'), ['dataset,method,fold,repeat,budget,seed,draw,sample_id,true,pred', ...pre.map((p) => [...coords(p), p.sampleId, p.truth, p.pred].map(quote).join(','))].join('\n') + '\n');
    const { htmlPath } = await buildReport(dir, { png: false });
    return readFile(htmlPath, 'utf8');
  }
  const results = () => [...own('busi', [0.6, 0.7]), ...own('breastmnist', [0.75, 0.55]), ...own('brain-tumor-mri', [0.9, 0.8])];

  it('the section sits after the anchors with the matched-task numbers, and is absent without BUSI', async () => {
    const html = await writeRun(join(root, 'both'), ['busi', 'breastmnist', 'brain-tumor-mri']);
    expect(html).not.toMatch(/NaN|>undefined</);
    expect(html.indexOf('<section id="anchors">')).toBeLessThan(html.indexOf('<section id="resolution">'));
    const section = text(html.slice(html.indexOf('<section id="resolution">'), html.indexOf('<section id="significance">')));
    expect(section).toMatch(/81\.3 \[[^\]]*\] \| 62\.5 \[[^\]]*\] \| \+18\.8/);
    const without = await writeRun(join(root, 'without'), ['breastmnist', 'brain-tumor-mri']);
    expect(without).not.toContain('id="resolution"');
  });
});
