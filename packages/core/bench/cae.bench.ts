/**
 * Zero-bias CAE costs on one backend thread (wasm when available):
 *  1. CAE training seconds per epoch on 3,000 random 7x7x320 maps (the default tap's shape),
 *     default CAE parameters; and a whole default fit on 2,400 maps (one fold's pool);
 *  2. encoding + pooling throughput (maps/s) for the one-layer 1x1 CAE and for 3x3 encoders; fit
 *     and encoding costs of zero-bias-cae's grid configurations (why its codes are narrower than
 *     the reimplementation's);
 *  3. fit + predict seconds of `zero-bias-cae` on fold 0 (5-fold) of brain-tumor-mri with the
 *     backbone features cached (first run fills the cache with `prepare`, timed separately);
 *  4. tf.memory().numTensors before and after 5 fits.
 *
 *   node --import tsx bench/cae.bench.ts [--skip-dataset] [--skip-configs] [--maps 3000]
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyBudget, cacheDir, loadDataset, stratifiedKFold, type LabelBudget } from '@udtl/datasets';
import { initBackend } from '@udtl/backbones';
import { MemoryStageStore } from '../src/method/index.js';
import { CAE_DEFAULTS, mulberry32, ZeroBiasCAE } from '../src/cae/index.js';
import type { FeatureMaps } from '@udtl/backbones';
import { pooledFeatures } from '@udtl/backbones';
import { createMethod } from '../src/method/registry.js';
import '../src/cae/method.js';

const argv = process.argv.slice(2);
const numArg = (name: string, fallback: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** Non-negative, correlated random maps (a few latent factors per position), like projection outputs. */
function randomMaps(n: number, seed: number, [h, w, c] = [7, 7, 320]): FeatureMaps {
  const rng = mulberry32(seed);
  const rank = 16;
  const basis = Float32Array.from({ length: rank * c }, () => rng() * 2 - 1);
  const data = new Float32Array(n * h * w * c);
  const f = new Float32Array(rank);
  for (let p = 0; p < n * h * w; p++) {
    for (let r = 0; r < rank; r++) f[r] = rng() * 2 - 1;
    for (let j = 0; j < c; j++) {
      let v = 0.2 * rng();
      for (let r = 0; r < rank; r++) v += f[r] * basis[r * c + j];
      data[p * c + j] = v;
    }
  }
  return { n, height: h, width: w, channels: c, data };
}

const info = await initBackend();
console.log(`backend: ${info.name} (threads ${info.threads ?? 1}), tfjs ${info.tfjsVersion}; CAE defaults ${JSON.stringify(CAE_DEFAULTS)}`);
console.log('note: the machine was shared with other jobs while this ran; figures are upper bounds.\n');

// 1. training
const nMaps = numArg('--maps', 3000);
const maps = randomMaps(nMaps, 1);
let t0 = performance.now();
const oneEpoch = await new ZeroBiasCAE({ epochs: 1 }).fit(maps);
console.log(`CAE training, 1 epoch on ${nMaps} maps 7x7x320 (${nMaps * CAE_DEFAULTS.patchesPerMap} patches): ${seconds(t0).toFixed(1)} s`);
oneEpoch.dispose();
const pool = randomMaps(2400, 2);
t0 = performance.now();
const cae = await new ZeroBiasCAE().fit(pool);
console.log(`CAE training, default ${CAE_DEFAULTS.epochs} epochs on 2400 maps (one fold's pool): ${seconds(t0).toFixed(1)} s; loss ${cae.history.map((h) => h.loss.toFixed(3)).join(' → ')}`);

// 2. encoding
t0 = performance.now();
const X = await pooledFeatures(maps, { encoder: cae, pool: 'avgmax' });
const encodeSeconds = seconds(t0);
console.log(`encode + avgmax pool, default CAE (1x1, 320→2048): ${(nMaps / encodeSeconds).toFixed(0)} maps/s (${encodeSeconds.toFixed(1)} s for ${nMaps}, ${X.cols} features)`);
const x = tf.tensor4d(maps.data.subarray(0, 64 * 7 * 7 * 320), [64, 7, 7, 320]);
console.log(`code density at θ=${CAE_DEFAULTS.theta} on these maps: ${((await cae.codeDensity(x)) * 100).toFixed(1)}% non-zero`);
for (const filters of [1024, 2048]) {
  const k3 = await new ZeroBiasCAE({ kernelSize: 3, filters, epochs: 1, patchesPerMap: 1 }).fit(randomMaps(256, 3));
  k3.encode(x).dispose();
  t0 = performance.now();
  k3.encode(x).dispose();
  console.log(`encode, 3x3 320→${filters}: ${(64 / seconds(t0)).toFixed(0)} maps/s`);
  k3.dispose();
}
x.dispose();
cae.dispose();

// 2b. zero-bias-cae's grid configurations (and the reimplementation's widths it could not afford):
// a full default fit (4 epochs) on one fold's 2,400 maps, then encoding 600 maps. --skip-configs skips.
if (!argv.includes('--skip-configs')) {
  const configs: Record<string, Partial<typeof CAE_DEFAULTS>> = {
    'grid 1: 2 layers, 3x3 320→512, 1x1 →1024 (default)': { layers: 2, kernelSize: [3, 1], filters: [512, 1024] },
    'grid 2: 1 layer, 1x1 320→2048': { layers: 1, kernelSize: 1, filters: 2048 },
    'not affordable: 2 layers, 3x3 320→1024, 1x1 →2048': { layers: 2, kernelSize: [3, 1], filters: [1024, 2048] },
  };
  const probe = randomMaps(600, 4);
  for (const [name, params] of Object.entries(configs)) {
    t0 = performance.now();
    const c = await new ZeroBiasCAE(params).fit(pool);
    const fitS = seconds(t0);
    t0 = performance.now();
    const dim = (await pooledFeatures(probe, { encoder: c, pool: 'avg' })).cols;
    console.log(`${name}: fit ${fitS.toFixed(1)} s on 2400 maps; encode + pool ${(600 / seconds(t0)).toFixed(0)} maps/s; ${dim} features`);
    c.dispose();
  }
}

// 3 + 4. the method on brain-tumor-mri
if (!argv.includes('--skip-dataset')) {
  const ds = await loadDataset('brain-tumor-mri');
  const [fold] = stratifiedKFold(ds.samples, { k: 5, seed: 0 });
  const ctx = { seed: 0, cacheDir: cacheDir(), stages: new MemoryStageStore() };
  const method = createMethod('zero-bias-cae');
  t0 = performance.now();
  await method.prepare!(ds.images(undefined, { size: 224, mode: 'resize' }), ctx);
  console.log(`\nbrain-tumor-mri: ${ds.samples.length} images; backbone maps cached or loaded in ${seconds(t0).toFixed(1)} s (prepare)`);
  const test = ds.labelledSet(fold.test, { size: 224 });
  const run = async (budget: LabelBudget, c = ctx, m = method) => {
    const f = applyBudget(fold, ds.samples, budget, 0);
    const start = performance.now();
    const model = await m.fit({ labelled: ds.labelledSet(f.labelled, { size: 224 }), unlabelled: ds.images(f.unlabelled, { size: 224 }) }, c);
    const fitS = seconds(start);
    const p0 = performance.now();
    const proba = await model.predictProba(test.images);
    const predictS = seconds(p0);
    let hits = 0;
    proba.forEach((row, i) => (hits += row.indexOf(Math.max(...row)) === test.labels[i] ? 1 : 0));
    const chosen = model.chosen();
    model.dispose();
    return { f, fitS, predictS, acc: hits / proba.length, C: chosen.C, density: chosen.codeDensity as number };
  };
  for (const budget of [{ perClass: 20 }, 'all'] as LabelBudget[]) {
    const r = await run(budget);
    console.log(
      `fold 0, budget ${JSON.stringify(budget)} (${r.f.labelled.length} labelled, ${r.f.unlabelled.length} unlabelled, ${fold.test.length} test): ` +
        `fit ${r.fitS.toFixed(1)} s, predict ${r.predictS.toFixed(1)} s, accuracy ${(r.acc * 100).toFixed(1)}%, C ${r.C}, code density ${(r.density * 100).toFixed(1)}%`,
    );
  }
  ctx.stages.clear();
  const before = tf.memory().numTensors;
  const quick = createMethod('zero-bias-cae', { epochs: 1 });
  for (let i = 0; i < 5; i++) await run({ perClass: 5 }, { seed: i, cacheDir: ctx.cacheDir, stages: undefined as unknown as MemoryStageStore }, quick);
  console.log(`numTensors before 5 fits: ${before}, after: ${tf.memory().numTensors} (5 fits, 1 CAE epoch each, each trains and disposes its own CAE)`);
}
