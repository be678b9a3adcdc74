/**
 * Backbone feature extraction speed at 224: MobileNetV2 1.0 (default tap) and MobileNet v1 0.25,
 * batch sizes 1/8/32, on wasm (one thread), on webgpu with UDTL_BACKEND=webgpu, and, for the ratio,
 * on cpu (a few batches).
 * Targets: wasm ≥ 20 images/s (V2), ≥ 60 images/s (v1 0.25). Also times model loading.
 *   node --import tsx bench/backbones.bench.ts [--quick]
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { ImageBatch } from '@udtl/datasets';
import { initBackend } from '../src/backend/index.js';
import { extractTap, loadBackbone } from '../src/backbones/index.js';

const quick = process.argv.includes('--quick');
const TARGETS: Record<string, number> = { 'mobilenet-v2-1.0': 20, 'mobilenet-v1-0.25': 60 };

function randomBatch(n: number, seed: number): ImageBatch {
  const data = new Uint8Array(n * 224 * 224 * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; data[i] = s >>> 24; }
  return { ids: Array.from({ length: n }, (_, i) => `r${i}`), data, n, height: 224, width: 224, channels: 3 };
}

/** `cpuSeconds` is this process's CPU time: on a shared machine, images per CPU-second estimates the
 * unloaded single-thread rate when wall time is inflated by other processes. */
interface Row { backend: string; backbone: string; batch: number; images: number; seconds: number; cpuSeconds: number }
const rows: Row[] = [];
const loads: string[] = [];

async function timeLoad(label: string, f: () => Promise<{ dispose(): void }>): Promise<void> {
  const t = performance.now();
  const bb = await f();
  loads.push(`${label}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  bb.dispose();
}

async function run(backend: 'wasm' | 'cpu' | 'webgpu'): Promise<void> {
  if (backend === 'wasm') setThreadsCount(1);
  if (backend === 'webgpu') console.error(`  webgpu: ${JSON.stringify((await initBackend({ force: 'webgpu' })).adapter)}`);
  else await tf.setBackend(backend);
  await tf.ready();
  const cache = join(tmpdir(), `udtl-bench-backbones-${process.pid}`);
  if (backend === 'wasm') {
    await timeLoad('mobilenet-v2-1.0 import from TFLite (no cache)', () => loadBackbone('mobilenet-v2-1.0', { cacheDir: cache }));
    await timeLoad('mobilenet-v2-1.0 load from tfjs cache', () => loadBackbone('mobilenet-v2-1.0', { cacheDir: cache }));
    await timeLoad('mobilenet-v1-0.25 build + read weights', () => loadBackbone('mobilenet-v1-0.25', { cacheDir: cache }));
  }
  for (const id of ['mobilenet-v2-1.0', 'mobilenet-v1-0.25']) {
    const bb = await loadBackbone(id, { cacheDir: cache });
    for (const batch of [1, 8, 32]) {
      // wasm: about 64 images per setting (fewer with --quick); cpu: one or two batches.
      const reps = backend === 'cpu' || quick ? (batch === 1 ? 2 : 1) : Math.max(2, Math.round((backend === 'webgpu' ? 16 : 64) / batch));
      const images = randomBatch(batch, batch);
      extractTap(bb, undefined, images).dispose(); // warm-up: kernel setup, first allocations
      const t = performance.now();
      const c0 = process.cpuUsage();
      for (let r = 0; r < reps; r++) {
        const f = extractTap(bb, undefined, images);
        await f.data(); // make sure the work is done
        f.dispose();
      }
      const c = process.cpuUsage(c0);
      rows.push({ backend, backbone: id, batch, images: reps * batch, seconds: (performance.now() - t) / 1000, cpuSeconds: (c.user + c.system) / 1e6 });
      console.error(`  ${backend} ${id} batch ${batch}: ${(reps * batch / rows[rows.length - 1].seconds).toFixed(1)} images/s`);
    }
    bb.dispose();
  }
  rmSync(cache, { recursive: true, force: true });
}

await run('wasm');
// `--backend webgpu` (bench/run.ts) or UDTL_BACKEND=webgpu: its rows too, on whatever adapter starts.
if (process.env.UDTL_BACKEND === 'webgpu') await run('webgpu');
await run('cpu');

const rate = (r: Row) => r.images / r.seconds;
const cpuRate = (r: Row) => r.images / r.cpuSeconds;
console.log(`\nBackbone feature extraction at 224x224 (default taps), tfjs ${tf.version_core}, Node ${process.version}`);
console.log('wasm: one thread (setThreadsCount(1)); input: uint8 ImageBatch → preprocess → tap, as extractTap does\n');
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (shared with other jobs: wall figures are pessimistic)\n`);
console.log('| backend | backbone | batch | images | images/s (wall) | images per CPU-s | target (wall) | × cpu |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const cpu = rows.find((c) => c.backend === 'cpu' && c.backbone === r.backbone && c.batch === r.batch);
  const target = r.backend === 'wasm' ? `≥ ${TARGETS[r.backbone]}${rate(r) >= TARGETS[r.backbone] ? ' ✓' : ' ✗'}` : '';
  const ratio = r.backend !== 'cpu' && cpu ? `${(rate(r) / rate(cpu)).toFixed(1)}x` : '';
  console.log(`| ${r.backend} | ${r.backbone} | ${r.batch} | ${r.images} | ${rate(r).toFixed(1)} | ${cpuRate(r).toFixed(1)} | ${target} | ${ratio} |`);
}
console.log('\nLoading (wasm):');
for (const l of loads) console.log(`- ${l}`);
