import { checkMethod, getMethodSpec, initBackend, listMethods, SELECTION_BUDGET } from '@udtl/core';
import { loadDataset } from '@udtl/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageFeatures, intensityHistogram } from '../src/index.js';

beforeAll(async () => {
  await initBackend();
});

describe('intensity-histogram (example baseline package)', () => {
  it('registers itself on import', () => {
    expect(listMethods()).toContain('intensity-histogram');
    expect(getMethodSpec('intensity-histogram')).toBe(intensityHistogram);
  });

  it('passes the conformance kit on real MedNIST fixture images', async () => {
    const ds = await loadDataset('mednist-tiny');
    const fixture = ds.labelledSet(ds.samples.map((s) => s.id), { size: 32 });
    const report = await checkMethod(intensityHistogram, { fixture });
    expect(report.balancedAccuracy).toBeGreaterThan(0.5);
    expect(report.chosen).toHaveProperty('C');
    // the project's selection budget: 2 configurations × 4 C values, chosen inside the fold
    expect(report.chosen).toMatchObject({ candidates: SELECTION_BUDGET, selection: 'inner-cv' });
  });

  it('features: histogram sums to 1 and grid cells hold the mean grey level', () => {
    // 2x2 image: top row black, bottom row white.
    const px = new Uint8Array([0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
    const f = imageFeatures(px, 2, 2, { bins: 4, cells: 2 });
    expect(Array.from(f.subarray(0, 4))).toEqual([0.5, 0, 0, 0.5]);
    expect(Array.from(f.subarray(4))).toEqual([0, 0, 1, 1]);
  });

  it('rejects bad parameters by name', () => {
    expect(() => intensityHistogram.create({ bins: 1 })).toThrow(/intensity-histogram: bins must be a whole number ≥ 2, got 1/);
    expect(() => intensityHistogram.create({ grid: [{}, { cells: 0 }] })).toThrow(/intensity-histogram: grid entry 1: cells must be a whole number ≥ 1, got 0/);
    expect(intensityHistogram.paramDocs.bins).toBe('histogram bins over 0..255');
    expect(() => intensityHistogram.create({ grid: [{ Cs: [1] }] })).toThrow(/sets 'Cs', which is not tunable/);
  });
});
