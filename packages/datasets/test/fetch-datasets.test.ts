import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  datasetCandidates, fetchDataset, fetchResource, getDataset, getResource, labelsCsv, listResources, loadDataset,
  readFileManifest, registerDataset, registerResource, unregisterDataset, type DatasetInfo,
} from '../src/index.js';
import { modelsRoot } from '../src/paths.js';
import { buildTarGz, dropsMidway, listFiles, startServer, type TestServer } from './fetch-helpers.js';
import { hasFull, hasShared, SHARED, withTempDir } from './helpers.js';

const BRAIN_COMMIT = '3ea9f4eae54c67e5bddbf6f7a73582967a5f5f79';
const BRAIN_PATH = `/github.com/SartajBhuvaji/Brain-Tumor-Classification-DataSet/archive/${BRAIN_COMMIT}.tar.gz`;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let server: TestServer;
beforeAll(async () => { server = await startServer(); });
afterAll(() => server.close());
const rewrites = () => ({ baseUrl: server.base });
const requestsTo = (path: string) => server.log.filter((p) => p === path).length;

/** Same files, same bytes, same labels.csv as the mirror's folder. */
function expectSameFolder(got: string, want: string) {
  const files = listFiles(want);
  expect(listFiles(got)).toEqual(files);
  for (const f of files) expect(readFileSync(join(got, f)).equals(readFileSync(join(want, f))), f).toBe(true);
}

describe('registry: every default dataset has a public source', () => {
  it('archives carry checksums or a per-image manifest; subsets name a registered parent', () => {
    for (const id of ['mednist', 'mednist-3000', 'mednist-tiny', 'brain-tumor-mri', 'brain-tumor-mri-tiny']) {
      const f = getDataset(id).source.fetch!;
      expect(f, id).toBeDefined();
      if (f.kind === 'archive') expect(Boolean(f.md5 || f.sha256 || f.manifest), id).toBe(true);
      else expect(getDataset(f.of).id).toBe(f.of);
    }
    expect(getDataset('mednist').source.fetch).toMatchObject({ md5: '0bc7306e7427e00ad1c5526a6677552d', url: expect.stringMatching(/MONAI-extra-test-data\/releases\/download\/0\.8\.1\/MedNIST\.tar\.gz$/) });
    expect(getDataset('mednist').expectedSplits).toEqual({ '': 58954 });
    expect(getDataset('breastmnist').source.files?.find((f) => f.resolution === 28)?.md5).toMatch(/^[0-9a-f]{32}$/);
  });

  it.skipIf(!hasFull)('the brain MRI manifest lists exactly the mirror\'s images with their sha256', async () => {
    const manifest = await readFileManifest('brain-tumor-mri.sha256.tsv.gz');
    const csv = readFileSync(join(SHARED, 'brain-tumor-mri', 'labels.csv'), 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',')[0]);
    expect([...manifest.keys()].sort()).toEqual(csv.sort());
    for (const p of csv.filter((_, i) => i % 97 === 0)) expect(manifest.get(p)).toBe(sha(readFileSync(join(SHARED, 'brain-tumor-mri', p))));
  });

  it.skipIf(!hasShared)('labelsCsv writes what the mirror has byte for byte (CRLF, code-unit order)', () => {
    const want = readFileSync(join(SHARED, 'fixtures', 'brain_tumor_mri_tiny', 'labels.csv'), 'utf8');
    const rows = want.trim().split('\r\n').slice(1).reverse().map((l) => { const [path, split, label] = l.split(','); return { path, split, label }; });
    expect(labelsCsv(rows)).toBe(want);
    expect(labelsCsv([{ path: 'a,"b".jpg', split: '', label: 'x' }])).toBe('path,split,label\r\n"a,""b"".jpg",,x\r\n');
  });
});

describe.skipIf(!hasShared)('fetchDataset from a local server', () => {
  const tinyFiles = readdirSync(join(SHARED, 'fixtures', 'brain_tumor_mri_tiny')).filter((d) => !d.endsWith('.csv'))
    .flatMap((cls) => readdirSync(join(SHARED, 'fixtures', 'brain_tumor_mri_tiny', cls)).map((f) => `${cls}/${f}`));

  /** A GitHub-style archive (top folder <repo>-<commit>/) holding the fixture's 20 images, a decoy and a README. */
  function brainArchive(dir: string, corrupt = false): Buffer {
    const top = `Brain-Tumor-Classification-DataSet-${BRAIN_COMMIT}`;
    const files: Array<[string, string]> = tinyFiles.map((p) => [join(SHARED, 'fixtures', 'brain_tumor_mri_tiny', p), `${top}/Training/${p}`]);
    writeFileSync(join(dir, 'README.md'), '# readme');
    files.push([join(dir, 'README.md'), `${top}/README.md`]);
    files.reverse();
    if (corrupt) {
      writeFileSync(join(dir, 'bad.jpg'), 'not the image');
      files[1] = [join(dir, 'bad.jpg'), files[1][1]]; // files[0] is the README
    }
    return readFileSync(buildTarGz(dir, corrupt ? 'brain-bad' : 'brain', files));
  }

  it('brain-tumor-mri-tiny: downloaded, verified per image, identical to the mirror; a second run downloads nothing', async () => {
    await withTempDir(async (dir) => {
      server.routes.set(BRAIN_PATH, brainArchive(dir));
      const opts = { dataDir: join(dir, 'empty-root'), cacheDir: join(dir, 'cache'), rewrites: rewrites(), progress: false as const };
      const before = requestsTo(BRAIN_PATH);
      const got = await fetchDataset('brain-tumor-mri-tiny', opts);
      expect(got).toEqual({ path: join(dir, 'cache', 'data', 'fixtures', 'brain_tumor_mri_tiny'), from: 'downloaded' });
      expectSameFolder(got.path, join(SHARED, 'fixtures', 'brain_tumor_mri_tiny'));
      expect(await fetchDataset('brain-tumor-mri-tiny', opts)).toEqual({ path: got.path, from: 'cache' });
      expect(requestsTo(BRAIN_PATH) - before).toBe(1);
      // The loader finds the installed copy on its own, with the mirror's content hash.
      const [a, b] = await Promise.all([
        loadDataset('brain-tumor-mri-tiny', { ...opts, download: false }),
        loadDataset('brain-tumor-mri-tiny', { dataDir: SHARED }),
      ]);
      expect(a.location).toBe(got.path);
      expect(a.contentHash).toBe(b.contentHash);
      expect(existsSync(join(dir, 'empty-root'))).toBe(false);
    });
  });

  it('a copy under the data root is used as it is: no request, nothing written', async () => {
    await withTempDir(async (dir) => {
      const n = server.log.length;
      const got = await fetchDataset('mednist-tiny', { dataDir: SHARED, cacheDir: join(dir, 'cache'), rewrites: rewrites() });
      expect(got).toEqual({ path: join(SHARED, 'fixtures', 'medical_mnist_tiny'), from: 'data root' });
      expect(server.log.length).toBe(n);
      expect(existsSync(join(dir, 'cache'))).toBe(false);
    });
  });

  it('an image that differs from the manifest, a truncated archive, a dropped connection, a 404: clear errors, nothing valid-looking left', async () => {
    await withTempDir(async (dir) => {
      const cache = join(dir, 'cache');
      const opts = { dataDir: join(dir, 'root'), cacheDir: cache, rewrites: rewrites(), progress: false as const };
      const good = brainArchive(dir);
      const dest = join(cache, 'data', 'fixtures', 'brain_tumor_mri_tiny');
      const cases: Array<[string, Parameters<typeof server.routes.set>[1], RegExp]> = [
        ['corrupt image', brainArchive(dir, true), /brain-tumor-mri\.tar\.gz: Training\/.* has sha256 [0-9a-f]{64}, the manifest says [0-9a-f]{64} \(corrupt or changed file\); the archive was deleted/],
        ['truncated', good.subarray(0, good.length - 4000), /brain-tumor-mri\.tar\.gz: (unexpected end of file|truncated).*the archive was deleted/],
        ['dropped', dropsMidway(good), new RegExp(`dataset 'brain-tumor-mri': download of ${server.base}${BRAIN_PATH} \\(for https://github.com/.*\\) failed: .*put the file at ${cache}/downloads/brain-tumor-mri.tar.gz`)],
      ];
      for (const [what, route, message] of cases) {
        server.routes.set(BRAIN_PATH, route);
        await expect(fetchDataset('brain-tumor-mri-tiny', opts), what).rejects.toThrow(message);
        expect(listFiles(cache), what).toEqual([]);
      }
      server.routes.delete(BRAIN_PATH);
      await expect(fetchDataset('brain-tumor-mri-tiny', opts)).rejects.toThrow(/HTTP 404 Not Found/);
      await expect(fetchDataset('brain-tumor-mri-tiny', { ...opts, download: false })).rejects.toThrow(
        new RegExp(`dataset 'brain-tumor-mri-tiny': ${opts.dataDir}/fixtures/brain_tumor_mri_tiny not found and downloading is off; get https://github.com/SartajBhuvaji/.*\\.tar\\.gz and put it at ${cache}/downloads/brain-tumor-mri\\.tar\\.gz`),
      );
      expect(listFiles(cache)).toEqual([]);
      expect(existsSync(dest)).toBe(false);
    });
  });

  it('first-N-per-class subsets of subsets (MedNIST-style archive, MD5-checked) equal the mirror\'s fixture', async () => {
    const ids = ['t-mednist', 't-mednist-12', 't-mednist-10'];
    await withTempDir(async (dir) => {
      // 20 per class from the mirror's MedNIST, added to the archive in reverse order.
      const classes = getDataset('mednist').labels;
      const files: Array<[string, string]> = classes.flatMap((c) => readdirSync(join(SHARED, 'mednist-3000', c)).sort().slice(0, 20)
        .map((f): [string, string] => [join(SHARED, 'mednist-3000', c, f), `MedNIST/${c}/${f}`])).reverse();
      const archive = readFileSync(buildTarGz(dir, 'mednist', files));
      server.routes.set('/mirror/MedNIST.tar.gz', archive);
      const base = getDataset('mednist');
      const reg = (id: string, n: number, source: DatasetInfo['source'], path: string) =>
        registerDataset({ ...base, id, format: { kind: 'image-folder', path }, expectedSplits: { '': n }, source });
      reg('t-mednist', 120, { homepage: '', fetch: { kind: 'archive', url: 'https://mirror/MedNIST.tar.gz', format: 'tar.gz', md5: md5(archive), stripComponents: 1, layout: 'class' } }, 't/full');
      reg('t-mednist-12', 72, { homepage: '', fetch: { kind: 'subset', of: 't-mednist', select: { firstPerClass: 12 } } }, 't/12');
      reg('t-mednist-10', 60, { homepage: '', fetch: { kind: 'subset', of: 't-mednist-12', select: { firstPerClass: 10 } } }, 't/10');
      try {
        const opts = { dataDir: join(dir, 'root'), cacheDir: join(dir, 'cache'), rewrites: rewrites(), progress: false as const };
        const got = await fetchDataset('t-mednist-10', opts);
        expectSameFolder(got.path, join(SHARED, 'fixtures', 'medical_mnist_tiny'));
        // The whole set from the same (cached) archive: no second download.
        const n = server.log.length;
        const full = await fetchDataset('t-mednist', opts);
        expect(listFiles(full.path)).toHaveLength(121);
        expect(server.log.length).toBe(n);

        // A wrong MD5 keeps nothing.
        registerDataset({ ...getDataset('t-mednist'), source: { homepage: '', fetch: { ...(getDataset('t-mednist').source.fetch as object), md5: '0'.repeat(32) } as never } }, { overwrite: true });
        const cache2 = join(dir, 'cache2');
        await expect(fetchDataset('t-mednist-10', { ...opts, cacheDir: cache2 })).rejects.toThrow(/dataset 't-mednist': download of .*MD5 mismatch: expected 0{32}, got [0-9a-f]{32}; nothing was kept/);
        expect(listFiles(cache2)).toEqual([]);
        expect(datasetCandidates(getDataset('t-mednist-10'), { dataDir: '/r', cacheDir: '/c' })).toEqual(['/r/t/10', '/c/data/t/10']);
      } finally {
        ids.forEach(unregisterDataset);
      }
    });
  });
});

/**
 * The registry's mechanics on resources declared here from the local models root (the real weights
 * resources are declared and registered by @udtl/backbones, whose test checks their list).
 */
describe.skipIf(!existsSync(join(modelsRoot(), 'mobilenet_v2_1.0_224_quant')))('fetchResource: weights from a local server', () => {
  it('a sha256-checked file set and a tfjs model.json + shards; models root used as it is', async () => {
    const v2 = join(modelsRoot(), 'mobilenet_v2_1.0_224_quant');
    const v1 = join(modelsRoot(), 'mobilenet_v1_0.25_224');
    const coral = `/raw.githubusercontent.com/google-coral/test_data/104342d2d3480b3e66203073dac24f4e2dbb4c41`;
    for (const f of readdirSync(v2)) server.routes.set(`${coral}/${f}`, readFileSync(join(v2, f)));
    for (const f of readdirSync(v1)) server.routes.set(`/storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/${f}`, readFileSync(join(v1, f)));
    const tflite = readFileSync(join(v2, 'mobilenet_v2_1.0_224_quant.tflite'));
    const fileOf = (name: string) => ({ name, url: `https://${coral.slice(1)}/${name}`, size: readFileSync(join(v2, name)).length, sha256: sha(readFileSync(join(v2, name))) });
    registerResource({ id: 'test-v2', dir: 'mobilenet_v2_1.0_224_quant', files: ['mobilenet_v2_1.0_224_quant.tflite', 'imagenet_labels.txt'].map(fileOf), homepage: 'test', licence: 'test' }, { overwrite: true });
    registerResource({
      id: 'test-v1', dir: 'mobilenet_v1_0.25_224', tfjsManifest: 'model.json', homepage: 'test', licence: 'test',
      files: [{ name: 'model.json', url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json' }],
    }, { overwrite: true });
    expect(listResources().map((r) => r.id)).toEqual(expect.arrayContaining(['test-v1', 'test-v2']));
    expect(() => registerResource({ ...getResource('test-v1') })).toThrow(/'test-v1' is already registered/);
    expect(() => getResource('resnet')).toThrow(/unknown resource 'resnet'; known resources: .*test-v1, test-v2/);
    await withTempDir(async (dir) => {
      const opts = { modelsDir: join(dir, 'models'), cacheDir: join(dir, 'cache'), rewrites: rewrites(), progress: false as const };
      const got = await fetchResource('test-v2', opts);
      expect(got).toBe(join(dir, 'cache', 'models', 'mobilenet_v2_1.0_224_quant'));
      expectSameFolder(got, v2);
      const gotV1 = await fetchResource('test-v1', opts);
      expectSameFolder(gotV1, v1);
      const n = server.log.length;
      expect(await fetchResource('test-v2', opts)).toBe(got);
      expect(await fetchResource('test-v1', { ...opts, modelsDir: modelsRoot() })).toBe(v1);
      expect(server.log.length).toBe(n);

      // The labels file served in place of the model: size mismatch, nothing kept, the hand-install folder named.
      server.routes.set(`${coral}/mobilenet_v2_1.0_224_quant.tflite`, readFileSync(join(v2, 'imagenet_labels.txt')));
      const bad = { ...opts, cacheDir: join(dir, 'cache2') };
      await expect(fetchResource('test-v2', bad)).rejects.toThrow(
        new RegExp(`test-v2 mobilenet_v2_1.0_224_quant.tflite: download of .* failed: size mismatch: expected ${tflite.length} bytes, got \\d+; nothing was kept\\. To install it by hand, put the files into ${opts.modelsDir}/mobilenet_v2_1.0_224_quant`),
      );
      await expect(fetchResource('test-v2', { ...bad, download: false })).rejects.toThrow(/test-v2: weights not found in .* and downloading is off; get https:\/\/raw.githubusercontent.com\/google-coral/);
      expect(listFiles(bad.cacheDir)).toEqual([]);
    });
  });
});
