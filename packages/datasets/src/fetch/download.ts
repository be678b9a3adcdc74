/**
 * One verified download: the bytes stream into a temp file beside the target while MD5 and sha256
 * are computed; only a complete file whose size and checksums match is renamed into place, so an
 * interrupted, truncated or corrupt download never leaves a file that looks valid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { resolveUrl, type UrlRewrites } from './urls.js';

export type Progress = (received: number, total: number | undefined) => void;

export interface DownloadOptions {
  md5?: string;
  sha256?: string;
  /** Expected byte count, when known. */
  size?: number;
  /** Names the resource in messages (e.g. `dataset 'mednist'`). */
  label?: string;
  /** Progress callback; default a one-line bar on stderr when it is a terminal; `false` for none. */
  progress?: Progress | false;
  rewrites?: UrlRewrites;
  fetchFn?: typeof fetch;
}

/** What fetching a dataset and fetching a weights file share (each adds where its read-only mirror is). */
export interface FetchCommonOptions {
  cacheDir?: string;
  /** May anything be downloaded (default true)? When false, a missing resource is an error. */
  download?: boolean;
  log?: (message: string) => void;
  progress?: Progress | false;
  rewrites?: UrlRewrites;
  fetchFn?: typeof fetch;
}

export interface Downloaded {
  path: string;
  url: string;
  bytes: number;
  md5: string;
  sha256: string;
}

/** Why a download failed, with what the user can do about it. */
export class FetchError extends Error {
  constructor(message: string, readonly url: string, readonly dest: string) {
    super(message);
    this.name = 'FetchError';
  }
}

/** A terminal progress bar on stderr, redrawn at most every 200 ms. */
export function terminalProgress(name: string, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  return (received, total) => {
    const now = Date.now();
    const done = total !== undefined && received >= total;
    if (!done && now - last < 200) return;
    last = now;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const width = 24;
    const bar = total ? '#'.repeat(Math.round((width * received) / total)).padEnd(width, '.') : '';
    const pct = total ? ` ${Math.floor((100 * received) / total)}%` : '';
    stream.write(`\r${name} [${bar}] ${mb(received)}${total ? `/${mb(total)}` : ''} MB${pct}${done ? '\n' : ''}`);
  };
}

function describeFailure(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code)) {
    return `cannot connect (${code}); offline?`;
  }
  const cause = e.cause?.message ? ` (${e.cause.message})` : '';
  return `${e.message}${cause}`;
}

/** Download `url` (after base-URL rewrites) to `dest`, verified; existing `dest` is replaced only on success. */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<Downloaded> {
  const actualUrl = resolveUrl(url, options.rewrites);
  const label = options.label ?? basename(dest);
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  const md5 = createHash('md5');
  const sha = createHash('sha256');
  let received = 0;
  try {
    const res = await (options.fetchFn ?? fetch)(actualUrl, { redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    const header = Number(res.headers.get('content-length'));
    const total = Number.isFinite(header) && header > 0 ? header : options.size;
    const progress = options.progress === false ? undefined : (options.progress ?? terminalProgress(label));
    const counting = new Transform({
      transform(chunk: Buffer, _enc, done) {
        md5.update(chunk);
        sha.update(chunk);
        received += chunk.length;
        progress?.(received, total);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(res.body as ReadableStream), counting, createWriteStream(tmp));
    if (Number.isFinite(header) && header > 0 && received !== header) {
      throw new Error(`truncated: received ${received} of ${header} bytes`);
    }
    if (options.size !== undefined && received !== options.size) {
      throw new Error(`size mismatch: expected ${options.size} bytes, got ${received}`);
    }
    const result = { path: dest, url: actualUrl, bytes: received, md5: md5.digest('hex'), sha256: sha.digest('hex') };
    if (options.md5 && result.md5 !== options.md5.toLowerCase()) {
      throw new Error(`MD5 mismatch: expected ${options.md5}, got ${result.md5}`);
    }
    if (options.sha256 && result.sha256 !== options.sha256.toLowerCase()) {
      throw new Error(`sha256 mismatch: expected ${options.sha256}, got ${result.sha256}`);
    }
    await rename(tmp, dest);
    return result;
  } catch (err) {
    await rm(tmp, { force: true });
    const where = actualUrl === url ? url : `${actualUrl} (for ${url})`;
    throw new FetchError(
      `${label}: download of ${where} failed: ${describeFailure(err)}; nothing was kept. ` +
        `To install it by hand, put the file at ${dest}`,
      actualUrl,
      dest,
    );
  }
}
