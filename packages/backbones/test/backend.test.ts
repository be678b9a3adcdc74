/** The backend chain: registry, selection order, forcing, UDTL_BACKEND, idempotence, errors. */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  backendInfo,
  findWebGpuAdapter,
  getBackendCandidate,
  initBackend,
  listBackendCandidates,
  registerBackendCandidate,
  unregisterBackendCandidate,
} from '../src/backend/index.js';

const savedEnv = process.env.UDTL_BACKEND;
delete process.env.UDTL_BACKEND;
afterEach(() => {
  delete process.env.UDTL_BACKEND;
});

/** The version as the installed tfjs-core package states it (not as the code under test reports it). */
const tfjsCoreVersion: string = createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json').version;

/** Whether a package really loads here (a failed tfjs-node import warns once per kernel: muted). */
async function loads(pkg: string): Promise<boolean> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    await import(pkg);
    return true;
  } catch {
    return false;
  } finally {
    warn.mockRestore();
  }
}

/** A real GPU adapter here (the chain's first choice); the software adapter does not count. */
async function hasGpuAdapter(): Promise<boolean> {
  return findWebGpuAdapter(false).then(() => true, () => false);
}

describe('backend chain', () => {
  it('backendInfo() before initBackend() explains what to do', () => {
    expect(() => backendInfo()).toThrow(/initBackend/);
  });

  it('lists the candidates in priority order and rejects unknown names with the known ones', () => {
    expect(listBackendCandidates()).toEqual(['webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']);
    expect(() => getBackendCandidate('webgl')).toThrow(/unknown backend "webgl".*webgpu, tfjs-node-gpu, tfjs-node, wasm, cpu/);
  });

  it('picks the first candidate that initialises, and a second call returns the same info', async () => {
    // What this machine can load, found independently of the chain.
    const expected = (await hasGpuAdapter()) ? 'webgpu' : (await loads('@tensorflow/tfjs-node-gpu')) ? 'tfjs-node-gpu' : (await loads('@tensorflow/tfjs-node')) ? 'tfjs-node' : 'wasm';
    const info = await initBackend();
    expect(info.name).toBe(expected);
    expect(info.tfjsVersion).toBe(tfjsCoreVersion);
    expect(info.gpu).toBe(expected === 'tfjs-node-gpu' || expected === 'webgpu');
    if (expected === 'wasm') {
      expect(tf.getBackend()).toBe('wasm');
      expect(info.threads).toBe(wasm.getThreadsCount());
      expect(info.threads).toBeGreaterThanOrEqual(1);
    }
    expect(await initBackend()).toBe(info);
    expect(backendInfo()).toBe(info);
  });

  it('says why tfjs-node is unusable when forced', async () => {
    if (await loads('@tensorflow/tfjs-node')) return; // usable here: nothing to explain
    await expect(initBackend({ force: 'tfjs-node' })).rejects.toThrow(
      /backend "tfjs-node" \(chosen by initBackend\(\{ force \}\)\) failed to initialise: .*(tfjs-node|tfjs_binding)/,
    );
  });

  it('force picks a backend, and later plain calls keep it', async () => {
    const info = await initBackend({ force: 'cpu' });
    expect(info).toEqual({ name: 'cpu', gpu: false, tfjsVersion: tfjsCoreVersion, threads: 1 });
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend()).toBe(info);
    expect(backendInfo()).toBe(info);
  });

  it('UDTL_BACKEND picks a backend; force overrides it', async () => {
    process.env.UDTL_BACKEND = 'wasm';
    expect((await initBackend()).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect((await initBackend({ force: 'cpu' })).name).toBe('cpu');
    process.env.UDTL_BACKEND = 'tpu';
    await expect(initBackend()).rejects.toThrow(/unknown backend "tpu"; known backends: .*wasm, cpu/);
  });

  it('a forced backend that fails is an error naming it and the reason', async () => {
    registerBackendCandidate({ name: 'broken', priority: -1, init: async () => { throw new Error('no such device'); } });
    try {
      await expect(initBackend({ force: 'broken' })).rejects.toThrow(
        /backend "broken" \(chosen by initBackend\(\{ force \}\)\) failed to initialise: no such device/,
      );
      process.env.UDTL_BACKEND = 'broken';
      await expect(initBackend()).rejects.toThrow(/backend "broken" \(chosen by UDTL_BACKEND\) failed.*no such device/);
    } finally {
      unregisterBackendCandidate('broken');
    }
  });

  it('falls through failing candidates to the next by priority', async () => {
    const tried: string[] = [];
    registerBackendCandidate({ name: 'first', priority: 1e6, init: async () => { tried.push('first'); throw new Error('nope'); } });
    registerBackendCandidate({
      name: 'second',
      priority: 1e5,
      init: async () => {
        tried.push('second');
        await tf.setBackend('cpu');
        return { tfjsName: 'cpu', gpu: false };
      },
    });
    try {
      await initBackend({ force: 'wasm' });
      await tf.setBackend('cpu'); // someone switched tfjs behind our back: the remembered info is stale
      const info = await initBackend();
      expect(tried).toEqual(['first', 'second']);
      expect(info).toEqual({ name: 'second', gpu: false, tfjsVersion: tfjsCoreVersion });
    } finally {
      unregisterBackendCandidate('first');
      unregisterBackendCandidate('second');
    }
  });

  it('registration validates its input', () => {
    expect(() => registerBackendCandidate({ name: 'x', priority: Number.NaN, init: async () => ({ tfjsName: 'cpu', gpu: false }) })).toThrow(/priority of "x"/);
    expect(() => unregisterBackendCandidate('never-registered')).toThrow(/unknown backend "never-registered"/);
  });
});

if (savedEnv != null) process.env.UDTL_BACKEND = savedEnv;
