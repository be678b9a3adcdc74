import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionSettings, readRun } from '../src/results/read.js';
import { writeSyntheticRun } from '../src/synthetic.js';

let root: string;
beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-read-'))));
afterAll(() => rm(root, { recursive: true, force: true }));

const HEADER = 'dataset,method,fold,repeat,budget,seed,metric,value\n';
async function dirWith(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return dir;
}

describe('readRun on a synthetic run', () => {
  it('reads all four files; counts follow the grid and accuracy agrees with the predictions', async () => {
    const dir = join(root, 'synthetic');
    await writeSyntheticRun(dir, { folds: 3, budgets: [5, 'all'], seed: 7 });
    const run = await readRun(dir);
    // 3 datasets × 4 methods × 3 folds × 2 budgets = 72 jobs, 8 metrics each.
    expect(run.jobs).toHaveLength(72);
    expect(run.results).toHaveLength(72 * 8);
    // Test images per fold: every 3rd sample, so each job predicts ceil-or-floor(n/3); all folds cover n.
    expect(run.predictions).toHaveLength(4 * 2 * (240 + 240 + 200));
    expect(run.manifest?.complete).toBe(true);
    expect(run.warnings).toEqual([]);
    const job = { dataset: 'mednist-3000', method: 'fine-tuned', fold: 1, budget: 5 };
    const preds = run.predictions.filter((p) => p.dataset === job.dataset && p.method === job.method && p.fold === job.fold && p.budget === job.budget);
    const acc = run.results.find((r) => r.dataset === job.dataset && r.method === job.method && r.fold === job.fold && r.budget === job.budget && r.metric === 'accuracy')!;
    expect(preds.length).toBe(80);
    expect(acc.value).toBeCloseTo(preds.filter((p) => p.truth === p.pred).length / preds.length, 12);
  });

  it('is seeded: the same seed writes the same bytes, another seed different ones', async () => {
    await writeSyntheticRun(join(root, 's1'), { folds: 2, budgets: ['all'], seed: 3 });
    await writeSyntheticRun(join(root, 's2'), { folds: 2, budgets: ['all'], seed: 3 });
    await writeSyntheticRun(join(root, 's3'), { folds: 2, budgets: ['all'], seed: 4 });
    const text = (d: string) => readFile(join(root, d, 'predictions.csv'), 'utf8');
    expect(await text('s1')).toBe(await text('s2'));
    expect(await text('s1')).not.toBe(await text('s3'));
  });
});

describe('readRun on bad input', () => {
  it('throws naming the path for a missing directory or a file', async () => {
    await expect(readRun(join(root, 'nope'))).rejects.toThrow(`results directory not found: ${join(root, 'nope')}`);
    await writeFile(join(root, 'a-file'), 'x');
    await expect(readRun(join(root, 'a-file'))).rejects.toThrow(/it is a file/);
  });

  it('reports every missing file of an empty directory instead of failing', async () => {
    const run = await readRun(await dirWith('empty', {}));
    expect(run.results).toEqual([]);
    for (const f of ['manifest.json', 'results.csv', 'predictions.csv', 'jobs.jsonl']) expect(run.warnings.join('\n')).toContain(`${f} is missing`);
  });

  it('rejects a header without required columns, naming file and columns', async () => {
    const dir = await dirWith('badheader', { 'results.csv': 'dataset,method,fold,metric,value\nd,m,0,accuracy,0.5\n' });
    await expect(readRun(dir)).rejects.toThrow(/results\.csv: header lacks column\(s\) repeat, budget, seed/);
  });

  it('rejects an unknown budget or fold, naming file, row and value', async () => {
    const dir = await dirWith('badbudget', { 'results.csv': `${HEADER}d,m,0,0,all,0,accuracy,0.5\nd,m,0,0,half,0,accuracy,0.5\n` });
    await expect(readRun(dir)).rejects.toThrow(/results\.csv data row 2: budget "half" is not a whole number of labels per class/);
    const dir2 = await dirWith('badfold', { 'results.csv': `${HEADER}d,m,x1,0,all,0,accuracy,0.5\n` });
    await expect(readRun(dir2)).rejects.toThrow(/data row 1: fold "x1"/);
    const dir3 = await dirWith('badvalue', { 'results.csv': `${HEADER}d,m,0,0,all,0,accuracy,abc\n` });
    await expect(readRun(dir3)).rejects.toThrow(/data row 1: value "abc" is not a number/);
  });

  it('skips a truncated last line and empty metric values with warnings', async () => {
    const dir = await dirWith('truncated', { 'results.csv': `${HEADER}d,m,0,0,all,0,accuracy,0.5\nd,m,0,0,all,0,auc,\nd,m,1,0,al` });
    const run = await readRun(dir);
    expect(run.results).toHaveLength(1);
    expect(run.warnings.join('\n')).toMatch(/1 row\(s\) with the wrong number of fields were skipped \(first: data row 3/);
    expect(run.warnings.join('\n')).toMatch(/1 metric value\(s\) were empty/);
  });

  it('parses quoted fields (a comma in a sample id) through csv-parse', async () => {
    const dir = await dirWith('quoted', {
      'predictions.csv': 'dataset,method,fold,repeat,budget,seed,sample_id,true,pred\nd,m,official,0,5,1,"Training/a,b.jpg",x,y\n',
    });
    const run = await readRun(dir);
    expect(run.predictions).toEqual([{ dataset: 'd', method: 'm', fold: 'official', repeat: 0, budget: 5, seed: 1, draw: 0, sampleId: 'Training/a,b.jpg', truth: 'x', pred: 'y', dataRow: 1 }]);
  });

  it('reads the optional draw column and the decision settings of the config', async () => {
    const dir = await dirWith('draws', {
      'results.csv': 'dataset,method,fold,repeat,budget,seed,draw,metric,value\nd,m,0,0,5,0,0,accuracy,0.5\nd,m,0,0,5,0,3,accuracy,0.7\n',
      'manifest.json': JSON.stringify({ config: { primaryMetric: 'macro_f1', smallestGain: 1.5 } }),
    });
    const run = await readRun(dir);
    expect(run.results.map((r) => r.draw)).toEqual([0, 3]);
    expect(decisionSettings(run.manifest)).toEqual({ primaryMetric: 'macro_f1', smallestGainPoints: 1.5, marginPoints: 2 });
    expect(decisionSettings(undefined)).toEqual({ primaryMetric: 'balanced_accuracy', smallestGainPoints: 1, marginPoints: 2 });
    expect(() => decisionSettings({ config: { primaryMetric: 'f1' } })).toThrow(/primaryMetric 'f1' is not one of balanced_accuracy/);
    expect(() => decisionSettings({ config: { nonInferiorityMargin: 0 } })).toThrow(/nonInferiorityMargin must be a number of points in \(0, 100\), got 0/);
    const bad = await dirWith('bad-draw', { 'results.csv': 'dataset,method,fold,repeat,budget,seed,draw,metric,value\nd,m,0,0,5,0,x,accuracy,0.5\n' });
    await expect(readRun(bad)).rejects.toThrow(/data row 1: draw "x" is not a non-negative integer/);
  });

  it('explains an interrupted run, failed jobs and a damaged manifest', async () => {
    const dir = join(root, 'interrupted');
    await writeSyntheticRun(dir, { folds: 2, budgets: ['all'], keepFraction: 0.5 });
    await writeFile(join(dir, 'jobs.jsonl'), (await readFile(join(dir, 'jobs.jsonl'), 'utf8')) + JSON.stringify({ key: 'd|m|0|0|all|0', dataset: 'd', method: 'm', fold: 0, repeat: 0, budget: 'all', seed: 0, status: 'failed', error: 'out of memory' }) + '\n{"key":');
    const run = await readRun(dir);
    const text = run.warnings.join('\n');
    expect(text).toMatch(/incomplete \(manifest.complete = false\): 12 job\(s\) finished of 24 planned/);
    expect(text).toMatch(/1 job\(s\) failed — d\|m\|0\|0\|all\|0: out of memory/);
    expect(text).toMatch(/jobs\.jsonl:14: not a valid job record/);
    await writeFile(join(dir, 'manifest.json'), '{"runId": ');
    expect((await readRun(dir)).warnings.join('\n')).toMatch(/manifest\.json could not be read/);
  });
});
