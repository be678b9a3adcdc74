import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelsRoot } from '@udtl/datasets';

export const V2_TFLITE = join(modelsRoot(), 'mobilenet_v2_1.0_224_quant', 'mobilenet_v2_1.0_224_quant.tflite');
export const V1_DIR = join(modelsRoot(), 'mobilenet_v1_0.25_224');

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `udtl-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Remove every directory tempDir() made in this test file. */
export function removeTempDirs(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}
