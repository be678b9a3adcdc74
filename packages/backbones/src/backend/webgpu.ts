/**
 * The `webgpu` candidate: tfjs-backend-webgpu over Dawn's Node bindings (npm `webgpu`, which ships
 * `dawn.node`; nothing is downloaded at install). At run time Dawn needs `libvulkan.so.1` and a
 * Vulkan driver for a real GPU, or Mesa's EGL/GLES software renderer for the software adapter
 * (Dawn's OpenGL ES backend in compatibility mode; Dawn refuses Mesa's Vulkan lavapipe).
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/** The adapter a webgpu backend runs on: recorded in BackendInfo, the manifest and every job. */
export interface WebGpuAdapter {
  /** Device name as the driver reports it, e.g. 'NVIDIA GeForce RTX 4090', or Dawn's 'llvmpipe-llvm-15-0-6-256-bits-' for Mesa's renderer. */
  name: string;
  vendor: string;
  architecture: string;
  description: string;
  /** Dawn's backend: 'vulkan' (Linux) | 'metal' (macOS) | 'd3d12' (Windows) | 'opengles' (the software adapter). */
  backendType: string;
  /** WebGPU feature level the device was created at. */
  featureLevel: 'core' | 'compatibility';
  /** A CPU renderer (llvmpipe, lavapipe, SwiftShader, WARP), not a GPU. */
  software: boolean;
}

/** UDTL_WEBGPU_ADAPTER: 'auto' (a real GPU, or the software adapter when webgpu is asked for by name), 'hardware', 'software'. */
export type WebGpuAdapterMode = 'auto' | 'hardware' | 'software';
const MODES: WebGpuAdapterMode[] = ['auto', 'hardware', 'software'];

export function webGpuAdapterMode(): WebGpuAdapterMode {
  const v = process.env.UDTL_WEBGPU_ADAPTER?.trim() || 'auto';
  if (!MODES.includes(v as WebGpuAdapterMode)) throw new Error(`UDTL_WEBGPU_ADAPTER='${v}' is not one of ${MODES.join(', ')}`);
  return v as WebGpuAdapterMode;
}

const SOFTWARE_DEVICE = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

// Minimal structural types for what is used of Dawn's objects (the full ones live in @webgpu/types).
interface DawnAdapter {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(descriptor: unknown): Promise<unknown>;
}
interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null>;
}
interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

interface Found {
  gpu: DawnGpu;
  adapter: DawnAdapter;
  record: WebGpuAdapter;
}

/**
 * On Linux, why Dawn's Vulkan backend cannot find a device, checked before asking it (Dawn prints
 * several warning lines to stderr when the Vulkan loader or every driver is missing); else undefined.
 */
function missingVulkanDriver(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/usr/local/lib'];
  const extra = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  if (![...extra, ...libDirs].some((d) => existsSync(join(d, 'libvulkan.so.1')))) {
    return 'no GPU adapter: the Vulkan loader libvulkan.so.1 is missing (Debian: apt-get install libvulkan1)';
  }
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return undefined;
  const icdDirs = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', join(homedir(), '.local/share/vulkan/icd.d')];
  const icds = icdDirs.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')) : []));
  if (icds.length === 0) return `no GPU adapter: no Vulkan driver is installed (no ICD file in ${icdDirs.slice(0, 2).join(' or ')})`;
  // lavapipe alone: Mesa's CPU Vulkan, which Dawn refuses (and we would not want as a "GPU").
  if (icds.every((f) => /lvp_icd/.test(f))) return 'no GPU adapter: the only Vulkan driver is Mesa lavapipe (a CPU renderer, refused by Dawn)';
  return undefined;
}

async function loadDawn(): Promise<DawnModule> {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (err) {
    throw new Error(`npm 'webgpu' (Dawn) did not load: ${(err as Error).message.split('\n')[0]}`);
  }
}

function describeAdapter(a: DawnAdapter, backendType: string, featureLevel: WebGpuAdapter['featureLevel']): WebGpuAdapter {
  const { vendor, architecture, device, description } = a.info;
  const name = device || description || vendor || 'unknown';
  const software = Boolean(a.info.isFallbackAdapter) || SOFTWARE_DEVICE.test(`${device} ${description}`);
  return { name, vendor, architecture, description, backendType, featureLevel, software };
}

/** A real GPU through Dawn's default backend (Vulkan on Linux, Metal, D3D12), or the reason there is none. */
async function hardwareAdapter(dawn: DawnModule): Promise<Found> {
  const missing = missingVulkanDriver();
  if (missing) throw new Error(missing);
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter == null) {
    throw new Error('no GPU adapter (Dawn found no Vulkan/Metal/D3D12 device: check libvulkan1 and the GPU driver, e.g. `vulkaninfo --summary`)');
  }
  // Dawn does not report its backend; these are its defaults per platform (the ones it tries first).
  const backendType = ({ linux: 'vulkan', darwin: 'metal', win32: 'd3d12' } as Record<string, string>)[process.platform] ?? 'default';
  const record = describeAdapter(adapter, backendType, 'core');
  if (record.software) throw new Error(`the only adapter is a software one (${record.name})`);
  return { gpu, adapter, record };
}

/** Mesa's software renderer through Dawn's OpenGL ES backend in compatibility mode, headless. */
async function softwareAdapter(dawn: DawnModule): Promise<Found> {
  // Read by Mesa's libEGL when Dawn first opens it: no X/Wayland display on a server.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const gpu = dawn.create(['backend=opengles']);
  const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' });
  if (adapter == null) {
    throw new Error("no software adapter (Dawn's OpenGL ES backend found no EGL device: install Debian's libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri)");
  }
  return { gpu, adapter, record: { ...describeAdapter(adapter, 'opengles', 'compatibility'), software: true } };
}

/**
 * Finds the adapter to use: a real GPU first; the software adapter only when `requested` (webgpu
 * chosen by name) or UDTL_WEBGPU_ADAPTER=software. Throws one line saying why there is none.
 */
export async function findWebGpuAdapter(requested: boolean): Promise<Found & { dawn: DawnModule }> {
  const mode = webGpuAdapterMode();
  const dawn = await loadDawn();
  if (mode === 'software') return { ...(await softwareAdapter(dawn)), dawn };
  try {
    return { ...(await hardwareAdapter(dawn)), dawn };
  } catch (err) {
    const why = (err as Error).message;
    if (mode === 'hardware' || !requested) {
      throw new Error(`${why}; the software adapter is used only when asked (UDTL_BACKEND=webgpu or UDTL_WEBGPU_ADAPTER=software)`);
    }
    try {
      return { ...(await softwareAdapter(dawn)), dawn };
    } catch (err2) {
      throw new Error(`${why}; ${(err2 as Error).message}`);
    }
  }
}

/**
 * tfjs-backend-webgpu reads GPUBufferUsage, GPUBuffer (instanceof) etc. as globals and checks `navigator.gpu` when a backend
 * is built; Node 20 has neither (Node 21+ has a navigator without gpu): take Dawn's.
 */
function defineWebGpuGlobals(globals: Record<string, unknown>, gpu: DawnGpu): void {
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator == null) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else if (g.navigator.gpu == null) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
}

/**
 * Node has no OffscreenCanvas, which tfjs-webgpu's synchronous read needs: without this, dataSync()
 * of a GPU-resident tensor fails deep inside tfjs with "OffscreenCanvas is not defined".
 */
function explainSyncReads(backend: { readSync(dataId: object): unknown; hasReadSyncWarned?: boolean }): void {
  backend.hasReadSyncWarned = true; // tfjs's "performance is poor" warning would precede the error below
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    try {
      return readSync(dataId);
    } catch (err) {
      if (!/OffscreenCanvas/.test(String(err))) throw err;
      throw new Error(`webgpu backend: dataSync()/arraySync() of a GPU tensor cannot run in Node (no OffscreenCanvas); use \`await tensor.data()\`${callSite()}`);
    }
  };
}

/** ' (at file:line)' of the first caller outside tfjs, so the message names the read to make asynchronous. */
function callSite(): string {
  const frame = (new Error().stack ?? '').split('\n').slice(1).find((l) => !/node_modules|tfjs-|webgpu\.[jt]s|node:internal/.test(l));
  const where = frame?.match(/\(?([^()\s]+:\d+):\d+\)?\s*$/)?.[1];
  return where ? ` (at ${where.replace(/^file:\/\//, '')})` : '';
}

let active: { backend: tf.KernelBackend; record: WebGpuAdapter } | undefined;

/**
 * Registers and activates tfjs's 'webgpu' backend on the adapter `findWebGpuAdapter` returns.
 * Kernels register on import; the backend itself is built here (not by tfjs's own factory, which
 * asks navigator.gpu for a core-level adapter and so never finds the compatibility-mode one).
 */
export async function initWebGpu(requested: boolean): Promise<{ tfjsName: 'webgpu'; gpu: boolean; adapter: WebGpuAdapter }> {
  if (active != null && tf.findBackend('webgpu') === active.backend) {
    if (!(await tf.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') failed");
    return { tfjsName: 'webgpu', gpu: !active.record.software, adapter: active.record };
  }
  const { gpu, adapter, record, dawn } = await findWebGpuAdapter(requested);
  defineWebGpuGlobals(dawn.globals, gpu);
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    // The same limits tfjs's own factory asks for: the adapter's maxima, not WebGPU's defaults.
    requiredLimits: Object.fromEntries(
      [
        'maxComputeWorkgroupStorageSize',
        'maxComputeWorkgroupsPerDimension',
        'maxStorageBufferBindingSize',
        'maxBufferSize',
        'maxComputeWorkgroupSizeX',
        'maxComputeInvocationsPerWorkgroup',
      ].map((k) => [k, limits[k]]),
    ),
  });
  const backend = new WebGPUBackend(device as never, adapter.info as never);
  explainSyncReads(backend as unknown as { readSync(dataId: object): unknown });
  if (tf.findBackendFactory('webgpu') != null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => backend, 3);
  if (!(await tf.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') failed");
  await tf.ready();
  active = { backend, record };
  return { tfjsName: 'webgpu', gpu: !record.software, adapter: record };
}
