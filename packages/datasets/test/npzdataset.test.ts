import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadDataset, loadDatasetFromPath, officialSplit } from '../src/index.js';
import { hasShared, SHARED, withTempDir } from './helpers.js';

/** A minimal .npy v1 file for uint8 data (test input only; parsing is checked against NumPy in npy.test.ts). */
function npy(shape: number[], data: Uint8Array): Uint8Array {
  let header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((header.length + 10) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

describe.skipIf(!hasShared)('MedMNIST npz datasets', () => {
  it('breastmnist: official split sizes, re-saved copy accepted on structure with its checksums recorded', async () => {
    const messages: string[] = [];
    const d = await loadDataset('breastmnist', { log: (m) => messages.push(m) });
    const counts = (split: string) => d.foundSamples.filter((s) => s.split === split).length;
    expect([counts('train'), counts('val'), counts('test')]).toEqual([546, 78, 156]);
    expect(d.storedShape).toEqual([28, 28, 1]);
    expect(d.dataFiles[0].officialMd5).toBe('750601b1f35ba3300ea97c75c52ff8f6');
    // md5sum / sha256sum of ../shared/data/breastmnist/breastmnist.npz
    expect(d.dataFiles[0].md5).toBe('098de56cd2d92ef2f7170e6153c02849');
    expect(d.dataFiles[0].sha256).toBe('5e68d79723fb3a63a399b0a66b66451799fc2eb3651f469cec0b679cfd743b68');
    expect(messages.join('\n')).toMatch(/differs from the official 750601b1/);
    // python3: hashlib.sha256(d['train_images'][0].tobytes()).hexdigest()
    expect(d.foundSamples.find((s) => s.id === 'train/0')!.hash).toBe('5dd4f268fc0378743cd553ac6377741f437dc8c469e1cf2a79fce77eafa75df1');
    // python3 (sha256 of each image's pixels): the only repeat is train/115 (label 0) == test/76 (label 1).
    // Two labels for one image (BUSI's benign (433) = malignant (145)): both copies dropped by default.
    const hash = d.foundSamples.find((s) => s.id === 'train/115')!.hash;
    expect(d.dropped).toEqual([
      { id: 'test/76', split: 'test', hash, keptId: '', keptSplit: '', reason: 'label-conflict' },
      { id: 'train/115', split: 'train', hash, keptId: '', keptSplit: '', reason: 'label-conflict' },
    ]);
    expect(d.duplicates.groupsWithConflictingLabels).toBe(1);
    const fold = officialSplit(d.samples);
    expect([fold.train.length, fold.val.length, fold.test.length]).toEqual([545, 78, 155]);
  });

  it('serves pixels as uint8 RGB: stored size, pad to 224 and resize to 224', async () => {
    const d = await loadDataset('breastmnist');
    const first = async (size?: number, mode?: 'pad' | 'resize') => {
      for await (const b of d.images(['val/5'], size ? { size, mode } : {}).batches(4)) return b;
      throw new Error('no batch');
    };
    const native = await first();
    // python3: d['val_images'][5][10,:5] → [159, 156, 162, 167, 170]
    expect([0, 1, 2, 3, 4].map((x) => native.data[(10 * 28 + x) * 3])).toEqual([159, 156, 162, 167, 170]);
    expect(native.data[(10 * 28) * 3 + 1]).toBe(159);
    const padded = await first(224, 'pad');
    expect([0, 1, 2, 3, 4].map((x) => padded.data[((98 + 10) * 224 + 98 + x) * 3])).toEqual([159, 156, 162, 167, 170]);
    expect(padded.data[0]).toBe(0);
    const resized = await first(224, 'resize');
    expect(resized.data.length).toBe(224 * 224 * 3);
    expect(resized.height).toBe(224);
    const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(resized.data) - mean(native.data))).toBeLessThan(2);
  });

  it('keep policy keeps every image; resolution without an official file is rejected', async () => {
    const d = await loadDataset('breastmnist', { duplicates: 'keep' });
    expect(d.samples).toHaveLength(780);
    expect(d.dropped).toEqual([]);
    expect(d.duplicates.groups).toBe(1);
    await expect(loadDataset('breastmnist', { resolution: 100 })).rejects.toThrow(/no resolution 100; available: 28, 64, 128, 224/);
  });

  it('bad npz files give errors naming the file and array', async () => {
    await withTempDir(async (dir) => {
      const bm = join(dir, 'breastmnist');
      await mkdir(bm);
      const img = new Uint8Array(2 * 28 * 28);
      const write = (members: Record<string, Uint8Array>) => writeFile(join(bm, 'breastmnist.npz'), zipSync(members));
      const opts = { dataDir: dir, download: false, cacheDir: join(dir, 'cache') };

      await write({ 'x.npy': npy([2], new Uint8Array(2)) });
      await expect(loadDataset('breastmnist', opts)).rejects.toThrow(/breastmnist\.npz: missing array train_images/);
      await write({
        'train_images.npy': npy([2, 28, 28], img), 'train_labels.npy': npy([2, 14], new Uint8Array(28)),
        'val_images.npy': npy([2, 28, 28], img), 'val_labels.npy': npy([2], new Uint8Array(2)),
        'test_images.npy': npy([2, 28, 28], img), 'test_labels.npy': npy([2], new Uint8Array(2)),
      });
      await expect(loadDataset('breastmnist', opts)).rejects.toThrow(/train_labels has shape \(2,14\).*multi-label/);
      await write({
        'train_images.npy': npy([2, 28, 28], img), 'train_labels.npy': npy([2], new Uint8Array(2)),
        'val_images.npy': npy([2, 28, 28], img), 'val_labels.npy': npy([2], new Uint8Array(2)),
        'test_images.npy': npy([2, 28, 28], img), 'test_labels.npy': npy([2], new Uint8Array(2)),
      });
      await expect(loadDataset('breastmnist', opts)).rejects.toThrow(/breastmnist\.npz: train has 2 images, expected 546/);
      await writeFile(join(bm, 'breastmnist.npz'), 'not a zip');
      await expect(loadDataset('breastmnist', opts)).rejects.toThrow(/breastmnist\.npz: not a readable \.npz/);
      await expect(loadDataset('chestmnist', opts)).rejects.toThrow(/'chestmnist' is multi-label, binary-class/);
      await expect(loadDataset('pathmnist', opts)).rejects.toThrow(/pathmnist\.npz not found; looked in .*pathmnist\.npz and .*cache\/downloads\/pathmnist\.npz/);

      const user = join(dir, 'mine.npz');
      await writeFile(user, zipSync({ 'train_images.npy': npy([2, 4, 4, 3], new Uint8Array(96)), 'train_labels.npy': npy([2, 1], new Uint8Array([0, 3])) }));
      const u = await loadDatasetFromPath(user);
      expect(u.info.labels).toEqual(['0', '1', '2', '3']);
      expect(u.storedShape).toEqual([4, 4, 3]);
      await expect(loadDatasetFromPath(user, { labels: ['a', 'b'] })).rejects.toThrow(/train_labels\[1\] = 3, but the dataset has 2 classes/);
      await writeFile(user, zipSync({ 'train_images.npy': npy([2, 4], new Uint8Array(8)), 'train_labels.npy': npy([2], new Uint8Array(2)) }));
      await expect(loadDatasetFromPath(user)).rejects.toThrow(/mine\.npz: train_images has shape \(2,4\); expected \(N,H,W\)/);
    });
  });

  it('a local copy is found in the data root, else in cacheDir/downloads', async () => {
    await withTempDir(async (dir) => {
      const cache = join(dir, 'cache');
      await mkdir(join(cache, 'downloads'), { recursive: true });
      await copyFile(join(SHARED, 'breastmnist', 'breastmnist.npz'), join(cache, 'downloads', 'breastmnist.npz'));
      const d = await loadDataset('breastmnist', { dataDir: join(dir, 'empty-root'), cacheDir: cache, download: false });
      expect(d.location).toBe(join(cache, 'downloads', 'breastmnist.npz'));
      expect(d.foundSamples).toHaveLength(780);
    });
  });
});
