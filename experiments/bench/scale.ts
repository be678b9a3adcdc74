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
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEXTURES, gib, makeFolder, runUdtl, type UdtlRun } from './synthetic.js';

const ROOT = '/tmp/udtl-scale';
const CLASSES = TEXTURES.slice(0, 4);

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

interface Row extends Omit<UdtlRun, 'code' | 'log'> {
  n: number;
  generate: string;
  failed: string;
}

async function runSize(n: number): Promise<Row> {
  const gen = await makeFolder(join(ROOT, `images-${n}-${inputSize}`), n, inputSize, CLASSES, (i) => i % CLASSES.length);
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
  const args = ['run', '--config', configFile, '--out', join(work, 'results'), '--cache-dir', join(work, 'cache'), '--workers', '1'];
  const r = await runUdtl(args, join(work, 'run.log'));
  const results = readdirSync(join(work, 'results')).find((d) => d.startsWith(`scale-${n}-`));
  const failedLine = r.log.find((l) => /\d+ run, \d+ reused, \d+ failed/.test(l)) ?? '';
  if (r.code !== 0 && r.code !== 3) throw new Error(`udtl run exited with ${r.code} for ${n} images; log: ${join(work, 'run.log')}`);
  if (!keep) rmSync(join(work, 'cache'), { recursive: true, force: true });
  return {
    n,
    generate: gen.reused ? 'reused' : `${gen.seconds.toFixed(0)} s`,
    ...r,
    failed: `${/(\d+) failed/.exec(failedLine)?.[1] ?? '?'} failed${results ? `, ${join(work, 'results', results)}` : ''}`,
  };
}

console.log(`scale bench: ${backbone} at ${inputSize} px (tap ${tap}), 4 classes, 2 folds × 20 labels/class, transfer-learned + zero-bias-cae (1 layer 1×1 → 512, 2 epochs, caeMaxMaps 4096), 1 worker, cold cache`);
console.log('| images | generate | preflight | preparation (images/s) | 4 jobs | wall | peak RSS main | peak RSS worker | outcome |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const n of sizes) {
  const r = await runSize(n);
  console.log(
    `| ${n.toLocaleString('en')} | ${r.generate} | ${r.preflight.toFixed(1)} s | ${r.prepare.toFixed(1)} s (${(n / r.prepare).toFixed(0)}) | ${r.jobs.toFixed(1)} s | ${r.wall.toFixed(1)} s | ${gib(r.main)} | ${gib(r.worker)} | ${r.failed} |`,
  );
}
