/**
 * tfjs-wasm, wasm + oneDNN (@udtl/native) and, where Debian's python3-torch imports, PyTorch, side
 * by side in one run, interleaved round by round, on one pinned core (taskset -c 0):
 *  1. matmul GFLOP/s on the CAE's training GEMMs (forward, its transposes, the 1x1 CAE's);
 *  2. one CAE epoch of the first layer of zero-bias-cae's default configuration (3x3x320 patches
 *     → 512, TRec, tied, Adam, batch 256, 8 patches per map) on 2,400 maps (one fold's pool);
 *  3. the CAE fits of zero-bias-cae's default grid on those 2,400 maps, wasm vs oneDNN (what one
 *     fold's fit spends in training);
 *  4. (only when asked for) zero-bias-cae's whole fit (default parameters, all labels) on fold 0
 *     of 5 of brain-tumor-mri, wasm vs oneDNN (backbone maps from the feature cache);
 *  5. fine-tuned's whole fit (default configuration: selection among 8 candidates, then the refit on
 *     every labelled image) on fold 0 of brain-tumor-mri at 20 labels per class, wasm vs oneDNN,
 *     with its time per training epoch.
 * Rates and the CPU rows use process CPU time: the machine is shared, and wall time also measures
 * the neighbours.
 *
 *   node --import tsx bench/run.ts [--rounds 2] [--maps 2400] [--sections 1,2,3] [--no-pin]
 *
 * Core and datasets are imported from their builds (packages/{core,datasets}/dist): a package
 * dependency on core would be circular (core → backbones → native).
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { addonUnavailableReason, registerNativeKernels, unregisterNativeKernels } from '@udtl/native';
import {
  CAE_DEFAULTS,
  createMethod,
  initBackend,
  MemoryStageStore,
  mulberry32,
  ZERO_BIAS_CAE_DEFAULTS,
  ZeroBiasCAE,
  type CaeParams,
  type FeatureMaps,
} from '../../core/dist/index.js';
import { applyBudget, cacheDir, loadDataset, stratifiedKFold } from '../../datasets/dist/index.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const rounds = Number(arg('--rounds', '2'));
const nMaps = Number(arg('--maps', '2400'));
const sections = new Set(arg('--sections', '1,2,3,5').split(',').map(Number));

// Pin: re-run this script under taskset -c 0 (the ratios compare one core with one core).
if (!argv.includes('--no-pin') && process.env.UDTL_BENCH_PINNED !== '1') {
  const r = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, UDTL_BENCH_PINNED: '1' },
  });
  if (r.error == null) process.exit(r.status ?? 1);
  console.log(`(taskset unavailable: ${r.error.message}; running unpinned)`);
}
const pinned = process.env.UDTL_BENCH_PINNED === '1';

await initBackend({ force: 'wasm' });
const why = addonUnavailableReason();
if (why != null) console.log(`oneDNN kernels unavailable (${why}): only wasm (and PyTorch) are measured.`);
const threads = pinned ? { threads: 1 } : {};
const native = why == null ? registerNativeKernels(threads) : undefined;
const useNative = (on: boolean) => (on ? registerNativeKernels(threads) : unregisterNativeKernels());
const python = findTorch();
console.log(
  `one core${pinned ? ' (taskset -c 0)' : ' (not pinned)'}; tfjs ${tf.version_core} wasm` +
    (native ? `; oneDNN ${native.version}, ${native.threads} thread(s)` : '') +
    (python ? `; PyTorch via ${python.cmd} (${python.version})` : '; PyTorch: not importable (apt-get install python3-torch libopenblas0-pthread)') +
    `\nnote: the machine is shared; figures are medians of ${rounds} interleaved rounds.\n`,
);

/** A Python that imports torch: UDTL_TORCH_PYTHON, python3, or Debian's /usr/bin/python3 (pyenv may shadow it). */
function findTorch(): { cmd: string; version: string } | undefined {
  for (const cmd of [process.env.UDTL_TORCH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!cmd) continue;
    const r = spawnSync(cmd, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', env: torchEnv() });
    if (r.status === 0) return { cmd, version: `torch ${r.stdout.trim()}` };
  }
  return undefined;
}

/** OpenBLAS tuning variables set for other tools on these machines would misconfigure torch's BLAS. */
function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function torch(args: string[]): Record<string, unknown> {
  const script = new URL('./cae_epoch.py', import.meta.url).pathname;
  const r = spawnSync(python!.cmd, [script, '--threads', '1', ...args], { encoding: 'utf8', env: torchEnv() });
  if (r.status !== 0) throw new Error(`cae_epoch.py failed: ${r.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] : undefined);
const fmt = (x: number | undefined, digits = 1) => (x == null ? '—' : x.toFixed(digits));
const ratio = (a?: number, b?: number) => (a != null && b != null ? `${fmt(a / b, 2)}×` : '—');

/** This process's CPU seconds (user + system). */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

// 1. matmul GFLOP/s (the same shapes as cae_epoch.py's SHAPES)
const SHAPES: Array<{ label: string; m: number; k: number; n: number; ta: boolean; tb: boolean }> = [
  { label: 'x·W        256×2880 · 2880×512', m: 256, k: 2880, n: 512, ta: false, tb: false },
  { label: 'h·Wᵀ       256×512 · (2880×512)ᵀ', m: 256, k: 512, n: 2880, ta: false, tb: true },
  { label: 'xᵀ·dz      (256×2880)ᵀ · 256×512', m: 2880, k: 256, n: 512, ta: true, tb: false },
  { label: '1×1 CAE    12544×320 · 320×2048', m: 12544, k: 320, n: 2048, ta: false, tb: false },
];

/** GFLOP/s by CPU time, as cae_epoch.py measures PyTorch's. */
function gflops(s: (typeof SHAPES)[number], seconds = 1): number {
  const a = tf.randomUniform(s.ta ? [s.k, s.m] : [s.m, s.k]);
  const b = tf.randomUniform(s.tb ? [s.n, s.k] : [s.k, s.n]);
  tf.matMul(a, b, s.ta, s.tb).dispose();
  let reps = 0;
  const t0 = cpuSeconds();
  while (cpuSeconds() - t0 < seconds) {
    tf.matMul(a, b, s.ta, s.tb).dispose();
    reps++;
  }
  const rate = (2 * s.m * s.k * s.n * reps) / (cpuSeconds() - t0) / 1e9;
  tf.dispose([a, b]);
  return rate;
}

function matmulSection(): void {
  const runs = { wasm: [] as number[][], onednn: [] as number[][], torch: [] as number[][] };
  for (let r = 0; r < rounds; r++) {
    useNative(false);
    runs.wasm.push(SHAPES.map((s) => gflops(s)));
    if (native) {
      useNative(true);
      runs.onednn.push(SHAPES.map((s) => gflops(s)));
    }
    if (python) runs.torch.push(torch(['--matmul']).gflops as number[]);
  }
  console.log('1. matmul GFLOP/s (CPU time)        wasm   oneDNN   PyTorch   oneDNN/PyTorch');
  SHAPES.forEach((s, i) => {
    const [w, o, p] = [runs.wasm, runs.onednn, runs.torch].map((rows) => median(rows.map((row) => row[i])));
    console.log(`   ${s.label.padEnd(34)} ${fmt(w).padStart(5)} ${fmt(o).padStart(8)} ${fmt(p).padStart(9)} ${ratio(o, p).padStart(16)}`);
  });
}

/** Correlated random maps (a few latent factors per position), as in core's bench/cae.bench.ts. */
function randomMaps(n: number, seed: number, [h, w, c] = [7, 7, 320]): FeatureMaps {
  const rng = mulberry32(seed);
  const rank = 16;
  const basis = Float32Array.from({ length: rank * c }, () => rng() * 2 - 1);
  const data = new Float32Array(n * h * w * c);
  const f = new Float32Array(rank);
  for (let p = 0; p < n * h * w; p++) {
    for (let q = 0; q < rank; q++) f[q] = rng() * 2 - 1;
    for (let j = 0; j < c; j++) {
      let v = 0.2 * rng();
      for (let q = 0; q < rank; q++) v += f[q] * basis[q * c + j];
      data[p * c + j] = v;
    }
  }
  return { n, height: h, width: w, channels: c, data };
}

/** The CAE parameters of zero-bias-cae's defaults, with a grid entry's overrides. */
function caeParams(overrides: Record<string, unknown> = {}): Partial<CaeParams> {
  const all = { ...ZERO_BIAS_CAE_DEFAULTS, ...overrides } as Record<string, unknown>;
  return Object.fromEntries(Object.keys(CAE_DEFAULTS).filter((k) => all[k] !== undefined).map((k) => [k, all[k]])) as Partial<CaeParams>;
}

type Timing = { seconds: number; cpu: number };

/** Wall and CPU seconds of one CAE fit. */
async function fitTiming(maps: FeatureMaps, params: Partial<CaeParams>): Promise<Timing> {
  const [t0, c0] = [performance.now(), cpuSeconds()];
  (await new ZeroBiasCAE(params).fit(maps)).dispose();
  return { seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

// 2. one CAE epoch of the default configuration's first layer
async function epochSection(maps: FeatureMaps): Promise<void> {
  const defaults = caeParams();
  const first = (v: number | number[]) => (Array.isArray(v) ? v[0] : v);
  const layer1 = { ...defaults, layers: 1, kernelSize: first(defaults.kernelSize!), filters: first(defaults.filters!), epochs: 1 };
  const runs = { wasm: [] as Timing[], onednn: [] as Timing[], torch: [] as Timing[] };
  const tensorsBefore = tf.memory().numTensors;
  for (let r = 0; r < rounds; r++) {
    useNative(false);
    runs.wasm.push(await fitTiming(maps, layer1));
    if (native) {
      useNative(true);
      runs.onednn.push(await fitTiming(maps, layer1));
    }
    if (python) {
      const out = torch(['--maps', String(nMaps), '--kernel', String(layer1.kernelSize), '--filters', String(layer1.filters)]);
      runs.torch.push({ seconds: out.seconds as number, cpu: out.cpuSeconds as number });
    }
  }
  console.log(
    `\n2. one CAE epoch, ${layer1.kernelSize}x${layer1.kernelSize}x320 → ${layer1.filters} (${defaults.activation}, tied, Adam, ` +
      `batch ${defaults.batchSize}, ${defaults.patchesPerMap} patches/map, ${nMaps} maps)`,
  );
  console.log('   seconds        wasm   oneDNN   PyTorch   wasm/oneDNN   oneDNN/PyTorch   wasm/PyTorch');
  for (const key of ['seconds', 'cpu'] as const) {
    const [w, o, p] = [runs.wasm, runs.onednn, runs.torch].map((ts) => median(ts.map((t) => t[key])));
    console.log(
      `   ${(key === 'cpu' ? 'CPU' : 'wall').padEnd(10)} ${fmt(w).padStart(7)} ${fmt(o).padStart(8)} ${fmt(p).padStart(9)}` +
        `${ratio(w, o).padStart(14)}${ratio(o, p).padStart(17)}${ratio(w, p).padStart(15)}`,
    );
  }
  console.log(`   (time ratios: oneDNN/PyTorch < 1 is faster than PyTorch); tensors leaked: ${tf.memory().numTensors - tensorsBefore}`);
}

// 3. the default grid's CAE fits on one fold's pool
async function fitSection(maps: FeatureMaps): Promise<void> {
  const defaults = caeParams();
  console.log(`\n3. zero-bias-cae's default grid, CAE fits on ${nMaps} maps (${defaults.epochs} epochs each), wasm vs oneDNN:`);
  const totals = [0, 0];
  for (const entry of ZERO_BIAS_CAE_DEFAULTS.grid as Record<string, unknown>[]) {
    const params = caeParams(entry);
    useNative(false);
    const w = await fitTiming(maps, params);
    const o = native ? (useNative(true), await fitTiming(maps, params)) : undefined;
    totals[0] += w.seconds;
    totals[1] += o?.seconds ?? 0;
    const label = JSON.stringify({ layers: params.layers, kernelSize: params.kernelSize, filters: params.filters });
    console.log(`   ${label}: wasm ${fmt(w.seconds)} s (CPU ${fmt(w.cpu)}), oneDNN ${fmt(o?.seconds)} s (CPU ${fmt(o?.cpu)})`);
  }
  if (!native) return;
  console.log(`   total wall: wasm ${fmt(totals[0])} s, oneDNN ${fmt(totals[1])} s (${ratio(totals[0], totals[1])} faster)`);
  // The paper's code widths, which wasm could not afford as a default: oneDNN only.
  const paper = caeParams({ layers: 2, kernelSize: [3, 1], filters: [1024, 2048] });
  const o = await fitTiming(maps, paper);
  console.log(`   the paper's widths ${JSON.stringify({ kernelSize: paper.kernelSize, filters: paper.filters })}: oneDNN ${fmt(o.seconds)} s (CPU ${fmt(o.cpu)})`);
}

// 4. one fold's zero-bias-cae fit on brain-tumor-mri
async function foldSection(): Promise<void> {
  const ds = await loadDataset('brain-tumor-mri');
  const [fold] = stratifiedKFold(ds.samples, { k: 5, seed: 0 });
  const opts = { size: 224, mode: 'resize' as const };
  const ctx = { seed: 0, cacheDir: cacheDir(), stages: new MemoryStageStore() };
  const method = createMethod('zero-bias-cae');
  const t0 = performance.now();
  await method.prepare!(ds.images(undefined, opts), ctx);
  console.log(`\n4. zero-bias-cae on brain-tumor-mri fold 0 of 5 (backbone maps ready in ${fmt((performance.now() - t0) / 1000)} s):`);
  const split = applyBudget(fold, ds.samples, 'all', 0);
  for (const on of native ? [false, true] : [false]) {
    useNative(on);
    ctx.stages.clear();
    const [w0, c0] = [performance.now(), cpuSeconds()];
    const model = await method.fit({ labelled: ds.labelledSet(split.labelled, opts), unlabelled: ds.images(split.unlabelled, opts) }, ctx);
    console.log(`   ${on ? 'oneDNN' : 'wasm  '}: fit ${fmt((performance.now() - w0) / 1000)} s (CPU ${fmt(cpuSeconds() - c0)} s), ${split.labelled.length} labelled`);
    model.dispose();
  }
}

// 5. one fold's fine-tuned fit on brain-tumor-mri (20 labels per class)
async function fineTuneSection(): Promise<void> {
  await import('../../baselines/dist/index.js'); // registers fine-tuned with core's registry
  const ds = await loadDataset('brain-tumor-mri');
  const [fold] = stratifiedKFold(ds.samples, { k: 5, seed: 0 });
  const opts = { size: 224, mode: 'resize' as const };
  const ctx = { seed: 0, cacheDir: cacheDir(), stages: new MemoryStageStore() };
  const method = createMethod('fine-tuned');
  await method.prepare?.(ds.images(undefined, opts), ctx);
  const split = applyBudget(fold, ds.samples, { perClass: 20 }, 0);
  console.log('\n5. fine-tuned (default configuration) on brain-tumor-mri fold 0 of 5, 20 labels per class:');
  const seconds: number[] = [];
  for (const on of native ? [false, true] : [false]) {
    useNative(on);
    ctx.stages.clear();
    const [w0, c0] = [performance.now(), cpuSeconds()];
    const model = await method.fit({ labelled: ds.labelledSet(split.labelled, opts), unlabelled: ds.images(split.unlabelled, opts) }, ctx);
    const wall = (performance.now() - w0) / 1000;
    const chosen = (model.chosen?.() ?? {}) as { epochs?: number; steps?: number; selectionLossCurves?: unknown[] };
    seconds.push(wall);
    console.log(`   ${on ? 'oneDNN' : 'wasm  '}: fit ${fmt(wall)} s (CPU ${fmt(cpuSeconds() - c0)} s), refit ${fmt(chosen.epochs, 2)} epochs / ${chosen.steps ?? '?'} steps on ${split.labelled.length} labelled images`);
    model.dispose();
  }
  if (seconds.length === 2) console.log(`   oneDNN ${ratio(seconds[0], seconds[1])} faster`);
}

if (sections.has(1)) matmulSection();
const maps = sections.has(2) || sections.has(3) ? randomMaps(nMaps, 1) : undefined;
if (sections.has(2)) await epochSection(maps!);
if (sections.has(3)) await fitSection(maps!);
if (sections.has(4)) await foldSection();
if (sections.has(5)) await fineTuneSection();
