/**
 * What the scale benchmarks share: seeded synthetic image folders (written under /tmp, never in the
 * repo), a peak-RSS probe for a process tree, and `udtl run` as a child process with the moments
 * its log marks (preparation start, first job).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { mulberry32 } from '@udtl/datasets';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Texture families a class can be drawn from (scale.ts uses the first four). */
export const TEXTURES = ['horizontal', 'vertical', 'checker', 'diagonal', 'anti-diagonal', 'rings'] as const;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit greyscale PNG (filter 0 on every row). */
function png(pixels: Uint8Array, size: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc(size * (size + 1));
  for (let y = 0; y < size; y++) raw.set(pixels.subarray(y * size, (y + 1) * size), y * (size + 1) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Image i: texture `texture` at a random period and phase, plus noise (every image distinct). */
export function syntheticImage(i: number, size: number, texture: number): Buffer {
  const r = mulberry32(i + 1); // seeded: every folder is the same on every machine
  const period = 4 + Math.floor(r() * 6);
  const phase = Math.floor(r() * period);
  const contrast = 60 + r() * 80;
  const px = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const rings = Math.floor(Math.hypot(x - size / 2, y - size / 2));
      const t = [y, x, Math.floor(x / 4) + Math.floor(y / 4), x + y, x - y + size, rings][texture] + phase;
      const on = texture === 2 ? t % 2 === 0 : t % period < period / 2;
      px[y * size + x] = Math.max(0, Math.min(255, Math.round(90 + (on ? contrast : 0) + (r() - 0.5) * 40)));
    }
  }
  return png(px, size);
}

/** A folder of `n` images in class sub-folders (classOf(i) indexes `classes`); reused when complete. */
export async function makeFolder(
  dir: string,
  n: number,
  size: number,
  classes: readonly string[],
  classOf: (i: number) => number,
): Promise<{ dir: string; seconds: number; reused: boolean }> {
  const done = join(dir, '.complete');
  if (existsSync(done) && readFileSync(done, 'utf8') === String(n)) return { dir, seconds: 0, reused: true };
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  for (const c of classes) mkdirSync(join(dir, c), { recursive: true });
  const BATCH = 256;
  for (let s = 0; s < n; s += BATCH) {
    const writes: Promise<void>[] = [];
    for (let i = s; i < Math.min(n, s + BATCH); i++) {
      const c = classOf(i);
      writes.push(writeFile(join(dir, classes[c], `img${String(i).padStart(6, '0')}.png`), syntheticImage(i, size, c % TEXTURES.length)));
    }
    await Promise.all(writes);
  }
  writeFileSync(done, String(n)); // last: an interrupted folder is regenerated
  return { dir, seconds: (performance.now() - t0) / 1000, reused: false };
}

/** Peak resident memory (VmHWM) of a process tree, polled: by pid, kept after the process ends. */
export class PeakRss {
  private peak = new Map<number, number>();
  private timer: NodeJS.Timeout;
  constructor(private readonly root: number) {
    this.timer = setInterval(() => this.poll(), 200);
  }
  private children(pid: number): number[] {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }
  private poll(): void {
    const stack = [this.root];
    while (stack.length) {
      const pid = stack.pop()!;
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) this.peak.set(pid, Math.max(this.peak.get(pid) ?? 0, Number(m[1]) * 1024));
      } catch {
        continue;
      }
      stack.push(...this.children(pid));
    }
  }
  stop(): { main: number; worker: number } {
    clearInterval(this.timer);
    const main = this.peak.get(this.root) ?? 0;
    const others = [...this.peak.entries()].filter(([pid]) => pid !== this.root).map(([, b]) => b);
    return { main, worker: Math.max(0, ...others) };
  }
}

export interface UdtlRun {
  code: number;
  /** Seconds from start: preflight ends (features start), preparation ends (first job line), exit. */
  preflight: number;
  prepare: number;
  jobs: number;
  wall: number;
  main: number;
  worker: number;
  log: string[];
}

/** `udtl <args>` as a child process, its log written to `logFile`, with timings and peak RSS. */
export async function runUdtl(args: string[], logFile: string, opts: { echo?: boolean; env?: Record<string, string> } = {}): Promise<UdtlRun> {
  const echo = opts.echo ?? false;
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const rss = new PeakRss(child.pid!);
  const log: string[] = [];
  const watch = (data: Buffer) => {
    const now = (performance.now() - t0) / 1000;
    for (const line of data.toString().split(/[\r\n]+/)) {
      if (!line.trim()) continue;
      log.push(line);
      if (echo && !/\d+\/\d+ jobs/.test(line)) console.log(`  ${line}`);
      if (marks.prepare === undefined && /preparing features/.test(line)) marks.prepare = now;
      if (marks.jobs === undefined && /\d+\/\d+ jobs/.test(line)) marks.jobs = now;
    }
  };
  child.stdout.on('data', watch);
  child.stderr.on('data', watch);
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  const wall = (performance.now() - t0) / 1000;
  const { main, worker } = rss.stop();
  writeFileSync(logFile, log.join('\n'));
  const preflight = marks.prepare ?? marks.jobs ?? NaN;
  return { code, preflight, prepare: (marks.jobs ?? NaN) - preflight, jobs: wall - (marks.jobs ?? NaN), wall, main, worker, log };
}

export const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
