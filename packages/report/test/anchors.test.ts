import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAnchors, registerAnchor } from '../src/anchors.js';
import { anchorsSection } from '../src/html/verdict.js';
import { buildReport } from '../src/report.js';
import { summarize } from '../src/summary.js';
import type { JobRecord, ResultRow } from '../src/results/types.js';
import { writeSyntheticRun } from '../src/synthetic.js';

const text = (html: string) => html.replace(/<br>|<\/tr>|<\/li>/g, '\n').replace(/<\/td>/g, ' | ').replace(/<[^>]+>/g, '').replace(/&quot;/g, '"');

describe('published anchors (data)', () => {
  it('BreastMNIST carries the MedMNIST+ and MedMNIST v2 numbers with citations and protocol notes', () => {
    const a = listAnchors('breastmnist');
    expect(a.map((x) => [x.accuracy, x.auc])).toEqual([[86.1, 93.5], [90.6, 94.0], [86.3, 90.1]]);
    expect(a[0].source).toMatch(/^Doerrich et al\. 2024/);
    expect(a[2].source).toMatch(/^Yang et al\. 2023.*Scientific Data/);
    expect(a.every((x) => x.protocol.length > 20)).toBe(true);
    expect(listAnchors('brain-tumor-mri')).toEqual([]);
  });

  it('registration checks its input and returns copies', () => {
    expect(() => registerAnchor({ ...listAnchors('breastmnist')[0] })).toThrow(/already registered for breastmnist/);
    expect(() => registerAnchor({ dataset: 'x', model: 'm', accuracy: 0.861, auc: 935, source: 's', protocol: 'p' })).toThrow(/auc 935 of 'm' \(x\) is not a percentage/);
    listAnchors('breastmnist')[0].accuracy = 0;
    expect(listAnchors('breastmnist')[0].accuracy).toBe(86.1);
  });
});

describe('anchors section', () => {
  // BreastMNIST's official test split has 156 images; 133 right = 85.26 %.
  const official = (method: string, acc: number, auc: number): ResultRow[] => [
    ['accuracy', acc], ['auc', auc], ['n_test', 156],
  ].map(([metric, value]) => ({ dataset: 'breastmnist', method, fold: 'official', repeat: 0, budget: 'all', seed: 0, metric: metric as string, value: value as number }));

  it('puts our official-split ACC/AUC (with the Wilson interval) beside the published ones', () => {
    const summaries = summarize([...official('zero-bias-cae', 133 / 156, 0.9012), ...official('transfer-learned', 0.8333, 0.88)]);
    const html = anchorsSection(summaries, { config: { backbone: 'mobilenet-v2-1.0', inputSize: 224, resizeMode: 'pad' } }, ['breastmnist'], ['zero-bias-cae', 'transfer-learned']);
    const t = text(html);
    // Wilson 95% for 133/156: R 4.2.2 prop.test(133, 156, correct = FALSE)$conf.int = 0.7884789 0.8997030.
    expect(t).toContain('ours: zero-bias-cae | 85.3 [78.8, 90.0] | 90.1 | 1 score(s) | this run (all labels)');
    expect(t.indexOf('ours: zero-bias-cae')).toBeLessThan(t.indexOf('ours: transfer-learned'));
    expect(t).toContain('AlexNet (ImageNet), frozen, linear probe, 224 px | 86.1 | 93.5 | published');
    expect(t).toContain('best end-to-end trained model, 224 px | 90.6 | 94.0 | published');
    expect(t).toContain('ResNet-18, trained from scratch, 28 px | 86.3 | 90.1 | published');
    expect(t).toContain('Ours: mobilenet-v2-1.0 at 224 px, images zero-padded (MedMNIST+ pads only its 28–128 px versions');
    expect(t).toContain('how hyper-parameters were chosen is not recorded');
    expect(t).not.toContain('officialSplit');
  });

  it('says how the official-split jobs chose their hyper-parameters (val split or training images)', () => {
    const summaries = summarize([...official('zero-bias-cae', 133 / 156, 0.9012), ...official('transfer-learned', 0.8333, 0.88)]);
    const job = (method: string, selection: string): JobRecord => ({ key: method, dataset: 'breastmnist', method, fold: 'official', repeat: 0, budget: 'all', seed: 0, status: 'ok', chosen: { selection } });
    const section = (jobs: JobRecord[]) => text(anchorsSection(summaries, undefined, ['breastmnist'], [], jobs));
    expect(section([job('zero-bias-cae', 'validation'), job('transfer-learned', 'validation')])).toContain('chosen on the official validation split (select on val, test on test)');
    expect(section([job('zero-bias-cae', 'inner-cv'), job('transfer-learned', 'held-out')])).toContain('no official validation split was used');
    expect(section([job('zero-bias-cae', 'validation'), job('transfer-learned', 'inner-cv')])).toContain('1 of 2 methods chose their hyper-parameters on the official validation split');
  });

  it('without official results it says how to get them, and still lists the published numbers', () => {
    const summaries = summarize([{ dataset: 'breastmnist', method: 'zero-bias-cae', fold: 0, repeat: 0, budget: 'all', seed: 0, metric: 'accuracy', value: 0.8 }]);
    const t = text(anchorsSection(summaries, undefined, ['breastmnist']));
    expect(t).toContain('This run has no official-split results for breastmnist. To get them, set "officialSplit": true in the experiment config');
    expect(t).toContain('86.1 | 93.5 | published');
    expect(t).not.toContain('ours:');
  });

  it('a dataset with official results but no anchors says so; datasets with neither are left out', () => {
    const rows = official('zero-bias-cae', 0.7, 0.75).map((r) => ({ ...r, dataset: 'brain-tumor-mri' }));
    const t = text(anchorsSection(summarize(rows), undefined, ['brain-tumor-mri', 'mednist-3000']));
    expect(t).toContain('No published anchors are registered for brain-tumor-mri');
    expect(t).not.toContain('mednist-3000');
    expect(text(anchorsSection([], undefined, ['mednist-3000']))).toContain('No dataset in this run has an official train/test split result or a published anchor.');
  });

  it('a partial budget is flagged as not comparable; several seeds give mean ± sd', () => {
    const rows = [0.8, 0.9].flatMap((acc, seed) => official('zero-bias-cae', acc, 0.9).map((r) => ({ ...r, budget: 20, seed })));
    const t = text(anchorsSection(summarize(rows), undefined, ['breastmnist']));
    // sd of [0.8, 0.9] (n − 1) = 0.0707 → 7.1 points.
    expect(t).toContain('ours: zero-bias-cae | 85.0 ± 7.1 | 90.0 | 2 score(s) | this run (20/class)');
    expect(t).toContain('fewer labels than the published models used, so not comparable');
  });
});

describe('the anchors section inside buildReport', () => {
  let root: string;
  beforeAll(async () => void (root = await mkdtemp(join(tmpdir(), 'udtl-anchors-'))));
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('with and without an official split in a synthetic run; never NaN', async () => {
    for (const official of [['breastmnist'], false] as const) {
      const dir = join(root, official ? 'with' : 'without');
      await writeSyntheticRun(dir, { folds: 3, budgets: ['all'], official: official || false });
      const { htmlPath } = await buildReport(dir, { png: false });
      const html = await readFile(htmlPath, 'utf8');
      expect(html).not.toMatch(/NaN|>undefined</);
      const section = text(html.slice(html.indexOf('<section id="anchors">'), html.indexOf('<section id="significance">')));
      expect(section).toContain('86.1 | 93.5 | published');
      expect(section.includes('ours: zero-bias-cae'), String(official)).toBe(Boolean(official));
      expect(section.includes('"officialSplit": true'), String(official)).toBe(!official);
    }
  });
});
