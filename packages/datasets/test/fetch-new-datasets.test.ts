import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSourceUrl, fetchDataset, getDataset, loadDataset, readManifestRows } from '../src/index.js';
import { listFiles, startServer, type TestServer } from './fetch-helpers.js';
import { hasFull, SHARED, withTempDir } from './helpers.js';

const COVID = join(SHARED, 'covid-ct');
const ZIP = (name: string) => `/github.com/UCSD-AI4H/COVID-CT/raw/master/Images-processed/${name}.zip`;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let server: TestServer;
beforeAll(async () => { server = await startServer(); });
afterAll(() => server.close());

/** A zip like the source's: a top folder, the class's images (stored), a macOS resource fork to ignore. */
function classZip(folder: string, change?: string): Buffer {
  const files: Record<string, Uint8Array> = { [`__MACOSX/${folder}/._x.png`]: new Uint8Array([1, 2]) };
  for (const f of readdirSync(join(COVID, folder))) {
    const bytes = readFileSync(join(COVID, folder, f));
    files[`${folder}/${f}`] = f === change ? Buffer.concat([bytes, Buffer.from([0])]) : bytes;
  }
  return Buffer.from(zipSync(files, { level: 0 }));
}

describe('registry entries of the new datasets', () => {
  it('RetinaMNIST: the official npz and MD5; BUSI: no public source, said why; COVID-CT: two class archives and a per-image manifest', () => {
    expect(getDataset('retinamnist').source.files?.find((f) => f.resolution === 28)).toMatchObject({ md5: 'bd4c0672f1bba3e3a89f0e4e876791e4' });
    expect(getDataset('retinamnist').expectedSplits).toEqual({ train: 1080, val: 120, test: 400 });
    expect(getDataset('busi').source.fetch).toBeUndefined();
    expect(getDataset('busi').source.unavailable).toMatch(/no stable public download/);
    expect(datasetSourceUrl(getDataset('covid-ct'))).toMatch(/CT_COVID\.zip \+ .*CT_NonCOVID\.zip$/);
  });

  it.skipIf(!hasFull)('the COVID-CT manifest lists the mirror\'s images with their sha256 and official split', async () => {
    const rows = await readManifestRows('covid-ct.sha256.tsv.gz');
    const csv = readFileSync(join(COVID, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
    expect(rows.size).toBe(746);
    for (const [path, split] of csv) expect(rows.get(path)?.split, path).toBe(split);
    for (const [path] of csv.filter((_, i) => i % 50 === 0)) expect(rows.get(path)!.sha256).toBe(sha(readFileSync(join(COVID, path))));
  });

  it('BUSI missing: the error says there is no stable public download and what to do', async () => {
    await withTempDir(async (dir) => {
      const error = fetchDataset('busi', { dataDir: join(dir, 'root'), cacheDir: join(dir, 'cache') });
      await expect(error).rejects.toThrow(/dataset 'busi': folder .* not found .*no stable public download.*labels\.csv/);
      // Where to get it (the article's data link), what to drop (masks), and where to put the folder.
      await expect(error).rejects.toThrow('the authors\' page (https://scholar.cu.edu.eg/?q=afahmy/pages/dataset)');
      await expect(error).rejects.toThrow(/delete the masks \(files named \*_mask\*\.png/);
      await expect(error).rejects.toThrow(`then put that folder at ${join(dir, 'root', 'busi')}, or point --data-dir (or UDTL_DATA_DIR) at the folder that holds it`);
    });
  });
});

describe.skipIf(!hasFull)('COVID-CT fetched from a local server', () => {
  it('downloaded as two class zips, verified per image, identical to the mirror (labels.csv with the official split)', async () => {
    await withTempDir(async (dir) => {
      server.routes.set(ZIP('CT_COVID'), classZip('CT_COVID'));
      server.routes.set(ZIP('CT_NonCOVID'), classZip('CT_NonCOVID'));
      const opts = { dataDir: join(dir, 'root'), cacheDir: join(dir, 'cache'), rewrites: { baseUrl: server.base }, progress: false as const };
      const got = await fetchDataset('covid-ct', opts);
      expect(got).toEqual({ path: join(dir, 'cache', 'data', 'covid-ct'), from: 'downloaded' });
      const files = listFiles(COVID);
      expect(listFiles(got.path)).toEqual(files);
      for (const f of files.filter((_, i) => i % 25 === 0)) expect(readFileSync(join(got.path, f)).equals(readFileSync(join(COVID, f))), f).toBe(true);
      expect(readFileSync(join(got.path, 'labels.csv'), 'utf8').replaceAll('\r\n', '\n')).toBe(readFileSync(join(COVID, 'labels.csv'), 'utf8').replaceAll('\r\n', '\n'));
      const [a, b] = await Promise.all([loadDataset('covid-ct', { ...opts, download: false }), loadDataset('covid-ct', { dataDir: SHARED })]);
      expect(a.contentHash).toBe(b.contentHash);
      expect(await fetchDataset('covid-ct', opts)).toEqual({ path: got.path, from: 'cache' });
    });
  });

  it('a changed image: error naming it, archive deleted, nothing installed; offline: says where to put the zips', async () => {
    await withTempDir(async (dir) => {
      const changed = readdirSync(join(COVID, 'CT_NonCOVID')).sort()[3];
      server.routes.set(ZIP('CT_COVID'), classZip('CT_COVID'));
      server.routes.set(ZIP('CT_NonCOVID'), classZip('CT_NonCOVID', changed));
      const cache = join(dir, 'cache');
      const opts = { dataDir: join(dir, 'root'), cacheDir: cache, rewrites: { baseUrl: server.base }, progress: false as const };
      await expect(fetchDataset('covid-ct', opts)).rejects.toThrow(new RegExp(`CT_NonCOVID/${changed.replace(/[.%]/g, '\\$&')} has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64}.*deleted`));
      expect(existsSync(join(cache, 'data', 'covid-ct'))).toBe(false);
      expect(listFiles(join(cache, 'downloads'))).toEqual(['covid-ct-0-CT_COVID.zip']);
      await expect(fetchDataset('covid-ct', { ...opts, download: false })).rejects.toThrow(/downloading is off; get https:\/\/github\.com\/UCSD-AI4H\/COVID-CT\/raw\/master\/Images-processed\/CT_NonCOVID\.zip and put it at .*covid-ct-1-CT_NonCOVID\.zip/);
    });
  });
});
