/** Test backend: wasm through the project's backend chain (wasm paths + gradient kernels). */
import { initBackend } from '../../src/backend/index.js';

export async function useWasm(): Promise<void> {
  const info = await initBackend({ force: 'wasm' });
  if (info.name !== 'wasm') throw new Error(`expected the wasm backend, got ${info.name}`);
}
