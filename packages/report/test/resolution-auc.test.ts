import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchedAucScores, resolutionSection } from '../src/html/resolution.js';
import { buildReport } from '../src/report.js';
import { readPredictionsCsv } from '../src/results/read.js';
import type { PredictionRow, ResultRow } from '../src/results/types.js';
import { summarize } from '../src/summary.js';

const text = (html: string) => html.replace(/<br>|<\/tr>|<\/li>/g, '\n').replace(/<\/td>/g, ' | ').replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&#39;/g, "'");

const NB = 'normal, benign';
type Scored = [truth: string, probabilities: Record<string, number>];
/** One job's predictions from [truth, class probabilities] pairs; pred is the arg-max class. */
const job = (dataset: string, fold: number | 'official', rows: Scored[], method = 'zero-bias-cae'): PredictionRow[] =>
  rows.map(([truth, probabilities], i) => ({
    dataset, method, fold, repeat: 0, budget: 'all', seed: 1, draw: 0, sampleId: `${dataset}-${fold}-${i}`, truth,
    pred: Object.entries(probabilities).reduce((a, b) => (b[1] > a[1] ? b : a))[0], probabilities, dataRow: i + 1,
  }));
const busi = (m: number, b: number, n: number) => ({ malignant: m, benign: b, normal: n });
const breast = (m: number) => ({ malignant: m, [NB]: 1 - m });

// Expected AUCs by the Mann–Whitney definition: the share of (malignant, other) pairs in which the
// malignant image has the larger p_malignant, a tie counting ½. scikit-learn is not installed here;
// the same call would be roc_auc_score(y_true, p_malignant) with y_true = (truth == 'malignant').
// BUSI fold 0: positives {.8, .4}, negatives {.5, .1, .4}: .8 beats all 3; .4 beats .1 and ties .4
//   → (3 + 1.5) / 6 = 0.75. Scoring by 1 − p_benign instead ({.9, .5} vs {.7, .8, .8}) gives 3/6 = 0.5,
//   so the test tells the malignant column from a benign-or-normal complement.
// BUSI fold 1: {.9, .3} vs {.7, .2, .1}: 3 + 2 → 5/6.
// BreastMNIST fold 0: {.7, .2} vs {.6, .1}: 2 + 1 → 3/4. Fold 1: {.55, .2} vs {.55, .3}: 1.5 + 0 → 1.5/4 = 0.375.
const predictions: PredictionRow[] = [
  ...job('busi', 0, [['malignant', busi(0.8, 0.1, 0.1)], ['malignant', busi(0.4, 0.5, 0.1)], ['benign', busi(0.5, 0.3, 0.2)], ['normal', busi(0.1, 0.2, 0.7)], ['benign', busi(0.4, 0.2, 0.4)]]),
  ...job('busi', 1, [['malignant', busi(0.9, 0.05, 0.05)], ['malignant', busi(0.3, 0.4, 0.3)], ['benign', busi(0.7, 0.2, 0.1)], ['normal', busi(0.2, 0.1, 0.7)], ['benign', busi(0.1, 0.8, 0.1)]]),
  ...job('breastmnist', 0, [['malignant', breast(0.7)], ['malignant', breast(0.2)], [NB, breast(0.6)], [NB, breast(0.1)]]),
  ...job('breastmnist', 1, [['malignant', breast(0.55)], ['malignant', breast(0.2)], [NB, breast(0.55)], [NB, breast(0.3)]]),
  // Left out: the official split, and a dataset whose rows have no p_malignant.
  ...job('breastmnist', 'official', [['malignant', breast(0.1)], [NB, breast(0.9)]]),
  ...job('brain-tumor-mri', 0, [['glioma_tumor', { glioma_tumor: 0.3, no_tumor: 0.7 }]]),
];

const own = (dataset: string, values: number[]): ResultRow[] =>
  values.map((value, fold) => ({ dataset, method: 'zero-bias-cae', fold, repeat: 0, budget: 'all', seed: 1, draw: 0, metric: 'balanced_accuracy', value }));
const summaries = summarize([...own('busi', [0.6, 0.7]), ...own('breastmnist', [0.75, 0.55])]);

describe('matched AUC per job', () => {
  it('matches the Mann–Whitney counts; BUSI is scored by its malignant column, not by benign or normal', () => {
    const rows = matchedAucScores(predictions);
    const value = (dataset: string, fold: number) => rows.find((r) => r.dataset === dataset && r.fold === fold)?.value;
    expect(value('busi', 0)).toBeCloseTo(0.75, 12);
    expect(value('busi', 1)).toBeCloseTo(5 / 6, 12);
    expect(value('breastmnist', 0)).toBeCloseTo(0.75, 12);
    expect(value('breastmnist', 1)).toBeCloseTo(0.375, 12);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.metric === 'auc' && r.fold !== 'official')).toBe(true);
  });

  it('a test fold with one class has no AUC', () => {
    const rows = matchedAucScores([
      ...job('busi', 0, [['benign', busi(0.2, 0.7, 0.1)], ['normal', busi(0.6, 0.1, 0.3)]]),
      ...job('busi', 1, [['malignant', busi(0.6, 0.3, 0.1)], ['normal', busi(0.2, 0.1, 0.7)]]),
    ]);
    expect(rows.map((r) => [r.fold, r.value])).toEqual([[1, 1]]);
  });

  it('no p_malignant anywhere, or an empty one in a BUSI row, is an error naming the column and the row', () => {
    const bare = predictions.map(({ probabilities: _p, ...p }) => p);
    expect(() => matchedAucScores(bare)).toThrow(/predictions\.csv has no p_malignant column/);
    const holed = predictions.map((p) => (p.dataset === 'busi' && p.fold === 1 && p.dataRow === 3 ? { ...p, probabilities: { benign: 0.2, normal: 0.1 } } : p));
    expect(() => matchedAucScores(holed)).toThrow(/predictions\.csv data row 3 \(busi, zero-bias-cae, fold 1, sample busi-1-2\): p_malignant is empty/);
  });
});

describe('in the section', () => {
  it('a table of the matched AUC per dataset and BUSI − BreastMNIST with its half-width', () => {
    const t = text(resolutionSection(summaries, predictions, 'balanced_accuracy', ['zero-bias-cae']));
    // Fold means: BUSI (0.75 + 5/6)/2 = 0.79167 → 79.2; BreastMNIST (0.75 + 0.375)/2 = 0.5625 → 56.3; +22.9.
    expect(t).toContain('AUC (malignant vs rest): BUSI (256 → 224 px)');
    expect(t).toMatch(/zero-bias-cae \| all labels \| 79\.2 \[[^\]]*\] \| 56\.3 \[[^\]]*\] \| \+22\.9 ± [\d.]+ \|/);
    expect(t).toContain('put our BUSI accuracy and AUC at “all” labels beside their ACC and AUC');
    expect(t).not.toContain('AUC is not matched');
  });

  it('without probabilities: accuracy still shown, the AUC replaced by the reason', () => {
    const t = text(resolutionSection(summaries, predictions.map(({ probabilities: _p, ...p }) => p), 'balanced_accuracy', []));
    expect(t).toContain('The matched AUC could not be computed: predictions.csv has no p_malignant column');
    expect(t).not.toContain('AUC (malignant vs rest): BUSI');
    expect(t).toMatch(/Balanced accuracy: BUSI/i);
    expect(t).toContain('this run has no matched AUC to put beside theirs');
  });
});

describe('predictions.csv probabilities, read and rendered', () => {
  let root: string;
  beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-resolution-auc-'))));
  afterAll(() => rm(root, { recursive: true, force: true }));

  /** predictions.csv as the runner writes it: one p_<class> column per class of any dataset, others' cells empty. */
  const classes = ['malignant', NB, 'benign', 'normal', 'glioma_tumor', 'no_tumor'];
  const quote = (c: unknown) => (String(c).includes(',') ? `"${c}"` : String(c));
  const coords = (r: { dataset: string; method: string; fold: number | string; budget: number | string }) => [r.dataset, r.method, r.fold, 0, r.budget, 1, 0];
  const predictionsCsv = (rows: PredictionRow[]) => [
    ['dataset', 'method', 'fold', 'repeat', 'budget', 'seed', 'draw', 'sample_id', 'true', 'pred', ...classes.map((c) => `p_${c}`)].map(quote).join(','),
    ...rows.map((p) => [...coords(p), p.sampleId, p.truth, p.pred, ...classes.map((c) => p.probabilities?.[c] ?? '')].map(quote).join(',')),
  ].join('\n') + '\n';

  it('reads each row’s non-empty p_<class> cells by class name and its data row', async () => {
    const path = join(root, 'read.csv');
    await writeFile(path, predictionsCsv(predictions));
    const rows = await readPredictionsCsv(path, []);
    expect(rows).toHaveLength(predictions.length);
    expect(rows[0].probabilities).toEqual({ malignant: 0.8, benign: 0.1, normal: 0.1 });
    const b = rows.find((r) => r.dataset === 'breastmnist')!;
    expect(b.probabilities).toEqual({ malignant: 0.7, [NB]: 1 - 0.7 });
    expect(rows.at(-1)!.probabilities).toEqual({ glioma_tumor: 0.3, no_tumor: 0.7 });
    expect(rows.map((r) => r.dataRow)).toEqual(predictions.map((_, i) => i + 1));
    expect(matchedAucScores(rows).map((r) => +r.value.toFixed(12))).toEqual(matchedAucScores(predictions).map((r) => +r.value.toFixed(12)));
  });

  it('a cell that is not a probability is an error naming the file, data row and column', async () => {
    const path = join(root, 'bad.csv');
    const lines = predictionsCsv(predictions).split('\n');
    lines[3] = lines[3].replace(',0.3,', ',abc,'); // data row 3: a BUSI row's p_benign
    await writeFile(path, lines.join('\n'));
    await expect(readPredictionsCsv(path, [])).rejects.toThrow(`${path} data row 3: column p_benign "abc" is not a probability in [0, 1]`);
    await writeFile(path, predictionsCsv(predictions).replace(',0.8,', ',1.5,'));
    await expect(readPredictionsCsv(path, [])).rejects.toThrow(/data row 1: column p_malignant "1\.5" is not a probability/);
  });

  it('buildReport shows the matched AUC read from predictions.csv', async () => {
    const dir = join(root, 'run');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir, { recursive: true });
    const results = [...own('busi', [0.6, 0.7]), ...own('breastmnist', [0.75, 0.55])];
    await writeFile(join(dir, 'results.csv'), ['dataset,method,fold,repeat,budget,seed,draw,metric,value', ...results.map((r) => [...coords(r), r.metric, r.value].join(','))].join('\n') + '\n');
    await writeFile(join(dir, 'predictions.csv'), predictionsCsv(predictions));
    const { htmlPath } = await buildReport(dir, { png: false });
    const html = await readFile(htmlPath, 'utf8');
    expect(html).not.toMatch(/NaN|>undefined</);
    const section = text(html.slice(html.indexOf('<section id="resolution">'), html.indexOf('</section>', html.indexOf('<section id="resolution">'))));
    expect(section).toMatch(/79\.2 \[[^\]]*\] \| 56\.3 \[[^\]]*\] \| \+22\.9/);
  });
});
