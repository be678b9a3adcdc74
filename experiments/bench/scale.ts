/**
 * Scale benchmark: synthetic image folders of 10,000 / 30,000 / 100,000 images (generated on the
 * fly under /tmp, never in the repo) through `udtl run`: feature preparation into the sharded
 * cache, then one transfer-learned and one zero-bias-cae job per fold (2 folds, 20 labels per
 * class, one worker). Prints throughput, wall time and peak RSS (main process and worker) per size.
 *
 *   pnpm --filter @udtl/experiments bench:scale [--sizes 10000,30000,100000] [--input 64] [--backbone B --tap T] [--keep]
 *
 * Build first (`pnpm build`): the runner runs from experiments/dist. The backbone is MobileNet v1
 * 0.25 at a small input (default 64 px, maps 2×2×256 at its last tap) so that 100,000 images fit a
 * 2-core machine's session; the memory behaviour (shards, streamed pooling, capped CAE) is the
 * same at 224 px, only the map size differs. Near-duplicate grouping (pHash) is off: the images
 * are synthetic, and pHash time is `datasets inspect`'s business.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { mulberry32 } from '@udtl/datasets';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const ROOT = '/tmp/udtl-scale';
const CLASSES = ['horizontal', 'vertical', 'checker', 'diagonal'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const sizes = arg('sizes', '10000,30000,100000').split(',').map(Number);
const inputSize = Number(arg('input', '64'));
const backbone = arg('backbone', 'mobilenet-v1-0.25');
const tap = arg('tap', 'conv_pw_13_relu');
const keep = process.argv.includes('--keep');
if (sizes.some((n) => !(Number.isInteger(n) && n >= 100))) throw new Error(`--sizes must be whole numbers ≥ 100, got ${arg('sizes', '')}`);

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

/** Image i: its class's texture at a random period and phase, plus noise (every image distinct). */
function image(i: number, size: number): { cls: string; bytes: Buffer } {
  const r = mulberry32(i + 1); // seeded: every folder is the same on every machine
  const c = i % CLASSES.length;
  const period = 4 + Math.floor(r() * 6);
  const phase = Math.floor(r() * period);
  const contrast = 60 + r() * 80;
  const px = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const t = [y, x, Math.floor(x / 4) + Math.floor(y / 4), x + y][c] + phase;
      const on = c === 2 ? t % 2 === 0 : t % period < period / 2;
      px[y * size + x] = Math.max(0, Math.min(255, Math.round(90 + (on ? contrast : 0) + (r() - 0.5) * 40)));
    }
  }
  return { cls: CLASSES[c], bytes: png(px, size) };
}

async function makeFolder(n: number, size: number): Promise<{ dir: string; seconds: number; reused: boolean }> {
  const dir = join(ROOT, `images-${n}-${size}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return { dir, seconds: 0, reused: true };
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  for (const c of CLASSES) mkdirSync(join(dir, c), { recursive: true });
  const BATCH = 256;
  for (let s = 0; s < n; s += BATCH) {
    const writes: Promise<void>[] = [];
    for (let i = s; i < Math.min(n, s + BATCH); i++) {
      const { cls, bytes } = image(i, size);
      writes.push(writeFile(join(dir, cls, `img${String(i).padStart(6, '0')}.png`), bytes));
    }
    await Promise.all(writes);
  }
  writeFileSync(done, String(n));
  return { dir, seconds: (performance.now() - t0) / 1000, reused: false };
}

/** Peak resident memory (VmHWM) of a process tree, polled: by pid, kept after the process ends. */
class PeakRss {
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

interface Row {
  n: number;
  generate: string;
  preflight: number;
  prepare: number;
  jobs: number;
  wall: number;
  main: number;
  worker: number;
  failed: string;
}

async function runSize(n: number): Promise<Row> {
  const gen = await makeFolder(n, inputSize);
  const work = join(ROOT, `run-${n}-${inputSize}-${backbone}`);
  rmSync(work, { recursive: true, force: true }); // a cold feature cache and a fresh run folder
  mkdirSync(work, { recursive: true });
  const config = {
    name: `scale-${n}`,
    datasets: [{ id: `scale-${n}`, path: gen.dir }],
    methods: [
      { id: 'transfer-learned', params: { tap, grid: [{}] } },
      { id: 'zero-bias-cae', params: { tap, grid: [{}], layers: 1, kernelSize: 1, filters: 512, epochs: 2, caeMaxMaps: 4096 } },
    ],
    folds: 2,
    budgets: [20],
    seeds: [0],
    backbone,
    inputSize,
    nearDuplicates: 'ignore',
  };
  const configFile = join(work, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const t0 = performance.now();
  const marks: Record<string, number> = {};
  const child = spawn(process.execPath, [CLI, 'run', '--config', configFile, '--out', join(work, 'results'), '--cache-dir', join(work, 'cache'), '--workers', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const rss = new PeakRss(child.pid!);
  const log: string[] = [];
  const watch = (chunk: Buffer) => {
    const now = (performance.now() - t0) / 1000;
    for (const line of chunk.toString().split(/[\r\n]+/)) {
      if (!line.trim()) continue;
      log.push(line);
      if (marks.prepare === undefined && /preparing features/.test(line)) marks.prepare = now;
      if (marks.jobs === undefined && /\d+\/\d+ jobs/.test(line)) marks.jobs = now;
    }
  };
  child.stdout.on('data', watch);
  child.stderr.on('data', watch);
  const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  const wall = (performance.now() - t0) / 1000;
  const { main, worker } = rss.stop();
  writeFileSync(join(work, 'run.log'), log.join('\n'));
  const results = readdirSync(join(work, 'results')).find((d) => d.startsWith(`scale-${n}-`));
  const failedLine = log.find((l) => /\d+ run, \d+ reused, \d+ failed/.test(l)) ?? '';
  if (code !== 0 && code !== 3) throw new Error(`udtl run exited with ${code} for ${n} images; log: ${join(work, 'run.log')}`);
  if (!keep) rmSync(join(work, 'cache'), { recursive: true, force: true });
  return {
    n,
    generate: gen.reused ? 'reused' : `${gen.seconds.toFixed(0)} s`,
    preflight: marks.prepare ?? NaN,
    prepare: (marks.jobs ?? NaN) - (marks.prepare ?? NaN),
    jobs: wall - (marks.jobs ?? NaN),
    wall,
    main,
    worker,
    failed: `${/(\d+) failed/.exec(failedLine)?.[1] ?? '?'} failed${results ? `, ${join(work, 'results', results)}` : ''}`,
  };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
console.log(`scale bench: ${backbone} at ${inputSize} px (tap ${tap}), 4 classes, 2 folds × 20 labels/class, transfer-learned + zero-bias-cae (1 layer 1×1 → 512, 2 epochs, caeMaxMaps 4096), 1 worker, cold cache`);
console.log('| images | generate | preflight | preparation (images/s) | 4 jobs | wall | peak RSS main | peak RSS worker | outcome |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const n of sizes) {
  const r = await runSize(n);
  console.log(
    `| ${n.toLocaleString('en')} | ${r.generate} | ${r.preflight.toFixed(1)} s | ${r.prepare.toFixed(1)} s (${(n / r.prepare).toFixed(0)}) | ${r.jobs.toFixed(1)} s | ${r.wall.toFixed(1)} s | ${gib(r.main)} | ${gib(r.worker)} | ${r.failed} |`,
  );
}
