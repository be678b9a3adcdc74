/**
 * The registry of downloadable file resources (pretrained weights; timm-like). The resources
 * themselves are declared where they are used (@udtl/backbones registers its weights). `fetchResource`
 * returns the folder holding a resource's files: the models root when they are there (never
 * written to), else `<cache>/models/<dir>`, downloading and verifying them first when needed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isWritableDir } from '../fsutil.js';
import { cacheDir, modelsRoot } from '../paths.js';
import { downloadFile, type FetchCommonOptions } from './download.js';
import type { FileResource } from '../sources.js';

export interface ResourceFetchOptions extends FetchCommonOptions {
  /** Models root (read-only mirror); default `modelsRoot()`. */
  modelsDir?: string;
}

const resources = new Map<string, FileResource>();

export function registerResource(resource: FileResource, options: { overwrite?: boolean } = {}): FileResource {
  if (resources.has(resource.id) && !options.overwrite) throw new Error(`registerResource: '${resource.id}' is already registered`);
  resources.set(resource.id, Object.freeze({ ...resource }));
  return resources.get(resource.id)!;
}

export function listResources(): FileResource[] {
  return [...resources.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function getResource(id: string): FileResource {
  const r = resources.get(id);
  if (!r) throw new Error(`unknown resource '${id}'; known resources: ${[...resources.keys()].sort().join(', ')}`);
  return r;
}


/** Shard paths listed by a tfjs model.json (refusing paths that leave its folder). */
async function tfjsShards(jsonPath: string): Promise<string[]> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(jsonPath, 'utf8')).weightsManifest;
  } catch (err) {
    throw new Error(`${jsonPath}: not a tfjs model.json (${(err as Error).message})`);
  }
  if (!Array.isArray(manifest)) throw new Error(`${jsonPath}: no weightsManifest`);
  const paths = manifest.flatMap((g: { paths?: unknown }) => (Array.isArray(g.paths) ? g.paths : []));
  for (const p of paths) {
    if (typeof p !== 'string' || p.includes('..') || p.startsWith('/')) throw new Error(`${jsonPath}: refusing shard path ${String(p)}`);
  }
  return paths as string[];
}

async function complete(dir: string, resource: FileResource): Promise<boolean> {
  if (!resource.files.every((f) => existsSync(join(dir, f.name)))) return false;
  if (!resource.tfjsManifest) return true;
  return (await tfjsShards(join(dir, resource.tfjsManifest))).every((p) => existsSync(join(dir, p)));
}

/** Where a resource's files are, if they are on this machine. */
export async function locateResource(resource: FileResource, options: ResourceFetchOptions = {}): Promise<{ path: string; from: 'models root' | 'cache' } | undefined> {
  const local = join(modelsRoot(options.modelsDir), resource.dir);
  if (await complete(local, resource)) return { path: local, from: 'models root' };
  const cached = join(cacheDir(options.cacheDir), 'models', resource.dir);
  if (await complete(cached, resource)) return { path: cached, from: 'cache' };
  return undefined;
}

/** The folder holding `resource`'s files, downloading them into the cache when they are not on this machine. */
export async function fetchResource(resource: FileResource | string, options: ResourceFetchOptions = {}): Promise<string> {
  const r = typeof resource === 'string' ? getResource(resource) : resource;
  const found = await locateResource(r, options);
  if (found) return found.path;
  const local = join(modelsRoot(options.modelsDir), r.dir);
  const dest = join(cacheDir(options.cacheDir), 'models', r.dir);
  // Both folders are searched; a hint never names the models root when it is a read-only mirror.
  const byHand = (await isWritableDir(modelsRoot(options.modelsDir))) ? local : dest;
  if (options.download === false) {
    throw new Error(`${r.id}: weights not found in ${local} nor ${dest}, and downloading is off; ` +
      `get ${r.files.map((f) => f.url).join(' and ')}${r.tfjsManifest ? ' (with the shards it lists)' : ''} into ${byHand}`);
  }
  const tmp = join(dirname(dest), `.${r.dir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const dl = { progress: options.progress, rewrites: options.rewrites, fetchFn: options.fetchFn };
  try {
    for (const f of r.files) {
      options.log?.(`${r.id}: downloading ${f.url}`);
      await downloadFile(f.url, join(tmp, f.name), { ...dl, sha256: f.sha256, md5: f.md5, size: f.size, label: `${r.id} ${f.name}` });
    }
    if (r.tfjsManifest) {
      const base = r.files.find((f) => f.name === r.tfjsManifest)!.url.replace(/[^/]*$/, '');
      for (const shard of await tfjsShards(join(tmp, r.tfjsManifest))) {
        await downloadFile(base + shard, join(tmp, shard), { ...dl, progress: false, label: `${r.id} ${shard}` });
      }
    }
    await mkdir(dirname(dest), { recursive: true });
    try {
      await rename(tmp, dest);
    } catch (err) {
      if (!(await complete(dest, r))) throw err; // else another process put a complete copy there first
    }
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(msg.includes('put the file at') ? `${msg.replace(/put the file at .*$/, `put the files into ${byHand}`)}` : `${r.id}: ${msg}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  options.log?.(`${r.id}: installed at ${dest}`);
  return dest;
}
