import { beforeAll, describe, expect, it } from 'vitest';
import { checkMethod, getMethodSpec, initBackend, METHOD_CHECKS } from '@udtl/core';
import { loadDataset, type LabelledSet } from '@udtl/datasets';
import { baselineIds, tempDir } from './helpers.js';

// Every method this package registers passes core's conformance kit on real fixture images
// (mednist-tiny: 6 classes × 10 JPEGs, at 224 px as the default experiment requests them).
const ids = await baselineIds();
let fixture: LabelledSet;
const cacheDir = tempDir('baselines-check');

beforeAll(async () => {
  await initBackend();
  const ds = await loadDataset('mednist-tiny');
  fixture = ds.labelledSet(ds.samples.map((s) => s.id), { size: 224, mode: 'resize' });
}, 300_000);

describe('baselines registry', () => {
  it('registers the four comparators, each with documented defaults', () => {
    for (const id of ['fine-tuned', 'pixel-cae', 'random-backbone', 'transfer-learned']) expect(ids).toContain(id);
    for (const id of ids) {
      const spec = getMethodSpec(id);
      for (const k of Object.keys(spec.defaults)) expect(spec.paramDocs?.[k], `${id}.${k}`).toBeTruthy();
      expect(() => spec.create({ noSuchParam: 1 } as never)).toThrow(new RegExp(`Unknown parameter 'noSuchParam' for method '${id}'`));
    }
  });
});

describe.each(ids)('%s', (id) => {
  it('passes checkMethod on mednist-tiny at 224', async () => {
    const report = await checkMethod(getMethodSpec(id), { fixture, cacheDir, warmup: true, chanceMargin: 0.3 });
    expect(report.passed).toEqual([...METHOD_CHECKS]);
    expect(report.nClasses).toBe(6);
    // 6 classes: chance 1/6; "a wide margin" = at least 0.3 above it
    expect(report.balancedAccuracy).toBeGreaterThan(1 / 6 + 0.3);
    console.log(`${id}: balanced accuracy ${report.balancedAccuracy.toFixed(3)}, chosen ${JSON.stringify(report.chosen).slice(0, 200)}`);
  }, 400_000); // three fits each; fine-tuned's selection runs and refit take minutes on a loaded 2-core machine
});
