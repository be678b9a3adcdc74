import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@udtl/core';

/** Ids registered by importing @udtl/baselines (core's own methods excluded), so a new baseline gets every suite. */
export async function baselineIds(): Promise<string[]> {
  const before = new Set(core.listMethods());
  await import('../src/index.js');
  const added = core.listMethods().filter((id) => !before.has(id));
  // Imported earlier in this worker: fall back to the ids this package's specs declare.
  if (added.length) return added;
  const pkg = await import('../src/index.js');
  return Object.values(pkg)
    .filter((v): v is core.MethodSpec => typeof v === 'object' && v !== null && 'create' in v && 'defaults' in v && 'id' in v)
    .map((s) => s.id)
    .sort();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `udtl-${prefix}-`));
}

export function accuracy(proba: number[][], truth: ArrayLike<number>): number {
  let hits = 0;
  proba.forEach((row, i) => (hits += row.indexOf(Math.max(...row)) === truth[i] ? 1 : 0));
  return hits / proba.length;
}
