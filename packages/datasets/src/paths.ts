import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The monorepo root: the nearest ancestor of `from` holding pnpm-workspace.yaml (else `from`). */
export function projectRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(from);
    dir = up;
  }
}

/** `../shared/<sub>` beside the project, when this machine has it (read-only mirror). */
function sharedDir(sub: string): string | undefined {
  const dir = join(projectRoot(), '..', 'shared', sub);
  return existsSync(dir) ? dir : undefined;
}

/**
 * Where datasets live: `override` (--data-dir), else UDTL_DATA_DIR, else `../shared/data` when it
 * exists, else `<project>/data`. May be read-only: nothing is ever written under it by the readers.
 */
export function dataRoot(override?: string): string {
  const chosen = override ?? process.env.UDTL_DATA_DIR;
  if (chosen) return resolve(chosen);
  return sharedDir('data') ?? join(projectRoot(), 'data');
}

/**
 * A data root the user chose (`override` or UDTL_DATA_DIR) that is not a folder: a sentence saying
 * so, else undefined. Without it a typo in the path silently falls back to downloading every dataset.
 */
export function dataRootProblem(override?: string): string | undefined {
  const chosen = override ?? process.env.UDTL_DATA_DIR;
  if (!chosen) return undefined;
  const by = override !== undefined ? '--data-dir' : 'UDTL_DATA_DIR';
  const path = resolve(chosen);
  if (!existsSync(path)) return `data root ${path} (from ${by}) does not exist`;
  if (!statSync(path).isDirectory()) return `data root ${path} (from ${by}) is a file, not a folder`;
  return undefined;
}

/** Where pretrained weights live: override, UDTL_MODELS_DIR, `../shared/models`, `<project>/models`. */
export function modelsRoot(override?: string): string {
  const chosen = override ?? process.env.UDTL_MODELS_DIR;
  if (chosen) return resolve(chosen);
  return sharedDir('models') ?? join(projectRoot(), 'models');
}

/** Test photos (`../shared/images`), used to check that a pretrained backbone is pretrained. */
export function imagesRoot(override?: string): string {
  const chosen = override ?? process.env.UDTL_IMAGES_DIR;
  if (chosen) return resolve(chosen);
  return sharedDir('images') ?? join(projectRoot(), 'images');
}

/** Caches (downloads, features, imported models): UDTL_CACHE_DIR or `<project>/.cache/udtl`. Always safe to delete. */
export function cacheDir(override?: string): string {
  const chosen = override ?? process.env.UDTL_CACHE_DIR;
  return chosen ? resolve(chosen) : join(projectRoot(), '.cache', 'udtl');
}
