/**
 * onnxruntime-node's bundled WebGPU provider for frozen features, only when named
 * (UDTL_ORT_PROVIDER=webgpu / provider: 'webgpu'). It brings its own Dawn, which needs a Vulkan (or
 * Metal/D3D12) GPU: no software fallback, so on a machine without one it must fail, naming the provider.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageBatch } from '@udtl/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findWebGpuAdapter, initBackend } from '../src/backend/index.js';
import { loadBackbone } from '../src/backbones/index.js';
import { createFrozenEngine } from '../src/backbones/onnx/index.js';
import type { Backbone } from '../src/backbones/types.js';
import { relErr } from './helpers/compare.js';

const cache = mkdtempSync(join(tmpdir(), 'udtl-ort-webgpu-'));
let backbone: Backbone;
/** A real GPU for Dawn (the software adapter does not count: onnxruntime's Dawn has no GL backend). */
let gpu = false;

beforeAll(async () => {
  await initBackend({ force: 'wasm' });
  backbone = await loadBackbone('mobilenet-v1-0.25');
  const saved = process.env.UDTL_WEBGPU_ADAPTER;
  process.env.UDTL_WEBGPU_ADAPTER = 'hardware';
  gpu = await findWebGpuAdapter(true).then(() => true, () => false);
  if (saved == null) delete process.env.UDTL_WEBGPU_ADAPTER;
  else process.env.UDTL_WEBGPU_ADAPTER = saved;
});
afterAll(() => {
  backbone?.dispose();
  rmSync(cache, { recursive: true, force: true });
});

function grey(n: number): ImageBatch {
  const data = new Uint8Array(n * 224 * 224 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
  return { ids: Array.from({ length: n }, (_, i) => `g${i}`), data, n, height: 224, width: 224, channels: 3 };
}

describe('onnxruntime WebGPU provider', () => {
  it('auto never picks it', async () => {
    const e = await createFrozenEngine(backbone, undefined, { cacheDir: cache, threads: 1, engine: 'onnxruntime', provider: 'auto' });
    expect(e.provider).not.toBe('webgpu');
    await e.dispose();
  });

  it('named: runs on a GPU and matches the cpu provider, else fails naming webgpu and the missing adapter', async () => {
    const make = (provider: 'cpu' | 'webgpu') => createFrozenEngine(backbone, undefined, { cacheDir: cache, threads: 1, engine: 'onnxruntime', provider });
    if (!gpu) {
      await expect(make('webgpu')).rejects.toThrow(/no onnxruntime provider could load .*webgpu: .*adapter/i);
      return;
    }
    const [cpu, webgpu] = [await make('cpu'), await make('webgpu')];
    try {
      expect(webgpu.provider).toBe('webgpu');
      const [a, b] = [await cpu.run(grey(2)), await webgpu.run(grey(2))];
      expect(relErr(b, a)).toBeLessThan(1e-3);
    } finally {
      await cpu.dispose();
      await webgpu.dispose();
    }
  });
});
