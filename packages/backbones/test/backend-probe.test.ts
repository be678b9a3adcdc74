/** probeBackends (`udtl backends list`): every candidate in chain order, whether it starts, and why not. */
import { describe, expect, it } from 'vitest';
import { findWebGpuAdapter, listBackendCandidates, probeBackends } from '../src/backend/index.js';

for (const v of ['UDTL_BACKEND', 'UDTL_WEBGPU_ADAPTER']) delete process.env[v];

describe('probeBackends', () => {
  it('reports each candidate in chain order; webgpu says why the chain skips it and what happens when asked', async () => {
    const probes = await probeBackends();
    expect(probes.map((p) => p.name)).toEqual(listBackendCandidates());
    for (let i = 1; i < probes.length; i++) expect(probes[i].priority).toBeLessThan(probes[i - 1].priority);

    const byName = new Map(probes.map((p) => [p.name, p]));
    expect(byName.get('cpu')).toMatchObject({ starts: true, detail: 'CPU; 1 thread' });
    expect(byName.get('wasm')!.starts).toBe(true);
    expect(byName.get('wasm')!.detail).toMatch(/^CPU; \d+ threads?/);

    const webgpu = byName.get('webgpu')!;
    // The chain takes webgpu exactly when a real GPU adapter starts; the software adapter only when asked.
    const gpuStarts = await findWebGpuAdapter(false).then(() => true, () => false);
    expect(webgpu.starts).toBe(gpuStarts);
    if (!gpuStarts) expect(webgpu.detail).toMatch(/^no GPU adapter.*used only when asked \(UDTL_BACKEND=webgpu/);
    expect(webgpu.detail).not.toContain('\n');
    // Asked for by name it starts exactly when an adapter (a GPU, else the software one) does.
    const adapterStarts = await findWebGpuAdapter(true).then(() => true, () => false);
    expect(webgpu.whenAsked?.starts).toBe(adapterStarts);
    if (adapterStarts) expect(webgpu.whenAsked!.detail).toMatch(/Dawn (opengles|vulkan|metal|d3d12|default)/);
    else expect(webgpu.whenAsked!.detail).toMatch(/adapter/);
  });

  it('a candidate that fails the same way when asked gets no second line', async () => {
    const probes = await probeBackends();
    for (const p of probes.filter((q) => q.name.startsWith('tfjs-node') && !q.starts)) {
      expect(p.detail).toMatch(/@tensorflow\/tfjs-node/);
      expect(p.whenAsked).toBeUndefined();
    }
  });
});
