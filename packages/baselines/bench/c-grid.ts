/**
 * Where the chosen C falls in its grid, raw (cScaling 'none') vs scaled to the feature dimension,
 * for the probe baselines on brain-tumor-mri (5 folds × budgets), from the feature cache.
 *   node --import tsx bench/c-grid.ts [--methods transfer-learned] [--budgets 5,20,all] [--folds 5] [--c 1e-5,1e-4,1e-3,1e-2]
 */
import { parseArgs } from 'node:util';
import * as core from '@udtl/core';
import { applyBudget, cacheDir as defaultCacheDir, loadDataset, stratifiedKFold, type LabelBudget } from '@udtl/datasets';
import '../src/index.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'brain-tumor-mri' },
    methods: { type: 'string', default: 'transfer-learned' },
    budgets: { type: 'string', default: '5,20,all' },
    folds: { type: 'string', default: '5' },
    scalings: { type: 'string', default: 'none,feature-dimension' },
    /** Comma-separated C values (at 1,024 features when scaled); default: the methods' own. */
    c: { type: 'string' },
  },
});
await core.initBackend();
const ds = await loadDataset(values.dataset!);
const opts = { size: 224, mode: 'resize' as const };
const folds = stratifiedKFold(ds.samples, { k: 5, seed: 0 }).slice(0, Number(values.folds));
const tally = new Map<string, Record<string, number>>();
for (const id of values.methods!.split(',')) {
  for (const scaling of values.scalings!.split(',')) {
    const method = core.createMethod(id, { cScaling: scaling, ...(values.c ? { cCandidates: values.c.split(',').map(Number) } : {}) });
    for (const b of values.budgets!.split(',')) {
      const budget: LabelBudget = b === 'all' ? 'all' : { perClass: Number(b) };
      for (const fold of folds) {
        const split = applyBudget(fold, ds.samples, budget, 0);
        const t0 = performance.now();
        const model = await method.fit({ labelled: ds.labelledSet(split.labelled, opts), unlabelled: ds.images(split.unlabelled, opts) }, { seed: 0, cacheDir: defaultCacheDir() });
        const c = model.chosen() as Record<string, any>;
        model.dispose();
        const key = `${id} ${scaling} ${b}`;
        const t = tally.get(key) ?? { low: 0, inside: 0, high: 0, none: 0, strict: 0 };
        t[c.cEdge]++;
        if (c.cEdgeStrict) t.strict++;
        tally.set(key, t);
        console.log(`${key} fold ${fold.index}: tap ${c.tap} d=${c.featureDim} C=${c.C} grid ${JSON.stringify(c.cGrid)} ${c.cEdge}${c.cEdgeStrict ? ' (strict)' : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
  }
}
console.log('\nmethod scaling budget | low inside high | strict edge hits');
for (const [k, t] of tally) console.log(`${k} | ${t.low} ${t.inside} ${t.high} | ${t.strict}`);
