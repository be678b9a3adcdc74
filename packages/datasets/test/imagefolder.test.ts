import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadDataset, loadDatasetFromPath, sha256 } from '../src/index.js';
import { hasShared, SHARED, withTempDir } from './helpers.js';

const FIXTURE = join(SHARED, 'fixtures', 'brain_tumor_mri_tiny');

async function collect(set: { batches(n: number): AsyncIterable<{ ids: string[]; data: Uint8Array; n: number }> }, n: number) {
  const ids: string[] = [];
  const sizes: number[] = [];
  const chunks: Uint8Array[] = [];
  for await (const b of set.batches(n)) {
    ids.push(...b.ids);
    sizes.push(b.n);
    chunks.push(b.data);
  }
  return { ids, sizes, chunks };
}

describe.skipIf(!hasShared)('image-folder datasets (fixtures)', () => {
  it('loads brain-tumor-mri-tiny from labels.csv: ids with spaces and parentheses, hashes of file bytes', async () => {
    const d = await loadDataset('brain-tumor-mri-tiny');
    expect(d.samples).toHaveLength(20);
    expect(d.info.labels.map((_, c) => d.samples.filter((s) => s.label === c).length)).toEqual([5, 5, 5, 5]);
    const s = d.samples.find((x) => x.id === 'glioma_tumor/gg (540).jpg')!;
    expect(s.label).toBe(0);
    expect(s.split).toBe('');
    expect(s.hash).toBe(sha256(await readFile(join(FIXTURE, 'glioma_tumor', 'gg (540).jpg'))));
    expect(d.samples.some((x) => x.id === 'meningioma_tumor/m1(187).jpg')).toBe(true);
    expect(d.contentHash).toBe(sha256(d.samples.map((x) => x.hash).sort().join('\n')));
    expect(d.dataFiles.map((f) => f.role)).toEqual(['manifest', 'labels.csv']);
  });

  it('decodes lazily in batches to the requested size, in id order; subset keeps the given order', async () => {
    const d = await loadDataset('brain-tumor-mri-tiny');
    expect(() => d.images()).toThrow(/may differ in size\); pass images\(ids, \{ size \}\)/);
    const set = d.images(undefined, { size: 64 });
    expect(set.hashes).toEqual(d.samples.map((s) => s.hash));
    const { ids, sizes, chunks } = await collect(set, 8);
    expect(ids).toEqual(d.samples.map((s) => s.id));
    expect(sizes).toEqual([8, 8, 4]);
    expect(chunks[0].length).toBe(8 * 64 * 64 * 3);
    const pick = [d.samples[7].id, d.samples[2].id];
    const sub = set.subset(pick);
    const again = await collect(sub, 5);
    expect(again.ids).toEqual(pick);
    expect(again.chunks[0].subarray(0, 64 * 64 * 3)).toEqual(chunks[0].subarray(7 * 64 * 64 * 3, 8 * 64 * 64 * 3));
    expect(() => set.subset(['nope.jpg'])).toThrow(/no image with id 'nope\.jpg'/);
    const ls = d.labelledSet(pick, { size: 32, mode: 'pad' });
    expect([...ls.labels]).toEqual([d.samples[7].label, d.samples[2].label]);
    expect(ls.images.resizeMode).toBe('pad');
  });

  it('mednist-tiny: 64x64 greyscale JPEG → 3 equal channels at the stored size', async () => {
    const d = await loadDataset('mednist-tiny');
    expect(d.samples).toHaveLength(60);
    const set = d.images(d.samples.slice(0, 3).map((s) => s.id));
    expect([set.height, set.width]).toEqual([64, 64]);
    const { chunks } = await collect(set, 3);
    const px = chunks[0];
    let unequal = 0;
    for (let i = 0; i < px.length; i += 3) if (px[i] !== px[i + 1] || px[i] !== px[i + 2]) unequal++;
    expect(unequal).toBe(0);
    expect(px.some((v) => v > 0)).toBe(true);
  });

  it('loadDatasetFromPath reads class-per-folder trees (no labels.csv), split/class trees and PNGs', async () => {
    await withTempDir(async (dir) => {
      const flat = join(dir, 'flat data');
      await cp(FIXTURE, flat, { recursive: true });
      await rm(join(flat, 'labels.csv'));
      const d = await loadDatasetFromPath(flat);
      expect(d.info.id).toBe('flat-data');
      expect(d.info.labels).toEqual(['glioma_tumor', 'meningioma_tumor', 'no_tumor', 'pituitary_tumor']);
      expect(d.samples).toHaveLength(20);
      expect(d.dataFiles.map((f) => f.role)).toEqual(['manifest']);
      // A CSV manifest given directly: paths relative to its folder, any file name.
      await writeFile(join(flat, 'my list.csv'), 'path,split,label\nglioma_tumor/gg (540).jpg,Training,g\nno_tumor/image (22).jpg,Testing,n\n');
      const m = await loadDatasetFromPath(join(flat, 'my list.csv'), { id: 'mini' });
      expect(m.samples.map((x) => [x.id, x.split, x.label])).toEqual([['glioma_tumor/gg (540).jpg', 'train', 0], ['no_tumor/image (22).jpg', 'test', 1]]);
      expect(m.dataFiles.map((f) => f.path)).toEqual([flat, join(flat, 'my list.csv')]);

      const split = join(dir, 'split');
      for (const [sp, cls, v] of [['train', 'a', 10], ['train', 'b', 200], ['test', 'a', 20], ['test', 'b', 220]] as const) {
        await mkdir(join(split, sp, cls), { recursive: true });
        const png = await sharp(new Uint8Array(12).fill(v), { raw: { width: 2, height: 2, channels: 3 } }).png().toBuffer();
        await writeFile(join(split, sp, cls, `img (${v}).png`), png);
      }
      const s = await loadDatasetFromPath(split);
      expect(s.samples.map((x) => [x.id, x.split, x.label])).toEqual([
        ['test/a/img (20).png', 'test', 0], ['test/b/img (220).png', 'test', 1],
        ['train/a/img (10).png', 'train', 0], ['train/b/img (200).png', 'train', 1],
      ]);
      const { chunks } = await collect(s.images(undefined, { size: 2 }), 4);
      expect([chunks[0][0], chunks[0][12], chunks[0][24], chunks[0][36]]).toEqual([20, 220, 10, 200]);
    });
  });

  it('bad input: missing root, empty class, CSV row without image, unknown label, corrupt JPEG', async () => {
    // download: false, so that no test reaches outside this machine (the fetcher has its own tests).
    await expect(loadDataset('brain-tumor-mri-tiny', { dataDir: '/nonexistent/root', download: false })).rejects.toThrow(/\/nonexistent\/root\/fixtures\/brain_tumor_mri_tiny not found and downloading is off/);
    await expect(loadDatasetFromPath('/nonexistent/x')).rejects.toThrow(/\/nonexistent\/x does not exist/);
    await withTempDir(async (dir) => {
      const root = join(dir, 'fixtures', 'brain_tumor_mri_tiny');
      await cp(FIXTURE, root, { recursive: true });
      const csv = await readFile(join(root, 'labels.csv'), 'utf8');

      await writeFile(join(root, 'labels.csv'), csv + 'glioma_tumor/missing (1).jpg,,glioma_tumor\n');
      await expect(loadDataset('brain-tumor-mri-tiny', { dataDir: dir })).rejects.toThrow(/'glioma_tumor\/missing \(1\)\.jpg' \(label 'glioma_tumor'\) is listed but the file .* is missing/);

      await writeFile(join(root, 'labels.csv'), csv + 'glioma_tumor/gg (540).jpg,,astrocytoma\n');
      await expect(loadDataset('brain-tumor-mri-tiny', { dataDir: dir })).rejects.toThrow(/label 'astrocytoma' is not one of the dataset's classes/);

      await writeFile(join(root, 'labels.csv'), csv.split('\n').filter((l) => !l.includes(',no_tumor')).join('\n'));
      await expect(loadDataset('brain-tumor-mri-tiny', { dataDir: dir })).rejects.toThrow(/class 'no_tumor' has no images \(empty class\)/);

      await writeFile(join(root, 'labels.csv'), csv.replace(',,glioma_tumor', ',Holdout,glioma_tumor'));
      await expect(loadDataset('brain-tumor-mri-tiny', { dataDir: dir })).rejects.toThrow(/unknown split 'Holdout'/);

      await writeFile(join(root, 'labels.csv'), csv);
      const victim = join(root, 'no_tumor', 'image (22).jpg');
      const bytes = await readFile(victim);
      await writeFile(victim, bytes.subarray(0, bytes.length >> 1));
      const d = await loadDataset('brain-tumor-mri-tiny', { dataDir: dir });
      await expect(collect(d.images(['no_tumor/image (22).jpg'], { size: 32 }), 1)).rejects.toThrow(/cannot decode image .*no_tumor\/image \(22\)\.jpg/);
      await writeFile(victim, bytes.subarray(0, 100));
      await expect(collect(d.images(['no_tumor/image (22).jpg'], { size: 32 }), 1)).rejects.toThrow(/changed since the dataset was loaded/);

      await rm(join(root, 'labels.csv'));
      await mkdir(join(root, 'empty_class'));
      await expect(loadDatasetFromPath(root)).rejects.toThrow(/class folder .*empty_class has no JPEG or PNG images \(empty class\)/);
    });
  });
});
