import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveEntries, downloadFile, parseRewrites, readTarFile, resolveUrl, type TarEntry } from '../src/index.js';
import { buildTarGz, dropsMidway, startServer, type TestServer } from './fetch-helpers.js';
import { withTempDir } from './helpers.js';

const collect = async (it: AsyncIterable<TarEntry>) => {
  const out: TarEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
};
/** A port nothing listens on (just closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
const hex = (algo: string, b: Uint8Array) => createHash(algo).update(b).digest('hex');

describe('tar reader (archives written by GNU tar)', () => {
  for (const format of ['pax', 'gnu', 'ustar'] as const) {
    it(`${format}: names (long, spaces, unicode), contents, directories; unwanted files skipped`, async () => {
      await withTempDir(async (dir) => {
        const long = `${'d'.repeat(60)}/${'e'.repeat(70)}/file with space (1).jpg`; // 150 chars: needs prefix / long-name records
        const files: Array<[string, string]> = [];
        const put = (member: string, bytes: Buffer) => {
          const src = join(dir, `src-${files.length}`);
          writeFileSync(src, bytes);
          files.push([src, member]);
        };
        put('top/b.txt', Buffer.from('second'));
        put(`top/${long}`, Buffer.alloc(1000, 7));
        put('top/a/Zürich.png', Buffer.alloc(513, 1)); // 513 bytes: one byte into a second block
        put('top/empty.bin', Buffer.alloc(0));
        // ustar cannot store the 150-char path with a 100-char limit on the last... tar splits at '/', fine.
        const archive = buildTarGz(dir, format, files, format === 'ustar' ? 'gnu' : format);
        if (format === 'ustar') execFileSync('sh', ['-c', `cd ${dir}/ustar.tree && tar -czf ${archive} --format=ustar ${files.map(([, m]) => `'${m}'`).join(' ')}`]);
        const entries = await collect(readTarFile(archive, (n) => !n.endsWith('b.txt')));
        const byName = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.name, e]));
        expect([...byName.keys()].sort()).toEqual(files.map(([, m]) => m).sort());
        expect(byName.get(`top/${long}`)!.data).toEqual(Buffer.alloc(1000, 7));
        expect(byName.get('top/a/Zürich.png')!.data).toEqual(Buffer.alloc(513, 1));
        expect(byName.get('top/empty.bin')!.data).toEqual(Buffer.alloc(0));
        expect(byName.get('top/b.txt')!.data).toBeUndefined(); // not wanted: skipped, size still known
        expect(byName.get('top/b.txt')!.size).toBe(6);
      });
    });
  }

  it('a truncated .tar.gz, a truncated plain tar and a corrupt header are errors naming the file', async () => {
    await withTempDir(async (dir) => {
      const src = join(dir, 'x.bin');
      writeFileSync(src, Buffer.alloc(5000, 3));
      const archive = buildTarGz(dir, 'x', [[src, 'x.bin'], [src, 'y.bin']]);
      const gz = readFileSync(archive);
      writeFileSync(join(dir, 'cut.tar.gz'), gz.subarray(0, gz.length - 30));
      await expect(collect(readTarFile(join(dir, 'cut.tar.gz'), () => true))).rejects.toThrow(/cut\.tar\.gz.*(unexpected end of file|truncated)/);
      const tar = execFileSync('gzip', ['-dc', archive]);
      writeFileSync(join(dir, 'cut.tar'), tar.subarray(0, 512 * 4));
      await expect(collect(readTarFile(join(dir, 'cut.tar'), () => true, false))).rejects.toThrow(/cut\.tar: truncated archive/);
      const bad = Buffer.from(tar);
      bad[0] ^= 0xff;
      writeFileSync(join(dir, 'bad.tar'), bad);
      await expect(collect(readTarFile(join(dir, 'bad.tar'), () => true, false))).rejects.toThrow(/bad\.tar: corrupt tar header at byte 0/);
    });
  });

  it('refuses member names that escape the extraction folder', async () => {
    await withTempDir(async (dir) => {
      writeFileSync(join(dir, 'f'), 'x');
      const archive = join(dir, 'evil.tar.gz');
      execFileSync('tar', ['-czf', archive, '-C', dir, '--transform', 's,^f$,../../etc/f,', '-P', 'f']);
      await expect(collect(readTarFile(archive, () => true))).rejects.toThrow(/unsafe path '\.\.\/\.\.\/etc\/f'/);
    });
  });
});

describe('zip archives (fflate), written by Info-ZIP zip', () => {
  it('stored and deflated members, selection by name', async () => {
    await withTempDir(async (dir) => {
      mkdirSync(join(dir, 'top', 'cls'), { recursive: true });
      writeFileSync(join(dir, 'top', 'cls', 'a.jpg'), Buffer.alloc(3000, 9)); // compressible: deflated
      writeFileSync(join(dir, 'top', 'cls', 'b.jpg'), 'bb');
      execFileSync('zip', ['-qr', join(dir, 'x.zip'), 'top'], { cwd: dir });
      const entries = await collect(archiveEntries(join(dir, 'x.zip'), 'zip', (n) => n.endsWith('a.jpg')));
      const files = entries.filter((e) => e.type === 'file');
      expect(files.map((e) => e.name).sort()).toEqual(['top/cls/a.jpg', 'top/cls/b.jpg']);
      expect(files.find((e) => e.name.endsWith('a.jpg'))!.data).toEqual(Buffer.alloc(3000, 9));
      expect(files.find((e) => e.name.endsWith('b.jpg'))!.data).toBeUndefined();
      writeFileSync(join(dir, 'cut.zip'), readFileSync(join(dir, 'x.zip')).subarray(0, 200));
      await expect(collect(archiveEntries(join(dir, 'cut.zip'), 'zip', () => true))).rejects.toThrow(/cut\.zip: cannot read zip archive/);
    });
  });
});

describe('URL rewrites', () => {
  it('a base URL mirrors every host; prefix rewrites win', () => {
    const url = 'https://zenodo.org/records/1/files/x.npz?download=1';
    expect(resolveUrl(url, {})).toBe(url);
    expect(resolveUrl(url, { baseUrl: 'http://127.0.0.1:9/m/' })).toBe('http://127.0.0.1:9/m/zenodo.org/records/1/files/x.npz?download=1');
    const prefixes = parseRewrites('https://zenodo.org/=http://a/z/ ; https://github.com/=http://b/');
    expect(prefixes).toEqual([['https://zenodo.org/', 'http://a/z/'], ['https://github.com/', 'http://b/']]);
    expect(resolveUrl(url, { prefixes, baseUrl: 'http://c' })).toBe('http://a/z/records/1/files/x.npz?download=1');
    expect(resolveUrl('https://example.org/q', { prefixes, baseUrl: 'http://c' })).toBe('http://c/example.org/q');
    expect(() => parseRewrites('nonsense')).toThrow(/'nonsense' is not of the form <url prefix>=<replacement>/);
  });
});

describe('downloadFile (local HTTP server on 127.0.0.1)', () => {
  let server: TestServer;
  const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31) % 251));
  beforeAll(async () => {
    server = await startServer();
    server.routes.set('/host/file.bin', body);
    server.routes.set('/host/cut.bin', dropsMidway(body));
  });
  afterAll(() => server.close());

  it('verifies both checksums and the size, reports progress, renames into place', async () => {
    await withTempDir(async (dir) => {
      const seen: number[] = [];
      const r = await downloadFile('https://host/file.bin', join(dir, 'sub', 'f.bin'), {
        rewrites: { baseUrl: server.base }, md5: hex('md5', body), sha256: hex('sha256', body), size: body.length,
        progress: (received, total) => { seen.push(received); expect(total).toBe(body.length); },
      });
      expect(r).toMatchObject({ bytes: body.length, md5: hex('md5', body), sha256: hex('sha256', body), url: `${server.base}/host/file.bin` });
      expect(readFileSync(join(dir, 'sub', 'f.bin')).equals(body)).toBe(true);
      expect(seen.at(-1)).toBe(body.length);
      expect(await readdir(join(dir, 'sub'))).toEqual(['f.bin']);
    });
  });

  it('wrong checksum, wrong size, 404, a dropped connection and no server: clear errors, nothing kept', async () => {
    await withTempDir(async (dir) => {
      const dest = join(dir, 'f.bin');
      const rw = { rewrites: { baseUrl: server.base }, progress: false as const, label: "dataset 'x'" };
      await expect(downloadFile('https://host/file.bin', dest, { ...rw, sha256: '0'.repeat(64) })).rejects.toThrow(
        new RegExp(`dataset 'x': download of ${server.base}/host/file.bin \\(for https://host/file.bin\\) failed: sha256 mismatch: expected 0{64}, got ${hex('sha256', body)}; nothing was kept\\. To install it by hand, put the file at ${dest}`),
      );
      await expect(downloadFile('https://host/file.bin', dest, { ...rw, md5: 'f'.repeat(32) })).rejects.toThrow(/MD5 mismatch: expected f{32}/);
      await expect(downloadFile('https://host/file.bin', dest, { ...rw, size: 5 })).rejects.toThrow(/size mismatch: expected 5 bytes, got 200000/);
      await expect(downloadFile('https://host/nope.bin', dest, rw)).rejects.toThrow(/nope\.bin\) failed: HTTP 404 Not Found/);
      await expect(downloadFile('https://host/cut.bin', dest, rw)).rejects.toThrow(/cut\.bin\) failed: /);
      await expect(downloadFile(`http://127.0.0.1:${await closedPort()}/x.bin`, dest, { progress: false })).rejects.toThrow(/x\.bin failed: cannot connect \(ECONNREFUSED\); offline\?/);
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
