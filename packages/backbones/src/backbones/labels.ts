import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const V2_DIR = 'mobilenet_v2_1.0_224_quant';
export const IMAGENET_LABELS_FILE = 'imagenet_labels.txt';

/**
 * ImageNet class names from `imagenet_labels.txt` (1,001 lines, 'background' first). With
 * `withBackground: false` the first line is dropped, giving the 1,000 ImageNet classes in order.
 */
export function readImagenetLabels(path: string, withBackground: boolean): string[] {
  if (!existsSync(path)) throw new Error(`ImageNet labels file not found: ${path}`);
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== 1001 || lines[0] !== 'background') {
    throw new Error(`${path}: expected 1,001 lines starting with 'background', found ${lines.length} starting with '${lines[0]}'`);
  }
  return withBackground ? lines : lines.slice(1);
}

/** The labels file shipped with the MobileNetV2 TFLite model, if present under `modelsDir`. */
export function findImagenetLabels(modelsDir: string): string | undefined {
  for (const p of [join(modelsDir, V2_DIR, IMAGENET_LABELS_FILE), join(modelsDir, IMAGENET_LABELS_FILE)]) {
    if (existsSync(p)) return p;
  }
  return undefined;
}
