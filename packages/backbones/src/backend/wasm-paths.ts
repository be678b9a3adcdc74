import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

let configured = false;

/**
 * Points tfjs-backend-wasm at the .wasm binaries in its installed package directory, so they are
 * found however udtl is run (vitest, compiled dist, tsx, a bundle). Must precede the backend's
 * first initialisation; later calls are no-ops. Returns the directory used.
 */
export function configureWasmPaths(): string {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
  if (!configured) {
    try {
      setWasmPaths(dir);
    } catch {
      // Already initialised by someone else: its own paths worked, nothing to do.
    }
    configured = true;
  }
  return dir;
}
