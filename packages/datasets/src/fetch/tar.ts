/**
 * A small streaming reader for POSIX tar (ustar, GNU long names, pax headers), enough for the
 * dataset archives we fetch. Regular files are yielded with their bytes when `wanted(name)` says
 * so; anything else is skipped without buffering. A stream that ends early is an error.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

export interface TarEntry {
  /** Path inside the archive, '/' separated, without a leading './'. */
  name: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  /** The file's bytes, when it was wanted. */
  data?: Buffer;
}

/** Pulls exact byte counts from an async stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  offset = 0;
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: AsyncIterable<Buffer>, private readonly where: string) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async next(): Promise<IteratorResult<Buffer>> {
    try {
      return await this.it.next();
    } catch (err) {
      // e.g. zlib's 'unexpected end of file' for a truncated .gz
      throw new Error(`${this.where}: ${(err as Error).message} (truncated or corrupt archive)`);
    }
  }

  private async fill(n: number): Promise<boolean> {
    while (this.length < n) {
      const { value, done } = await this.next();
      if (done) return false;
      const chunk = Buffer.isBuffer(value) ? value : Buffer.from(value);
      this.buffered.push(chunk);
      this.length += chunk.length;
    }
    return true;
  }

  /** Exactly n bytes, or null if the stream ends first (partial bytes are discarded). */
  async read(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) return null;
    const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length ? [rest] : [];
    this.length = rest.length;
    this.offset += n;
    return out;
  }

  /** Skip n bytes without keeping them; false if the stream ends first. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      if (this.length === 0 && !(await this.fill(1))) return false;
      const take = Math.min(n, this.length);
      const all = this.buffered.length === 1 ? this.buffered[0] : Buffer.concat(this.buffered);
      const rest = all.subarray(take);
      this.buffered = rest.length ? [rest] : [];
      this.length = rest.length;
      this.offset += take;
      n -= take;
    }
    return true;
  }
}

const text = (b: Buffer, start: number, len: number) => {
  const field = b.subarray(start, start + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? len : end).toString('utf8');
};

function octal(b: Buffer, start: number, len: number, where: string): number {
  if (b[start] & 0x80) {
    // GNU base-256 for sizes ≥ 8 GiB.
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = text(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`${where}: bad octal field '${s}'`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === octal(h, 148, 8, 'tar header checksum');
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(32, at);
    if (space < 0) break;
    const len = Number(data.subarray(at, space).toString());
    if (!len) break;
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

/** Refuse names that could escape the extraction folder. */
export function safeEntryName(name: string, where: string): string {
  const clean = name.replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean.startsWith('/') || clean.split('/').includes('..') || /^[A-Za-z]:/.test(clean)) {
    throw new Error(`${where}: unsafe path '${name}' in archive`);
  }
  return clean;
}

export async function* readTar(source: AsyncIterable<Buffer>, wanted: (name: string) => boolean, where = 'tar archive'): AsyncGenerator<TarEntry> {
  const r = new ByteReader(source, where);
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    const at = r.offset;
    const h = await r.read(512);
    if (!h) throw new Error(`${where}: truncated archive (ends at byte ${at} without the end-of-archive marker)`);
    if (h.every((x) => x === 0)) return; // end marker (a second zero block may follow; nothing else matters)
    if (!checksumOk(h)) throw new Error(`${where}: corrupt tar header at byte ${at} (checksum mismatch)`);
    const size = octal(h, 124, 12, `${where} @${at}`);
    const flag = String.fromCharCode(h[156] || 48);
    const padded = Math.ceil(size / 512) * 512;
    const meta = flag === 'L' || flag === 'x' || flag === 'g';
    const ustarName = () => {
      const prefix = text(h, 257, 6).startsWith('ustar') ? text(h, 345, 155) : '';
      const base = text(h, 0, 100);
      return prefix ? `${prefix}/${base}` : base;
    };
    const name = meta ? '' : safeEntryName(pax.path ?? longName ?? ustarName(), where);
    const type = flag === '0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : 'other';
    const keep = meta || (type === 'file' && wanted(name));
    let data: Buffer | undefined;
    if (keep) {
      const body = await r.read(padded);
      if (!body) throw new Error(`${where}: truncated archive (entry '${name || flag}' at byte ${at} declares ${size} bytes)`);
      data = Buffer.from(body.subarray(0, size));
    } else if (!(await r.skip(padded))) {
      throw new Error(`${where}: truncated archive (entry '${name}' at byte ${at} declares ${size} bytes)`);
    }
    if (flag === 'L') { longName = text(data!, 0, data!.length); continue; }
    if (flag === 'x') { pax = parsePax(data!); continue; }
    if (flag === 'g') continue;
    longName = undefined;
    pax = {};
    if (name === '') continue;
    yield { name, type, size, data };
  }
}

/** Entries of a `.tar.gz` (or plain `.tar`) file on disk. */
export function readTarFile(path: string, wanted: (name: string) => boolean, gzip = true): AsyncGenerator<TarEntry> {
  const raw = createReadStream(path);
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (err) => stream.destroy(err));
  return readTar(stream as AsyncIterable<Buffer>, wanted, path);
}
