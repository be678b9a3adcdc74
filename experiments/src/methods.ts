import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as core from '@udtl/core';
import { projectRoot } from '@udtl/datasets';
import { SHARED_PARAMS, methodEntries, type ExperimentConfig, type MethodEntry } from './config.js';

/** The built-in methods: importing these packages registers them. */
export async function loadBuiltinMethods(): Promise<void> {
  await import('@udtl/core');
  await import('@udtl/baselines');
}

/** Workspace packages by name, from the folders pnpm-workspace.yaml lists (`dir/*` or `dir`). */
function workspacePackages(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const yaml = join(root, 'pnpm-workspace.yaml');
  if (!existsSync(yaml)) return found;
  const globs = [...readFileSync(yaml, 'utf8').matchAll(/^\s*-\s*['"]?([^'"\s#]+)['"]?\s*$/gm)].map((m) => m[1]);
  for (const glob of globs) {
    const dirs = glob.endsWith('/*')
      ? (existsSync(join(root, glob.slice(0, -2))) ? readdirSync(join(root, glob.slice(0, -2))).map((d) => join(root, glob.slice(0, -2), d)) : [])
      : [join(root, glob)];
    for (const dir of dirs) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg)) found.set(JSON.parse(readFileSync(pkg, 'utf8')).name, dir);
    }
  }
  return found;
}

/**
 * Import a package that registers methods: a workspace package (found by name, no edit of the
 * runner's dependencies needed) or an installed one. Its entry is its package.json
 * `exports['.']`/`main`, built to dist/ by `pnpm build`.
 */
export async function importMethodPackage(name: string): Promise<void> {
  const dir = workspacePackages(projectRoot()).get(name);
  if (dir) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const exp = pkg.exports?.['.'];
    const entry: string | undefined = (typeof exp === 'string' ? exp : exp?.default ?? exp?.import) ?? pkg.main;
    if (!entry) throw new Error(`package ${name} (${dir}) has no "exports" or "main" entry`);
    const file = resolve(dir, entry);
    if (!existsSync(file)) throw new Error(`package ${name}: ${file} does not exist; build it first (pnpm build)`);
    await import(pathToFileURL(file).href);
    return;
  }
  try {
    await import(name);
  } catch (err) {
    throw new Error(`cannot import method package '${name}': not a workspace package and not installed (${(err as Error).message})`);
  }
}

/** Register everything an experiment needs, then check that each method id exists and its params are known. */
export async function resolveMethods(config: ExperimentConfig): Promise<MethodEntry[]> {
  await loadBuiltinMethods();
  const entries = methodEntries(config);
  const packages = new Set([...config.packages, ...entries.flatMap((m) => (m.package ? [m.package] : []))]);
  for (const p of packages) await importMethodPackage(p);
  for (const m of entries) core.createMethod(m.id, methodParams(config, m)); // throws naming unknown ids/params
  return entries;
}

/** A method's parameters: the config's shared defaults (where the method declares them), then its own. */
export function methodParams(config: ExperimentConfig, entry: MethodEntry): Record<string, unknown> {
  const defaults = core.getMethodSpec(entry.id).defaults as Record<string, unknown>;
  const shared: Record<string, unknown> = {};
  for (const name of SHARED_PARAMS) if (name in defaults) shared[name] = config[name];
  return { ...shared, ...entry.params };
}
