import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getDataset, listDatasets, registerDataset, unregisterDataset } from '../src/index.js';
import { MEDMNIST_2D } from '../src/medmnist-info.js';
import { hasShared, SHARED } from './helpers.js';

describe('dataset registry', () => {
  it('lists the built-in datasets, including every 2D MedMNIST dataset', () => {
    const ids = listDatasets().map((d) => d.id);
    for (const id of ['brain-tumor-mri', 'mednist-3000', 'breastmnist', 'brain-tumor-mri-tiny', 'mednist-tiny', 'pathmnist', 'organsmnist']) {
      expect(ids).toContain(id);
    }
    expect(ids).toEqual([...ids].sort());
    expect(listDatasets({ fixtures: false }).map((d) => d.id)).not.toContain('mednist-tiny');
    expect(ids.filter((id) => id.endsWith('3d'))).toEqual([]);
  });

  it('an unknown id is an error that lists the known ids', () => {
    expect(() => getDataset('nope')).toThrow(/unknown dataset 'nope'; known datasets: .*brain-tumor-mri.*mednist-3000/);
  });

  it('refuses duplicate ids and bad descriptions', () => {
    const info = { ...getDataset('mednist-tiny'), id: 'test-copy' };
    registerDataset(info);
    try {
      expect(() => registerDataset(info)).toThrow(/'test-copy' is already registered/);
      expect(() => registerDataset({ ...info, id: 'Bad Id' })).toThrow(/must be lower-case/);
      expect(() => registerDataset({ ...info, id: 'one-label', labels: ['a'] })).toThrow(/at least 2 labels/);
    } finally {
      unregisterDataset('test-copy');
    }
  });

  it.skipIf(!hasShared)('MedMNIST metadata equals the official v3.0.2 info (shared medmnist-v3-info.json)', () => {
    const official = JSON.parse(readFileSync(join(SHARED, 'medmnist-v3-info.json'), 'utf8')).datasets as Record<string, any>;
    const flags2d = Object.keys(official).filter((f) => !f.endsWith('3d'));
    expect(MEDMNIST_2D.map((m) => m.flag).sort()).toEqual(flags2d.sort());
    for (const m of MEDMNIST_2D) {
      const o = official[m.flag];
      const info = getDataset(m.flag);
      expect(info.task).toBe(o.task);
      expect(info.channels).toBe(o.n_channels);
      expect(info.expectedSplits).toEqual(o.n_samples);
      expect(info.labels).toEqual(Object.keys(o.labels).sort((a, b) => +a - +b).map((k) => o.labels[k]));
      expect(info.licence).toBe(o.license);
      for (const [res, suffix] of [[28, ''], [64, '_64'], [128, '_128'], [224, '_224']] as const) {
        expect(info.source.files?.find((f) => f.resolution === res)).toEqual({ resolution: res, url: o[`url${suffix}`], md5: o[`MD5${suffix}`] });
      }
    }
  });
});

describe.skipIf(!hasShared)('describeDataset (what `udtl datasets inspect` prints)', () => {
  it('reports split and class counts, shapes, duplicates and data files', async () => {
    const { describeDataset, loadDataset } = await import('../src/index.js');
    const d = await describeDataset(await loadDataset('breastmnist'));
    expect(d.splits.found).toEqual({ train: 546, val: 78, test: 156 });
    expect(d.splits.kept).toEqual({ train: 545, val: 78, test: 155 });
    expect(d.classes.map((c) => c.found)).toEqual([{ train: 147, val: 21, test: 42 }, { train: 399, val: 57, test: 114 }]);
    expect(d.imageShapes).toEqual({ '28x28x1': 780 });
    expect(d.duplicates.dropped.map((x) => [x.id, x.reason])).toEqual([['test/76', 'label-conflict'], ['train/115', 'label-conflict']]);
    expect(d.duplicates.conflicts).toEqual([{ ids: ['test/76', 'train/115'], labels: ['normal, benign', 'malignant'] }]);
    expect(d.foldGroups).toBeUndefined();
    const tiny = await describeDataset(await loadDataset('brain-tumor-mri-tiny'));
    expect(Object.values(tiny.imageShapes).reduce((a, b) => a + b, 0)).toBe(20);
    expect(tiny.imageShapes['512x512x3']).toBeGreaterThan(0);
  });
});
