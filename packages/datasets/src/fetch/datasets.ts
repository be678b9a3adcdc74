/**
 * Bring a registered dataset onto this machine. A copy under the data root is used as it is and
 * never written to; otherwise the dataset is installed under `<cache>/data/<format.path>` (npz
 * files: `<cache>/downloads/`) from its public source: download (verified), extract the selected
 * images into a temp folder, verify them, write labels.csv, rename the folder into place.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { sha256 } from '../fsutil.js';
import { cacheDir, dataRoot } from '../paths.js';
import { getDataset, type DatasetInfo } from '../registry.js';
import { archiveEntries } from './archive.js';
import { downloadFile, FetchError, type FetchCommonOptions } from './download.js';
import { readFileManifest, readManifestRows } from './manifest.js';
import type { DatasetFetch, Selection } from '../sources.js';

export interface FetchOptions extends FetchCommonOptions {
  /** Data root (read-only mirror); default `dataRoot()`. */
  dataDir?: string;
}

export interface Located {
  path: string;
  /** `data root`: a copy beside the project (never written); `cache`: installed earlier; `downloaded`: just now. */
  from: 'data root' | 'cache' | 'downloaded';
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png']);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Where a registered dataset may be found, in search order (data root first). */
export function datasetCandidates(info: DatasetInfo, options: Pick<FetchOptions, 'dataDir' | 'cacheDir'> = {}): string[] {
  const root = dataRoot(options.dataDir);
  const cache = cacheDir(options.cacheDir);
  if (isAbsolute(info.format.path)) return [info.format.path];
  if (info.format.kind === 'image-folder') return [join(root, info.format.path), join(cache, 'data', info.format.path)];
  const file = npzSource(info);
  const name = file ? basename(new URL(file.url).pathname) : basename(info.format.path);
  return [join(root, dirname(info.format.path), name), join(cache, 'downloads', name)];
}

function npzSource(info: DatasetInfo) {
  const resolution = info.format.kind === 'npz' ? info.format.resolution : undefined;
  return info.source.files?.find((f) => f.resolution === resolution);
}

/** The URL a dataset is fetched from (for listings), or undefined when it has no public source. */
export function datasetSourceUrl(info: DatasetInfo): string | undefined {
  if (info.format.kind === 'npz') return npzSource(info)?.url;
  const f = info.source.fetch;
  if (!f) return undefined;
  if (f.kind === 'archives') return f.parts.map((p) => p.url).join(' + ');
  return f.kind === 'archive' ? f.url : datasetSourceUrl(getDataset(f.of));
}

/** The first existing candidate, without downloading. */
export function locateDatasetData(id: string, options: FetchOptions = {}): Located | undefined {
  const [first, ...rest] = datasetCandidates(getDataset(id), options);
  if (existsSync(first)) return { path: first, from: 'data root' };
  const cached = rest.find((p) => existsSync(p));
  return cached ? { path: cached, from: 'cache' } : undefined;
}

/** Make dataset `id` present (see the module comment) and return where it is. */
export async function fetchDataset(id: string, options: FetchOptions = {}): Promise<Located> {
  const info = getDataset(id);
  const found = locateDatasetData(id, options);
  if (found) return found;
  const candidates = datasetCandidates(info, options);
  if (info.format.kind === 'npz') {
    const file = npzSource(info);
    const dest = candidates[candidates.length - 1];
    if (!file) throw new Error(`dataset '${id}': ${basename(dest)} not found and no public source is registered; looked in ${candidates.join(' and ')}`);
    if (options.download === false) throw offline(id, file.url, candidates);
    options.log?.(`dataset '${id}': downloading ${file.url}`);
    await downloadFile(file.url, dest, { ...dlOptions(options), md5: file.md5, label: `dataset '${id}'` });
    return { path: dest, from: 'downloaded' };
  }
  if (info.source.fetch?.kind === 'archives') {
    const dest = candidates[candidates.length - 1];
    await installFromParts(info, info.source.fetch, dest, candidates, options);
    return { path: dest, from: 'downloaded' };
  }
  const plan = planOf(info);
  if (!plan) {
    throw new Error(`dataset '${id}': folder ${candidates[0]} not found (nor ${candidates.slice(1).join(', ')}) and it has no public source of its own; ` +
      (info.source.unavailable ? `${info.source.unavailable}; then put that folder at ${candidates[0]}, or point --data-dir (or UDTL_DATA_DIR) at the folder that holds it` : `it comes with the project's data mirror only (set --data-dir or UDTL_DATA_DIR)`));
  }
  const dest = candidates[candidates.length - 1];
  await installFromArchive(info, plan, dest, candidates, options);
  return { path: dest, from: 'downloaded' };
}

function offline(id: string, url: string, candidates: string[]): Error {
  return new Error(`dataset '${id}': ${candidates[0]} not found and downloading is off; get ${url} and put it at ${candidates[candidates.length - 1]}` +
    (candidates.length > 1 ? ` (or the extracted data at ${candidates[0]})` : ''));
}

function dlOptions(o: FetchOptions) {
  return { progress: o.progress, rewrites: o.rewrites, fetchFn: o.fetchFn };
}

type ArchiveSpec = Extract<DatasetFetch, { kind: 'archive' }>;
interface Plan {
  rootId: string;
  root: ArchiveSpec;
  rootInfo: DatasetInfo;
  /** Subset steps from the root dataset down to the requested one. */
  steps: Array<{ select: Selection; dropSplit?: boolean }>;
}

function planOf(info: DatasetInfo, seen: string[] = []): Plan | undefined {
  const f = info.source.fetch;
  if (!f) return undefined;
  if (seen.includes(info.id)) throw new Error(`dataset '${info.id}': subset chain loops (${[...seen, info.id].join(' → ')})`);
  if (f.kind === 'archives') throw new Error(`dataset '${info.id}': a subset of a per-class-archives dataset is not supported`);
  if (f.kind === 'archive') return { rootId: info.id, root: f, rootInfo: info, steps: [] };
  const parent = planOf(getDataset(f.of), [...seen, info.id]);
  if (!parent) return undefined;
  return { ...parent, steps: [...parent.steps, { select: f.select, dropSplit: f.dropSplit }] };
}

/** Apply one selection to root-relative paths (values) keyed by their current dataset path. */
function applySelection(current: Map<string, string>, select: Selection, where: string): Map<string, string> {
  if ('files' in select) {
    const missing = select.files.filter((p) => !current.has(p));
    if (missing.length) throw new Error(`${where}: ${missing.length} selected file(s) not in the source, e.g. '${missing[0]}'`);
    return new Map(select.files.map((p) => [p, current.get(p)!]));
  }
  const groups = new Map<string, string[]>();
  for (const p of current.keys()) {
    const dir = p.slice(0, p.lastIndexOf('/'));
    groups.set(dir, [...(groups.get(dir) ?? []), p]);
  }
  const out = new Map<string, string>();
  for (const dir of [...groups.keys()].sort(compare)) {
    for (const p of groups.get(dir)!.sort(compare).slice(0, select.firstPerClass)) out.set(p, current.get(p)!);
  }
  return out;
}

function splitAndLabel(path: string, layout: 'class' | 'split/class'): { split: string; label: string } {
  const parts = path.split('/');
  return layout === 'split/class' && parts.length === 3 ? { split: parts[0], label: parts[1] } : { split: '', label: parts[0] };
}

/** labels.csv as the project's mirror writes it: `path,split,label`, CRLF, rows in code-unit order. */
export function labelsCsv(rows: Array<{ path: string; split: string; label: string }>): string {
  const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const sorted = [...rows].sort((a, b) => compare(a.path, b.path));
  return ['path,split,label', ...sorted.map((r) => [r.path, r.split, r.label].map(cell).join(','))].join('\r\n') + '\r\n';
}

async function installFromArchive(info: DatasetInfo, plan: Plan, dest: string, candidates: string[], options: FetchOptions): Promise<void> {
  const { root, rootId, rootInfo } = plan;
  const archive = join(cacheDir(options.cacheDir), 'downloads', `${rootId}.${root.format}`);
  const log = options.log;
  if (!existsSync(archive)) {
    if (options.download === false) throw offline(info.id, root.url, [candidates[0], archive]);
    log?.(`dataset '${info.id}': downloading ${root.url}`);
    await downloadFile(root.url, archive, { ...dlOptions(options), md5: root.md5, sha256: root.sha256, size: root.size, label: `dataset '${rootId}'` });
  }
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await extractSelected(info, plan, archive, tmp, dest, log);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    // The archive cannot give this dataset: drop it so that the next attempt downloads it afresh.
    await rm(archive, { force: true });
    throw new Error(`dataset '${info.id}': ${(err as Error).message}; the archive was deleted from the cache`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  log?.(`dataset '${info.id}': installed at ${dest}`);
}

/** List the archive, apply the plan's selections, extract and verify into `tmp`, rename `tmp` to `dest`. */
async function extractSelected(info: DatasetInfo, plan: Plan, archive: string, tmp: string, dest: string, log?: (m: string) => void): Promise<void> {
  const { root, rootId, rootInfo } = plan;
  const strip = (name: string) => name.split('/').slice(root.stripComponents).join('/');
  const depth = root.layout === 'class' ? 2 : 3;
  const labels = new Set(rootInfo.labels);

  // Pass 1: the archive's images, as paths of the root dataset.
  const manifest = root.manifest ? await readFileManifest(root.manifest) : undefined;
  const listed = new Set<string>();
  for await (const e of archiveEntries(archive, root.format, () => false)) {
    const p = strip(e.name);
    if (e.type !== 'file' || p.split('/').length !== depth || !IMAGE_EXT.has(extname(p).toLowerCase())) continue;
    if (manifest && !manifest.has(p)) { log?.(`${archive}: ignoring ${p} (not in the ${rootId} manifest)`); continue; }
    const { label } = splitAndLabel(p, root.layout);
    if (!labels.has(label)) throw new Error(`${archive}: image ${p} is in class folder '${label}', not one of ${rootInfo.labels.join(', ')}`);
    listed.add(p);
  }
  // An explicit file list needs only its files; the full set or a first-N subset needs all of them.
  if (manifest && !plan.steps.every((s) => 'files' in s.select)) {
    const missing = [...manifest.keys()].filter((p) => !listed.has(p));
    if (missing.length) {
      throw new Error(`${archive}: ${missing.length} of the ${manifest.size} images of '${rootId}' are missing from the archive, e.g. '${missing[0]}' (a different commit or a corrupt download?)`);
    }
  }
  let current = new Map([...listed].sort(compare).map((p) => [p, p]));
  for (const [i, step] of plan.steps.entries()) {
    current = applySelection(current, step.select, `dataset '${info.id}' (subset step ${i + 1})`);
    if (step.dropSplit) current = new Map([...current].map(([p, src]) => [p.split('/').slice(root.layout === 'split/class' ? 1 : 0).join('/'), src]));
  }
  const wanted = new Map([...current].map(([p, src]) => [src, p]));
  if (wanted.size !== current.size) throw new Error(`dataset '${info.id}': two selected images map to the same path`);

  // Pass 2: extract, verify, write labels.csv, rename into place.
  const layoutOfResult = plan.steps.some((s) => s.dropSplit) ? 'class' : root.layout;
  const rows: Array<{ path: string; split: string; label: string }> = [];
  log?.(`dataset '${info.id}': extracting ${wanted.size} images from ${archive}`);
  for await (const e of archiveEntries(archive, root.format, (name) => wanted.has(strip(name)))) {
    const src = strip(e.name);
    const target = wanted.get(src);
    if (e.type !== 'file' || target === undefined || !e.data) continue;
    const expected = manifest?.get(src);
    if (expected && sha256(e.data) !== expected) {
      throw new Error(`${archive}: ${src} has sha256 ${sha256(e.data)}, the manifest says ${expected} (corrupt or changed file)`);
    }
    const out = join(tmp, ...target.split('/'));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, e.data);
    rows.push({ path: target, ...splitAndLabel(target, layoutOfResult) });
  }
  if (rows.length !== wanted.size) throw new Error(`${archive}: extracted ${rows.length} of ${wanted.size} selected images (archive changed while reading?)`);
  const want = Object.values(info.expectedSplits).reduce((a, b) => a + b, 0);
  if (rows.length !== want) throw new Error(`the source gave ${rows.length} images, the registry expects ${want}`);
  await writeFile(join(tmp, 'labels.csv'), labelsCsv(rows));
  await mkdir(dirname(dest), { recursive: true });
  try {
    await rename(tmp, dest);
  } catch (err) {
    if (!existsSync(dest)) throw err; // else another process installed it first: theirs is as good
  }
}

type PartsSpec = Extract<DatasetFetch, { kind: 'archives' }>;

/**
 * One archive per class: download each (kept in the cache), extract the images the manifest lists
 * into `<part.into>/`, check each sha256, take the split from the manifest, write labels.csv and
 * rename into place. Archives that fail a check are deleted so that the next attempt re-downloads.
 */
async function installFromParts(info: DatasetInfo, spec: PartsSpec, dest: string, candidates: string[], options: FetchOptions): Promise<void> {
  const manifest = await readManifestRows(spec.manifest);
  const downloads = join(cacheDir(options.cacheDir), 'downloads');
  const archives = spec.parts.map((p, i) => join(downloads, `${info.id}-${i}-${basename(new URL(p.url).pathname)}`));
  for (const [i, part] of spec.parts.entries()) {
    if (existsSync(archives[i])) continue;
    if (options.download === false) throw offline(info.id, part.url, [candidates[0], archives[i]]);
    options.log?.(`dataset '${info.id}': downloading ${part.url}`);
    await downloadFile(part.url, archives[i], { ...dlOptions(options), label: `dataset '${info.id}'` });
  }
  const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const rows: Array<{ path: string; split: string; label: string }> = [];
    for (const [i, part] of spec.parts.entries()) {
      const target = (name: string) => {
        const file = name.split('/').pop() ?? '';
        return name.includes('__MACOSX') || !IMAGE_EXT.has(extname(file).toLowerCase()) ? undefined : `${part.into}/${file}`;
      };
      for await (const e of archiveEntries(archives[i], part.format, (name) => manifest.has(target(name) ?? ''))) {
        const path = target(e.name);
        const want = path === undefined ? undefined : manifest.get(path);
        if (e.type !== 'file' || !e.data || !path || !want) continue;
        if (sha256(e.data) !== want.sha256) {
          await rm(archives[i], { force: true });
          throw new Error(`${archives[i]}: ${path} has sha256 ${sha256(e.data)}, the manifest says ${want.sha256} (changed file); the archive was deleted from the cache`);
        }
        const out = join(tmp, ...path.split('/'));
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, e.data);
        rows.push({ path, split: want.split, label: part.label });
      }
    }
    const got = new Set(rows.map((r) => r.path));
    const missing = [...manifest.keys()].filter((p) => !got.has(p));
    if (missing.length) {
      for (const a of archives) await rm(a, { force: true });
      throw new Error(`dataset '${info.id}': ${missing.length} of the ${manifest.size} listed images are missing from the archives, e.g. '${missing[0]}'; the archives were deleted from the cache`);
    }
    await writeFile(join(tmp, 'labels.csv'), labelsCsv(rows));
    await mkdir(dirname(dest), { recursive: true });
    try {
      await rename(tmp, dest);
    } catch (err) {
      if (!existsSync(dest)) throw err;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  options.log?.(`dataset '${info.id}': installed at ${dest}`);
}
