/**
 * Fit + predict seconds per baseline on one fold of brain-tumor-mri (5-fold CV, fold 0) at label
 * budgets 5 per class and all, with the frozen features cached first (prepare(), timed apart).
 *   pnpm bench [-- --limit 600] [--methods transfer-learned,fine-tuned] [--dataset brain-tumor-mri]
 * --limit keeps every k-th image (per class order preserved) for a quicker run.
 */
import { parseArgs } from 'node:util';
import * as core from '@udtl/core';
import { applyBudget, cacheDir as defaultCacheDir, loadDataset, stratifiedKFold, type LabelBudget } from '@udtl/datasets';
import '../src/index.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'brain-tumor-mri' },
    limit: { type: 'string' },
    methods: { type: 'string', default: 'transfer-learned,random-backbone,pixel-cae,fine-tuned' },
    'cache-dir': { type: 'string' },
  },
});

const backend = await core.initBackend();
const ds = await loadDataset(values.dataset!);
let samples = ds.samples;
if (values.limit) {
  const step = Math.max(1, Math.floor(samples.length / Number(values.limit)));
  samples = samples.filter((_, i) => i % step === 0);
}
const cacheDir = values['cache-dir'] ?? defaultCacheDir();
const opts = { size: 224, mode: 'resize' as const };
const [fold] = stratifiedKFold(samples, { k: 5, seed: 0 });
const budgets: [string, LabelBudget][] = [['5', { perClass: 5 }], ['all', 'all']];
const rows: string[][] = [];
const sec = (t0: number) => ((performance.now() - t0) / 1000).toFixed(2);
console.log(`backend ${backend.name} (threads ${backend.threads ?? '?'}), ${values.dataset}: ${samples.length} images, fold 0 of 5: ${fold.train.length} train / ${fold.test.length} test; cache ${cacheDir}`);

for (const id of values.methods!.split(',')) {
  const method = core.createMethod(id);
  const ctx = { seed: 0, cacheDir, stages: new core.MemoryStageStore() };
  let t0 = performance.now();
  await method.prepare?.(ds.images(samples.map((s) => s.id), opts), ctx);
  const prepare = sec(t0);
  for (const [name, budget] of budgets) {
    const split = applyBudget(fold, samples, budget, 0);
    const test = ds.labelledSet(split.test, opts);
    t0 = performance.now();
    const model = await method.fit({ labelled: ds.labelledSet(split.labelled, opts), unlabelled: ds.images(split.unlabelled, opts) }, ctx);
    const fit = sec(t0);
    t0 = performance.now();
    const proba = await model.predictProba(test.images);
    const predict = sec(t0);
    const acc = proba.filter((r, i) => r.indexOf(Math.max(...r)) === test.labels[i]).length / proba.length;
    rows.push([id, name, String(split.labelled.length), prepare, fit, predict, acc.toFixed(3)]);
    console.log(rows.at(-1)!.join('\t'));
    model.dispose();
  }
}

const head = ['method', 'budget', 'labelled', 'prepare s', 'fit s', 'predict s', 'accuracy'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(['', line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
console.log('prepare = frozen features into the cache for every image (first run only); fit includes the cached-feature reads.');
