import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Download `url` to `dest`, verifying its MD5 on the way. The bytes go to a temp file beside
 * `dest` and are renamed into place only after the checksum matches, so an interrupted or corrupt
 * download never leaves a file that looks valid. Kept small on purpose: a general fetcher with
 * retries and progress is a later issue.
 */
export async function downloadVerified(url: string, dest: string, md5: string, log?: (m: string) => void): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  const hash = createHash('md5');
  try {
    log?.(`downloading ${url} → ${dest}`);
    const res = await fetch(url, { redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), hashing, createWriteStream(tmp));
    const actual = hash.digest('hex');
    if (actual !== md5.toLowerCase()) {
      throw new Error(`MD5 mismatch: expected ${md5}, got ${actual}; nothing was kept`);
    }
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`download of ${url} failed: ${(err as Error).message}`);
  }
}
