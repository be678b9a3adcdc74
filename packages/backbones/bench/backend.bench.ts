/**
 * Conv training step (forward + backward for both dx and dw) on wasm, with udtl's gradient
 * kernels, vs tfjs's pure-JS cpu backend. Prints ms/step and the cpu/wasm ratio.
 *
 *   node --import tsx bench/backend.bench.ts [--steps N] [--cpu-steps N]     (UDTL_BACKEND=webgpu: webgpu too)
 *
 * cpu takes minutes per step on the first shape, so it gets one timed step and no warm-up by default.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../src/backend/index.js';

interface Shape {
  label: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: 1 | 2;
}

const shapes: Shape[] = [
  { label: 'CAE-like: 16x7x7x320 -> 3x3 conv, 2048 filters, stride 1', x: [16, 7, 7, 320], filter: [3, 3, 320, 2048], stride: 1 },
  { label: 'early layer: 16x56x56x32 -> 3x3 conv, 64 filters, stride 2', x: [16, 56, 56, 32], filter: [3, 3, 32, 64], stride: 2 },
  { label: 'depthwise: 16x56x56x32 -> 3x3 depthwise, stride 2', x: [16, 56, 56, 32], filter: [3, 3, 32, 1], stride: 2 },
];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Median wall time of `steps` training steps, after one warm-up step if `warmUp`. */
async function timeStep(s: Shape, steps: number, warmUp: boolean): Promise<number> {
  const depthwise = s.label.startsWith('depthwise');
  const x = tf.randomNormal(s.x, 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomNormal(s.filter, 0, 0.05, 'float32', 2) as tf.Tensor4D;
  const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
    depthwise ? tf.depthwiseConv2d(a, b, s.stride, 'same') : tf.conv2d(a, b, s.stride, 'same');
  const loss = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.square(conv(a as tf.Tensor4D, b as tf.Tensor4D)));
  const step = async () => {
    const grads = tf.grads(loss)([x, w]);
    await Promise.all(grads.map((g) => g.data())); // force completion (webgpu has no synchronous read in Node)
    tf.dispose(grads);
  };
  if (warmUp) await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  tf.dispose([x, w]);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const steps = arg('--steps', 3);
const cpuSteps = arg('--cpu-steps', 1);
const wasmInfo = await initBackend({ force: 'wasm' });
await tf.setBackend('cpu');
await tf.setBackend('wasm');
console.log(`# backend bench: conv training step (loss = mean(conv(x,w)^2), grads for x and w), wasm: median of ${steps} after 1 warm-up; cpu: median of ${cpuSteps}, no warm-up`);
console.log(`# wasm: ${JSON.stringify(wasmInfo)}; cpu: tfjs-backend-cpu ${tf.version_core}; node ${process.version}`);
// `--backend webgpu` (bench/run.ts) or UDTL_BACKEND=webgpu: the same steps on webgpu, on whatever adapter starts.
const webgpuInfo = process.env.UDTL_BACKEND === 'webgpu' ? await initBackend({ force: 'webgpu' }) : undefined;
if (webgpuInfo) console.log(`# webgpu: ${JSON.stringify(webgpuInfo)}`);
for (const s of shapes) {
  await tf.setBackend('wasm');
  const wasmMs = await timeStep(s, steps, true);
  console.log(`${s.label}: wasm ${wasmMs.toFixed(0)} ms/step`);
  if (webgpuInfo) {
    await tf.setBackend('webgpu');
    const gpuMs = await timeStep(s, steps, true);
    console.log(`${s.label}: webgpu ${gpuMs.toFixed(0)} ms/step, wasm/webgpu ${(wasmMs / gpuMs).toFixed(2)}x`);
  }
  if (cpuSteps < 1) continue; // --cpu-steps 0: no cpu figures (minutes per step)
  await tf.setBackend('cpu');
  const cpuMs = await timeStep(s, cpuSteps, false);
  console.log(`${s.label}: cpu ${cpuMs.toFixed(0)} ms/step, cpu/wasm ${(cpuMs / wasmMs).toFixed(1)}x`);
}
