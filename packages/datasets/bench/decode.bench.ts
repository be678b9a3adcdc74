/**
 * Decode + resize throughput of the brain MRI set to 224x224 uint8 RGB, the way a Method reads
 * it (ImageSet.batches), at a few decode concurrencies. Usage: `pnpm bench` in packages/datasets
 * (env BENCH_IMAGES=n limits the images per setting; default: all de-duplicated images).
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import sharp from 'sharp';
import { loadDataset } from '../src/index.js';

const id = process.env.BENCH_DATASET ?? 'brain-tumor-mri';
const t0 = performance.now();
const dataset = await loadDataset(id);
const loadSeconds = (performance.now() - t0) / 1000;
const limit = Number(process.env.BENCH_IMAGES ?? dataset.samples.length);
const ids = dataset.samples.slice(0, limit).map((s) => s.id);
console.log(`${id}: ${dataset.foundSamples.length} files found, ${dataset.samples.length} after de-duplication; load (scan + sha256 of every file) ${loadSeconds.toFixed(2)} s`);
console.log(`node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, ${availableParallelism()} cores (${cpus()[0]?.model}), load average ${loadavg()[0].toFixed(2)}, UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? 4}`);

for (const mode of ['resize', 'pad'] as const) {
  for (const concurrency of [1, 2, 4]) {
    if (mode === 'pad' && concurrency !== 2) continue;
    const d = await loadDataset(id, { decodeConcurrency: concurrency });
    const set = d.images(ids, { size: 224, mode });
    const start = performance.now();
    let n = 0;
    let checksum = 0;
    for await (const batch of set.batches(32)) {
      n += batch.n;
      checksum = (checksum + batch.data[batch.data.length >> 1]) % 65521;
    }
    const seconds = (performance.now() - start) / 1000;
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(`${mode.padEnd(6)} 224x224  concurrency ${concurrency}: ${n} images in ${seconds.toFixed(2)} s = ${(n / seconds).toFixed(1)} images/s  (rss ${rss.toFixed(0)} MiB, checksum ${checksum})`);
  }
}
