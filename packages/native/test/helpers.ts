import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { describe, it } from 'vitest';
import { addonUnavailableReason } from '../src/index.js';

/** tfjs-core's CommonJS build registers no gradients in Node; tfjs-layers' build does (as in core's backend). */
export async function setUpBackends(): Promise<void> {
  if (tf.getGradient('Sum') == null) await import('@tensorflow/tfjs-layers');
  const dir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
  wasm.setWasmPaths(dir);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
}

/**
 * `describe` when the addon loads; otherwise skipped with the reason, unless UDTL_REQUIRE_NATIVE=1
 * (set by .ci/run, which installs libdnnl-dev), where a missing addon fails the suite.
 */
export function describeNative(name: string, body: () => void): void {
  const reason = addonUnavailableReason();
  if (reason == null) {
    describe(name, body);
  } else if (process.env.UDTL_REQUIRE_NATIVE === '1') {
    describe(name, () => {
      it('needs the oneDNN addon (UDTL_REQUIRE_NATIVE=1)', () => {
        throw new Error(`@udtl/native is required but unavailable: ${reason}`);
      });
    });
  } else {
    console.warn(`skipping "${name}": @udtl/native unavailable (${reason})`);
    describe.skip(name, body);
  }
}

/** Seeded uniform values in [-1, 1) (mulberry32), so every run compares the same inputs. */
export function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** Runs `f` on `backend` and returns its outputs' values (tensors freed). */
export function runOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  const previous = tf.getBackend();
  tf.setBackend(backend);
  try {
    const out = tf.tidy(f);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
    return values;
  } finally {
    tf.setBackend(previous);
  }
}

/** Largest |a − ref| relative to the largest |ref| (a scale-aware tolerance for sums of products). */
export function relativeError(a: Float32Array, ref: Float32Array): number {
  if (a.length !== ref.length) throw new Error(`length ${a.length} vs reference ${ref.length}`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return err / Math.max(scale, 1e-30);
}
