import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Write a file so that readers see either the old content or the whole new content, never a
 * partial one: write a temp file in the same directory, then rename over the target.
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function hashFile(path: string, algorithm: 'sha256' | 'md5' = 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Whether we may write into `dir` (or create it): the nearest existing ancestor must be writable
 * by access() *and* carry a write bit, so a read-only mirror stays untouched even for root.
 */
export async function isWritableDir(dir: string): Promise<boolean> {
  let current = resolve(dir);
  for (;;) {
    try {
      const st = await stat(current);
      if (!st.isDirectory() || (st.mode & 0o222) === 0) return false;
      await access(current, constants.W_OK);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return false;
      const up = dirname(current);
      if (up === current) return false;
      current = up;
    }
  }
}
