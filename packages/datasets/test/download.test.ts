import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadVerified, getDataset, loadDataset, registerDataset, unregisterDataset } from '../src/index.js';
import { hasShared, SHARED, withTempDir } from './helpers.js';

let server: Server;
let base = '';
let body: Buffer = Buffer.from('hello npz');
let requests = 0;

beforeAll(async () => {
  if (hasShared) body = await readFile(join(SHARED, 'breastmnist', 'breastmnist.npz'));
  server = createServer((req, res) => {
    requests++;
    if (req.url?.startsWith('/file.npz')) {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else if (req.url === '/cut.npz') {
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, 100));
      res.destroy();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

describe('downloadVerified (local HTTP server on 127.0.0.1)', () => {
  it('writes the file only when the MD5 matches', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'sub', 'a.npz');
      await downloadVerified(`${base}/file.npz?download=1`, dest, md5(body));
      expect(Buffer.compare(await readFile(dest), body)).toBe(0); // (toEqual on 0.5 MB is slow)
      expect(await readdir(join(dir, 'sub'))).toEqual(['a.npz']);
    });
  });

  it('a wrong MD5, an HTTP error or a cut connection leaves nothing behind', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'b.npz');
      await expect(downloadVerified(`${base}/file.npz`, dest, '0'.repeat(32))).rejects.toThrow(
        new RegExp(`download of ${base}/file.npz failed: MD5 mismatch: expected 0{32}, got ${md5(body)}`),
      );
      await expect(downloadVerified(`${base}/missing.npz`, dest, md5(body))).rejects.toThrow(/missing\.npz failed: HTTP 404/);
      await expect(downloadVerified(`${base}/cut.npz`, dest, md5(body))).rejects.toThrow(/cut\.npz failed/);
      expect(await readdir(dir)).toEqual([]);
    });
  });
});

describe.skipIf(!hasShared)('loadDataset downloads a missing MedMNIST file', () => {
  const register = (id: string, md5sum: string) =>
    registerDataset({
      ...getDataset('breastmnist'),
      id,
      format: { kind: 'npz', path: `${id}/${id}.npz`, resolution: 28 },
      source: { homepage: base, files: [{ resolution: 28, url: `${base}/file.npz?name=${id}`, md5: md5sum }] },
    });

  it('into the data root when writable, into cacheDir/downloads when not; never twice', async () => {
    register('dl-test', md5(body));
    try {
      await withTempDir(async (dir) => {
        const root = join(dir, 'root');
        await mkdir(root);
        const before = requests;
        const d = await loadDataset('dl-test', { dataDir: root, cacheDir: join(dir, 'cache') });
        // The server's file name is the URL's basename: file.npz.
        expect(d.location).toBe(join(root, 'dl-test', 'file.npz'));
        expect(d.dataFiles[0].md5).toBe(d.dataFiles[0].officialMd5);
        expect(d.foundSamples).toHaveLength(780);
        await loadDataset('dl-test', { dataDir: root, cacheDir: join(dir, 'cache') });
        expect(requests - before).toBe(1);

        const ro = join(dir, 'readonly');
        await mkdir(ro);
        await chmod(ro, 0o555);
        const r = await loadDataset('dl-test', { dataDir: ro, cacheDir: join(dir, 'cache') });
        expect(r.location).toBe(join(dir, 'cache', 'downloads', 'file.npz'));
        expect(await readdir(ro)).toEqual([]);
      });
    } finally {
      unregisterDataset('dl-test');
    }
  });

  it('an MD5 mismatch on download is an error and caches nothing', async () => {
    register('dl-bad', 'f'.repeat(32));
    try {
      await withTempDir(async (dir) => {
        await expect(loadDataset('dl-bad', { dataDir: join(dir, 'root'), cacheDir: join(dir, 'cache') })).rejects.toThrow(/MD5 mismatch: expected f{32}/);
        expect(existsSync(join(dir, 'root', 'dl-bad', 'file.npz'))).toBe(false);
        expect(await readdir(join(dir, 'root', 'dl-bad'))).toEqual([]);
      });
    } finally {
      unregisterDataset('dl-bad');
    }
  });
});

