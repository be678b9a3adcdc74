import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelsRoot } from '@udtl/datasets';

export const V2_TFLITE = join(modelsRoot(), 'mobilenet_v2_1.0_224_quant', 'mobilenet_v2_1.0_224_quant.tflite');
export const V1_DIR = join(modelsRoot(), 'mobilenet_v1_0.25_224');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `udtl-${prefix}-`));
}
