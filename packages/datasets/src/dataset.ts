import { access, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { decodeImageFile, resizePixels } from './decode.js';
import { downloadVerified } from './download.js';
import { datasetCandidates, fetchDataset } from './fetch/datasets.js';
import { compareIds, dropDuplicates, type DroppedDuplicate, type DuplicateReport } from './duplicates.js';
import { hashFile, isWritableDir, sha256 } from './fsutil.js';
import { scanImageFolder, type FolderScan } from './imagefolder.js';
import { LazyImageSet, type DecodeOne } from './imageset.js';
import { readNpzDataset, type NpzContent } from './npzdataset.js';
import { cacheDir, dataRoot } from './paths.js';
import { getDataset, type DatasetInfo } from './registry.js';
import type { ImageSet, LabelledSet, ResizeMode, Sample } from './types.js';

/** A file a dataset was read from, with its checksums (recorded in run manifests). */
export interface DataFile {
  path: string;
  /** `npz`: the archive; `manifest`: sha256 over the sorted `id<TAB>sha256` lines of every image; `labels.csv`: the CSV. */
  role: 'npz' | 'manifest' | 'labels.csv';
  sha256: string;
  md5?: string;
  /** The official MD5 when the registry has one; `md5 !== officialMd5` means a re-saved copy accepted on structure. */
  officialMd5?: string;
}

export interface ImageOptions {
  /** Output side (square) or [height, width]; default: the stored size when all images share it. */
  size?: number | [number, number];
  mode?: ResizeMode;
}

export interface LoadOptions {
  /** Data root (`--data-dir`); default `dataRoot()`. */
  dataDir?: string;
  /** Cache root for downloads when the data root is read-only; default `cacheDir()`. */
  cacheDir?: string;
  /** MedMNIST resolution (28, 64, 128, 224); default the registered one. */
  resolution?: number;
  /** `drop` (default) removes exact duplicates; `keep` keeps every file (duplicates still reported). */
  duplicates?: 'drop' | 'keep';
  /** Identical copies with different labels: `drop` every copy (default) or keep the first copy's label. */
  conflicts?: 'drop' | 'keep-first';
  /** Download a missing dataset from its registered public source (default true; see fetch/). */
  download?: boolean;
  /** Images decoded at once (default: available cores). */
  decodeConcurrency?: number;
  log?: (message: string) => void;
}

export interface Dataset {
  info: DatasetInfo;
  /** The folder or file the data was read from. */
  location: string;
  /** Samples after the duplicate policy, sorted by id. */
  samples: Sample[];
  /** Every sample found, before duplicates were dropped. */
  foundSamples: Sample[];
  dropped: DroppedDuplicate[];
  duplicates: DuplicateReport;
  /** sha256 over the sorted hashes of `samples`. */
  contentHash: string;
  dataFiles: DataFile[];
  /** [height, width, channels] as stored, when every image shares it (npz, or declared in the registry). */
  storedShape?: [number, number, number];
  /** Lazily decoded images (default: all samples), uint8 RGB at the requested size. */
  images(ids?: string[], options?: ImageOptions): ImageSet;
  labelledSet(ids: string[], options?: ImageOptions): LabelledSet;
}

/** Load a registered dataset by id (see `listDatasets()`). */
export async function loadDataset(id: string, options: LoadOptions = {}): Promise<Dataset> {
  const info = getDataset(id);
  if (info.task.startsWith('multi-label')) {
    throw new Error(`dataset '${id}' is ${info.task}: a Sample carries one label, so multi-label datasets cannot be loaded yet`);
  }
  const root = dataRoot(options.dataDir);
  if (info.format.kind === 'npz') return loadRegisteredNpz(info, root, options);
  // The data root's copy as it is, else the cache's, else downloaded from the registered source.
  const { path: folder } = await fetchDataset(id, { dataDir: options.dataDir, cacheDir: options.cacheDir, download: options.download, log: options.log });
  const scan = await scanImageFolder(folder, { labels: info.labels, splitNames: info.format.splitNames });
  checkSplitCounts(info, scan.samples, folder);
  return folderDataset(info, folder, scan, options);
}

/**
 * Load a user's own data: an image folder (class-per-folder or with `labels.csv`), or a
 * MedMNIST-style `.npz`. `id` defaults to the file or folder name; class names are sorted folder
 * or CSV label names (npz: `labels`, else '0', '1', …).
 */
export async function loadDatasetFromPath(
  path: string,
  options: LoadOptions & { id?: string; labels?: string[]; description?: string } = {},
): Promise<Dataset> {
  const location = resolve(path);
  if (!(await exists(location))) throw new Error(`dataset path ${location} does not exist`);
  const id = options.id ?? basename(location, extname(location)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  const base = { id, description: options.description ?? `user data at ${location}`, licence: 'unknown (user data)', citation: '', source: { homepage: location } };
  const isCsv = extname(location).toLowerCase() === '.csv';
  if (isCsv || (await stat(location)).isDirectory()) {
    const root = isCsv ? dirname(location) : location;
    const scan = await scanImageFolder(root, { labels: options.labels, manifest: isCsv ? location : undefined });
    const info: DatasetInfo = {
      ...base,
      task: scan.labels.length === 2 ? 'binary-class' : 'multi-class',
      labels: scan.labels,
      format: { kind: 'image-folder', path: root },
      channels: 3,
      expectedSplits: countBy(scan.samples, (s) => s.split),
    };
    return folderDataset(info, root, scan, options);
  }
  if (extname(location).toLowerCase() !== '.npz') throw new Error(`dataset path ${location}: expected a folder, a CSV manifest (path,split,label) or a .npz file`);
  const content = await readNpzDataset(location, { classes: options.labels?.length });
  const labels = options.labels ?? Array.from({ length: Math.max(2, content.labelCount) }, (_, i) => String(i));
  const info: DatasetInfo = {
    ...base,
    task: labels.length === 2 ? 'binary-class' : 'multi-class',
    labels,
    format: { kind: 'npz', path: location },
    channels: content.channels,
    imageSize: [content.height, content.width],
    expectedSplits: countBy(content.samples, (s) => s.split),
  };
  return npzDataset(info, location, content, [{ path: location, role: 'npz', sha256: await hashFile(location) }], options);
}

/** Where a registered dataset's data would be read from: one folder, or npz candidates in search order. */
function candidatePaths(info: DatasetInfo, root: string, options: LoadOptions) {
  if (info.format.kind === 'image-folder') {
    return { official: undefined, fileName: '', candidates: datasetCandidates(info, { dataDir: root, cacheDir: options.cacheDir }) };
  }
  const resolution = options.resolution ?? info.format.resolution;
  const official = info.source.files?.find((f) => f.resolution === resolution);
  if (resolution !== info.format.resolution && !official) {
    const known = (info.source.files ?? []).map((f) => f.resolution).join(', ');
    throw new Error(`dataset '${info.id}' has no resolution ${resolution}; available: ${known || info.format.resolution}`);
  }
  const fileName = official ? basename(new URL(official.url).pathname) : basename(info.format.path);
  const relDir = dirname(info.format.path);
  const downloads = join(options.cacheDir ?? cacheDir(), 'downloads');
  const local = isAbsolute(info.format.path) ? join(relDir, fileName) : join(root, relDir, fileName);
  return { official, fileName, resolution, candidates: [local, join(downloads, fileName)] };
}

async function loadRegisteredNpz(info: DatasetInfo, root: string, options: LoadOptions): Promise<Dataset> {
  const { official, fileName, resolution, candidates } = candidatePaths(info, root, options);
  const downloads = dirname(candidates[1]);
  let path: string | undefined;
  for (const c of candidates) if (await exists(c)) { path = c; break; }
  if (!path) {
    if (!official || options.download === false) {
      throw new Error(`dataset '${info.id}': ${fileName} not found; looked in ${candidates.join(' and ')}`);
    }
    const targetDir = (await isWritableDir(root)) ? dirname(candidates[0]) : downloads;
    path = join(targetDir, fileName);
    await downloadVerified(official.url, path, official.md5, options.log);
  }
  const [md5, sha] = await Promise.all([hashFile(path, 'md5'), hashFile(path)]);
  if (official && md5 !== official.md5) {
    options.log?.(`${path}: MD5 ${md5} differs from the official ${official.md5}; accepted after structural checks (sha256 ${sha})`);
  }
  const expectedSize = resolution ?? info.imageSize?.[0];
  const content = await readNpzDataset(path, { classes: info.labels.length, size: expectedSize, splits: info.expectedSplits });
  const dataFile: DataFile = { path, role: 'npz', sha256: sha, md5, officialMd5: official?.md5 };
  return npzDataset(info, path, content, [dataFile], options);
}

function npzDataset(info: DatasetInfo, location: string, content: NpzContent, dataFiles: DataFile[], options: LoadOptions): Promise<Dataset> {
  const decode: DecodeOne = (id, target) =>
    resizePixels(content.pixelsOf(id), content.height, content.width, content.channels, target);
  return Promise.resolve(
    makeDataset(info, location, content.samples, dataFiles, decode, [content.height, content.width, content.channels], options),
  );
}

async function folderDataset(info: DatasetInfo, root: string, scan: FolderScan, options: LoadOptions): Promise<Dataset> {
  const manifestLines = scan.samples.map((s) => `${s.id}\t${s.hash}\n`).join('');
  const dataFiles: DataFile[] = [{ path: root, role: 'manifest', sha256: sha256(manifestLines) }];
  if (scan.manifest && scan.manifestSha256) dataFiles.push({ path: scan.manifest, role: 'labels.csv', sha256: scan.manifestSha256 });
  const hashOf = new Map(scan.samples.map((s) => [s.id, s.hash]));
  const decode: DecodeOne = async (id, target) => {
    const path = scan.files.get(id)!;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      throw new Error(`image file ${path} is missing or unreadable`);
    }
    // Feature caches are addressed by this hash: refuse a file that changed since loading.
    if (sha256(bytes) !== hashOf.get(id)) throw new Error(`image file ${path} changed since the dataset was loaded`);
    return decodeImageFile(bytes, target, path);
  };
  const stored: [number, number, number] | undefined = info.imageSize ? [...info.imageSize, info.channels] : undefined;
  return makeDataset(info, root, scan.samples, dataFiles, decode, stored, options);
}

function makeDataset(
  info: DatasetInfo,
  location: string,
  found: Sample[],
  dataFiles: DataFile[],
  decode: DecodeOne,
  storedShape: [number, number, number] | undefined,
  options: LoadOptions,
): Dataset {
  const foundSamples = [...found].sort((a, b) => compareIds(a.id, b.id));
  const { kept, report } = dropDuplicates(foundSamples, { conflicts: options.conflicts });
  const samples = options.duplicates === 'keep' ? foundSamples : kept;
  const contentHash = sha256(samples.map((s) => s.hash).sort().join('\n'));
  const source = {
    datasetId: info.id,
    datasetHash: contentHash,
    hashOf: new Map(samples.map((s) => [s.id, s.hash])),
    decode,
    concurrency: options.decodeConcurrency ?? Math.max(2, availableParallelism()),
  };
  const byId = new Map(samples.map((s) => [s.id, s]));
  const images = (ids?: string[], opts: ImageOptions = {}): ImageSet => {
    const size = opts.size ?? (storedShape ? [storedShape[0], storedShape[1]] : undefined);
    if (size === undefined) throw new Error(`dataset '${info.id}': no declared image size (its images may differ in size); pass images(ids, { size })`);
    const [height, width] = typeof size === 'number' ? [size, size] : size;
    return new LazyImageSet(source, ids ? [...ids] : samples.map((s) => s.id), { height, width, mode: opts.mode ?? 'resize' });
  };
  return {
    info,
    location,
    samples,
    foundSamples,
    dropped: options.duplicates === 'keep' ? [] : report.dropped,
    duplicates: report,
    contentHash,
    dataFiles,
    storedShape,
    images,
    labelledSet(ids, opts) {
      const labels = Int32Array.from(ids, (id) => {
        const s = byId.get(id);
        if (!s) throw new Error(`dataset '${info.id}' has no image with id '${id}'`);
        return s.label;
      });
      return { images: images(ids, opts), labels, classNames: [...info.labels] };
    },
  };
}

function checkSplitCounts(info: DatasetInfo, samples: Sample[], where: string): void {
  const found = countBy(samples, (s) => s.split);
  const want = info.expectedSplits;
  const keys = new Set([...Object.keys(found), ...Object.keys(want)]);
  for (const k of keys) {
    if ((found[k] ?? 0) !== (want[k] ?? 0)) {
      throw new Error(`dataset '${info.id}' at ${where}: found ${JSON.stringify(found)} images per split, expected ${JSON.stringify(want)} (incomplete or different copy?)`);
    }
  }
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

