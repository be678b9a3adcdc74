/**
 * The backend module compiled by tsc and run by plain Node (no vitest, no tsx): the wasm binaries
 * must be found and the gradient kernels must work from compiled output too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkgDir = dirname(dirname(fileURLToPath(import.meta.url)));
// Under the package's node_modules so that its dependencies resolve and git never sees it; removed afterwards.
mkdirSync(join(pkgDir, 'node_modules/.cache'), { recursive: true });
const outDir = mkdtempSync(join(pkgDir, 'node_modules/.cache/udtl-backend-dist-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const script = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from './backend/index.js';
const info = await initBackend({ force: 'wasm' });
const grads = (backend) => {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 3 }, (_, i) => Math.sin(i)), [2, 6, 6, 3]);
    const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
    const d = tf.tensor4d(Array.from({ length: 3 * 3 * 4 * 2 }, (_, i) => Math.cos(2 * i)), [3, 3, 4, 2]);
    const f = (a, b, c) => tf.sum(tf.square(tf.depthwiseConv2d(tf.conv2d(a, b, 2, 'same'), c, 1, 'same')));
    return tf.grads(f)([x, w, d]).map((g) => Array.from(g.dataSync()));
  });
};
await tf.setBackend('cpu');
const ref = grads('cpu');
const got = grads('wasm');
let err = 0;
ref.forEach((r, k) => {
  const scale = Math.max(...r.map(Math.abs));
  r.forEach((v, i) => { err = Math.max(err, Math.abs(got[k][i] - v) / scale); });
});
console.log(JSON.stringify({ info, err, backend: tf.getBackend() }));
`;

describe('compiled backend module under plain Node', () => {
  it('initialises wasm and computes conv gradients that match cpu', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [
      tsc, '--outDir', outDir, '--rootDir', join(pkgDir, 'src'), '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
      '--target', 'ES2022', '--strict', '--skipLibCheck', '--types', 'node', join(pkgDir, 'src/backend/index.ts'),
    ], { cwd: pkgDir, stdio: 'pipe' });
    writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(outDir, 'check.js'), script);
    const out = execFileSync(process.execPath, [join(outDir, 'check.js')], { cwd: outDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result.info.name).toBe('wasm');
    expect(result.backend).toBe('wasm');
    expect(result.err).toBeLessThan(1e-5);
  });
});
