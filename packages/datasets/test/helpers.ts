import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataRoot } from '../src/paths.js';

/** The read-only shared data root (../shared/data) when this machine has it. */
export const SHARED = dataRoot();
export const hasShared = existsSync(join(SHARED, 'fixtures'));
export const hasFull = existsSync(join(SHARED, 'brain-tumor-mri', 'labels.csv'));

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'udtl-datasets-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
