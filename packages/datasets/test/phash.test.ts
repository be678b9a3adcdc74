import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  dct2dLow, decodeImageFile, foldGroups, hammingDistance, loadDatasetFromPath, nearDuplicateSets, phashOfThumbnail, PHASH_THRESHOLD,
  popcount32, rgbToGrey, sourceGroupOf, getDataset,
} from '../src/index.js';
import { hasFull, hasShared, SHARED, withTempDir } from './helpers.js';

const phashOf = async (bytes: Uint8Array) => phashOfThumbnail(rgbToGrey(await decodeImageFile(bytes, { height: 32, width: 32, mode: 'resize' }, 'test'), 1024));

describe('pHash arithmetic', () => {
  // x[r][c] = (37r + 11c + (rc mod 17)) mod 256; reference from scipy 1.17:
  // d = scipy.fft.dct(scipy.fft.dct(x, axis=0), axis=1)[:8, :8]; bits = d > median(d), row-major, MSB first.
  const x = Array.from({ length: 1024 }, (_, i) => { const r = Math.floor(i / 32), c = i % 32; return (r * 37 + c * 11 + ((r * c) % 17)) % 256; });

  it('2-D DCT-II matches scipy (unnormalised type 2)', () => {
    const d = dct2dLow(x, 32, 8);
    expect(d[0]).toBeCloseTo(515876.0, 6);
    expect(d[1]).toBeCloseTo(-2910.699226554454, 6);
    expect(d[8]).toBeCloseTo(-870.7569300436951, 6);
    expect(d[3 * 8 + 5]).toBeCloseTo(-1346.355615643012, 6);
    expect(d[63]).toBeCloseTo(-1907.4057232663345, 6);
  });

  it('hash bits are the low block above its median (numpy reference 86934b9d4e5a4b1e)', () => {
    expect(phashOfThumbnail(x)).toBe('86934b9d4e5a4b1e');
  });

  it('Hamming distance and popcount', () => {
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('86934b9d4e5a4b1e', '86934b9d4e5a4b1f')).toBe(1);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    expect(() => hammingDistance('00', '000')).toThrow(/different lengths/);
  });

  it('near-duplicate sets join transitively within the threshold, and only then', () => {
    const hashes = new Map([
      ['a', '0000000000000000'],
      ['b', '000000000000003f'], // 6 bits from a
      ['c', '0000000000000fff'], // 6 bits from b, 12 from a: joined through b
      ['d', 'ffffffff00000000'],
    ]);
    expect(nearDuplicateSets(hashes, 6)).toEqual([['a', 'b', 'c']]);
    expect(nearDuplicateSets(hashes, 5)).toEqual([]);
    expect(() => nearDuplicateSets(hashes, 65)).toThrow(/0\.\.64/);
  });
});

describe('source groups from file names (COVID-CT patterns)', () => {
  const patterns = getDataset('covid-ct').sourceGroups!.patterns.map((p) => new RegExp(p));
  it('paper id for COVID images, figure number for non-COVID ones, none for a lone file', () => {
    expect(sourceGroupOf('CT_COVID/2020.03.26.20041426-p11-85%1.png', patterns)).toBe('CT_COVID/2020.03.26.20041426');
    expect(sourceGroupOf('CT_COVID/2020.02.26.20026989-p34-114_2%0.png', patterns)).toBe('CT_COVID/2020.02.26.20026989');
    expect(sourceGroupOf('CT_COVID/bmj.m606.full-p4-22%1.png', patterns)).toBe('CT_COVID/bmj.m606.full');
    expect(sourceGroupOf('CT_COVID/PIIS0140673620303603%7.png', patterns)).toBe('CT_COVID/PIIS0140673620303603');
    expect(sourceGroupOf('CT_COVID/PIIS0140673620301549_0%0.png', patterns)).toBe('CT_COVID/PIIS0140673620301549');
    expect(sourceGroupOf('CT_NonCOVID/10%2.jpg', patterns)).toBe('CT_NonCOVID/10');
    expect(sourceGroupOf('CT_NonCOVID/102.png', patterns)).toBeUndefined();
  });
});

/** Constructed copies of real images: each must stay within the threshold of its original. */
const COPIES: Record<string, (img: sharp.Sharp, w: number, h: number) => sharp.Sharp> = {
  'JPEG quality 40': (img) => img.jpeg({ quality: 40 }),
  'JPEG quality 90': (img) => img.jpeg({ quality: 90 }),
  'resized to half': (img, w, h) => img.resize(Math.round(w / 2), Math.round(h / 2)).png(),
  'cropped 2 px each side': (img, w, h) => img.extract({ left: 2, top: 2, width: w - 4, height: h - 4 }).png(),
};

async function checkSeparation(folder: string, files: string[]) {
  const originals = await Promise.all(files.map(async (f) => phashOf(readFileSync(join(folder, f)))));
  for (const [i, f] of files.entries()) {
    const { width = 0, height = 0 } = await sharp(join(folder, f)).metadata();
    for (const [name, make] of Object.entries(COPIES)) {
      const copy = await phashOf(await make(sharp(join(folder, f)), width, height).toBuffer());
      expect(hammingDistance(originals[i], copy), `${f}, ${name}`).toBeLessThanOrEqual(PHASH_THRESHOLD);
    }
  }
  // Unrelated images of the same class stay apart.
  for (let i = 0; i < files.length; i++) {
    for (let j = i + 1; j < files.length; j++) {
      expect(hammingDistance(originals[i], originals[j]), `${files[i]} vs ${files[j]}`).toBeGreaterThan(PHASH_THRESHOLD);
    }
  }
}

describe.skipIf(!hasShared)('the threshold separates constructed copies from unrelated images (brain MRI fixture)', () => {
  const root = join(SHARED, 'fixtures', 'brain_tumor_mri_tiny');
  // gg (540) and gg (541) are adjacent slices of one patient: 2 bits apart, grouped like copies
  // (a 64-bit pHash cannot tell them apart from a copy; for fold leakage that is the right call).
  const adjacent = ['glioma_tumor/gg (540).jpg', 'glioma_tumor/gg (541).jpg'];
  for (const cls of ['glioma_tumor', 'meningioma_tumor', 'pituitary_tumor']) {
    it(cls, async () => {
      const files = (await readdir(join(root, cls))).map((f) => `${cls}/${f}`).filter((f) => f !== adjacent[1]);
      await checkSeparation(root, files);
    });
  }
  it('adjacent slices of one patient fall within the threshold', async () => {
    const [a, b] = await Promise.all(adjacent.map((f) => phashOf(readFileSync(join(root, f)))));
    expect(hammingDistance(a, b)).toBeLessThanOrEqual(PHASH_THRESHOLD);
  });
});

describe.skipIf(!hasFull || !existsSync(join(SHARED, 'busi')))('the threshold separates constructed copies from unrelated images (BUSI)', () => {
  it('6 benign and 5 malignant images, pairwise unrelated', async () => {
    const root = join(SHARED, 'busi');
    await checkSeparation(root, ['benign/benign (1).png', 'benign/benign (10).png', 'benign/benign (100).png', 'benign/benign (200).png', 'benign/benign (300).png', 'benign/benign (400).png']);
    await checkSeparation(root, ['malignant/malignant (1).png', 'malignant/malignant (50).png', 'malignant/malignant (100).png', 'malignant/malignant (150).png', 'malignant/malignant (200).png']);
  });
});

describe.skipIf(!hasShared)('foldGroups on a folder with constructed near-duplicates', () => {
  it('groups each original with its copies, caches the hashes, and ignores them on request', async () => {
    await withTempDir(async (dir) => {
      const src = join(SHARED, 'fixtures', 'brain_tumor_mri_tiny');
      const data = join(dir, 'data');
      const originals = ['glioma_tumor/gg (540).jpg', 'meningioma_tumor/m1(187).jpg', 'no_tumor/image (22).jpg', 'pituitary_tumor/p (127).jpg'];
      for (const cls of ['glioma_tumor', 'meningioma_tumor', 'no_tumor', 'pituitary_tumor']) await mkdir(join(data, cls), { recursive: true });
      for (const f of (await readdir(src, { recursive: true })).filter((f) => /\.jpg$/.test(f))) await writeFile(join(data, f), readFileSync(join(src, f)));
      for (const f of originals) {
        const img = sharp(join(src, f));
        const { width = 0, height = 0 } = await img.metadata();
        await writeFile(join(data, f.replace('.jpg', '-q40.jpg')), await sharp(join(src, f)).jpeg({ quality: 40 }).toBuffer());
        await writeFile(join(data, f.replace('.jpg', '-half.png')), await sharp(join(src, f)).resize(Math.round(width / 2), Math.round(height / 2)).png().toBuffer());
      }
      const ds = await loadDatasetFromPath(data);
      const cache = join(dir, 'cache');
      const g = await foldGroups(ds, { cacheDir: cache });
      const expected = originals.map((f) => [f.replace('.jpg', '-half.png'), f.replace('.jpg', '-q40.jpg'), f]);
      expected[0].push('glioma_tumor/gg (541).jpg'); // the adjacent slice (see above)
      expect(g.nearDuplicateSets).toEqual(expected.map((s) => s.sort()));
      expect(g.hashing.computed).toBe(28);
      expect(g.conflicting).toEqual([]);
      for (const set of g.nearDuplicateSets) expect(new Set(set.map((id) => g.groupOf.get(id))).size).toBe(1);
      expect((await readdir(join(cache, 'phash'))).filter((f) => f.endsWith('.json'))).toHaveLength(1);
      const again = await foldGroups(ds, { cacheDir: cache });
      expect(again.hashing).toMatchObject({ computed: 0, fromCache: 28 });
      expect(again.groups).toEqual(g.groups);
      const ignored = await foldGroups(ds, { cacheDir: cache, nearDuplicates: 'ignore' });
      expect(ignored.groups).toEqual([]);
      expect(new Set(ignored.groupOf.values()).size).toBe(28);
      await expect(foldGroups(ds, { nearDuplicates: 'maybe' as never })).rejects.toThrow(/'group' or 'ignore', got 'maybe'/);
    });
  });
});
