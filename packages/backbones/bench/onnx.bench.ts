/**
 * MobileNetV2 1.0 @224, default tap: the export to ONNX (median of 9), then frozen images/s on tfjs
 * wasm (one worker) and onnxruntime CPU on 1 and 2 intra-op threads, on random pixels in batches
 * of 32. Goal: onnxruntime ≥ 100 images/s per thread and ≥ 1.8x from 1 to 2 threads. Then the wall
 * time to extract and cache all three bundled datasets through the feature cache on the default
 * engine (2 threads), into a fresh cache.
 *   node --import tsx bench/onnx.bench.ts [--quick] [--no-datasets]
 * Prints CPU seconds too: on a shared machine, images per CPU-second shows the unloaded rate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { loadDataset, type ImageBatch } from '@udtl/datasets';
import { initBackend } from '../src/backend/index.js';
import { loadBackbone } from '../src/backbones/index.js';
import { createFrozenEngine, engineLabel, engineTapSource, exportBackboneToOnnx, type FrozenEngine } from '../src/backbones/onnx/index.js';
import { FeatureCache } from '../src/cache/index.js';
import { tapMaps } from '../src/extractor/index.js';

const quick = process.argv.includes('--quick');
const datasets = !process.argv.includes('--no-datasets');
const BATCH = 32;
const scratch = mkdtempSync(join(os.tmpdir(), 'udtl-onnx-bench-'));

function randomBatch(n: number, seed: number): ImageBatch {
  const data = new Uint8Array(n * 224 * 224 * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { ids: Array.from({ length: n }, (_, i) => `r${i}`), data, n, height: 224, width: 224, channels: 3 };
}

interface Timed { seconds: number; cpuSeconds: number }
async function timed(f: () => Promise<unknown>): Promise<Timed> {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const u = process.cpuUsage(c);
  return { seconds: (performance.now() - t) / 1000, cpuSeconds: (u.user + u.system) / 1e6 };
}

async function throughput(label: string, engine: FrozenEngine, batches: number): Promise<number> {
  const batch = randomBatch(BATCH, 1);
  await engine.run(batch); // warm-up (graph optimisation, kernel selection)
  const t = await timed(async () => {
    for (let i = 0; i < batches; i++) await engine.run(batch);
  });
  const n = batches * BATCH;
  const rate = n / t.seconds;
  console.log(
    `${label.padEnd(28)} ${engineLabel(engine).padEnd(26)} ${String(n).padStart(4)} images ${t.seconds.toFixed(2).padStart(6)} s ` +
      `${rate.toFixed(1).padStart(7)} images/s  ${(n / t.cpuSeconds).toFixed(1).padStart(7)} images/CPU-s`,
  );
  return rate;
}

await initBackend({ force: 'wasm' });
const backbone = await loadBackbone('mobilenet-v2-1.0');
console.log(`MobileNetV2 1.0 @224, tap ${backbone.defaultTap}, batch ${BATCH}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}`);
console.log('machine shared with other work: wall-clock rates are lower bounds');

const exportMs: number[] = [];
let exportedBytes = 0;
for (let i = 0; i < 10; i++) {
  const t = performance.now();
  exportedBytes = (await exportBackboneToOnnx(backbone)).bytes.length;
  if (i > 0) exportMs.push(performance.now() - t); // the first run warms up the JIT
}
exportMs.sort((a, b) => a - b);
console.log(`ONNX export (weights read, converted, encoded): ${exportedBytes} bytes, median ${exportMs[4].toFixed(0)} ms (min ${exportMs[0].toFixed(0)}) over 9 runs`);

const tfjs = await createFrozenEngine(backbone, undefined, { engine: 'tfjs' });
const tfjsRate = await throughput('tfjs (1 worker)', tfjs, quick ? 1 : 3);
await tfjs.dispose();
const rates: number[] = [];
for (const threads of [1, 2]) {
  const e = await createFrozenEngine(backbone, undefined, { engine: 'onnxruntime', threads, cacheDir: scratch });
  rates.push(await throughput(`onnxruntime (${threads} thread${threads > 1 ? 's' : ''})`, e, quick ? 2 : 8));
  await e.dispose();
}
console.log(`onnxruntime 1 thread / tfjs wasm: ${(rates[0] / tfjsRate).toFixed(1)}x; 2 threads / 1 thread: ${(rates[1] / rates[0]).toFixed(2)}x ` +
  `(goal ≥ 100 images/s per thread: ${rates[0] >= 100 ? 'met' : 'NOT met'}; ≥ 1.8x: ${rates[1] / rates[0] >= 1.8 ? 'met' : 'NOT met'})`);

if (datasets) {
  const source = await engineTapSource(backbone, undefined, { threads: 2, cacheDir: scratch });
  console.log(`\nextract + cache every image of the bundled datasets at 224 (resize) through tapMaps, ${source.engine}, fresh cache:`);
  let total = 0;
  let seconds = 0;
  for (const id of ['brain-tumor-mri', 'mednist-3000', 'breastmnist']) {
    const ds = await loadDataset(id);
    const images = ds.images(undefined, { size: 224 });
    const t = await timed(() => tapMaps(images, source, { cacheDir: join(scratch, 'cache'), batchSize: BATCH }));
    FeatureCache.clearMemo();
    total += images.ids.length;
    seconds += t.seconds;
    console.log(`  ${id.padEnd(16)} ${String(images.ids.length).padStart(5)} images ${t.seconds.toFixed(1).padStart(6)} s ${(images.ids.length / t.seconds).toFixed(1).padStart(6)} images/s (decode + extract + write)`);
  }
  console.log(`  all three: ${total} images in ${seconds.toFixed(1)} s`);
  await source.frozenEngine.dispose();
}
backbone.dispose();
rmSync(scratch, { recursive: true, force: true });
