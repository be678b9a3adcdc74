import { parse } from 'csv-parse/sync';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { compareIds } from './duplicates.js';
import { sha256 } from './fsutil.js';
import { forEachLimit } from './imageset.js';
import type { Sample } from './types.js';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);
export const MANIFEST_NAME = 'labels.csv';

/** Default mapping of split names found in files to ours. */
const SPLIT_ALIASES: Record<string, string> = {
  '': '', train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test',
};

export interface FolderScanOptions {
  /** Class names in label-index order; when given, any other label is an error. */
  labels?: string[];
  /** Split names in the files → ours, e.g. `{ Training: 'train' }`; falls back to common aliases. */
  splitNames?: Record<string, string>;
  /** A CSV manifest to use instead of `root/labels.csv` (its paths are relative to `root`). */
  manifest?: string;
}

export interface FolderScan {
  labels: string[];
  samples: Sample[];
  /** Absolute file path per sample id. */
  files: Map<string, string>;
  /** The CSV manifest read, if any, and its sha256. */
  manifest?: string;
  manifestSha256?: string;
}

interface Entry {
  id: string;
  label: string;
  split: string;
}

/**
 * Read an image-folder dataset: `labels.csv` (`path,split,label`, paths relative to `root`) when
 * present, else class-per-folder (`root/<class>/*`, or `root/<split>/<class>/*` when every top-level
 * folder is a split name). Ids are paths relative to `root` with '/' separators; each sample's hash
 * is the sha256 of the file's bytes.
 */
export async function scanImageFolder(root: string, options: FolderScanOptions = {}): Promise<FolderScan> {
  if (!existsSync(root)) throw new Error(`dataset folder ${root} does not exist`);
  if (!(await stat(root)).isDirectory()) throw new Error(`${root} is not a folder`);
  const manifest = options.manifest ?? join(root, MANIFEST_NAME);
  if (options.manifest && !existsSync(manifest)) throw new Error(`manifest ${manifest} does not exist`);
  let entries: Entry[];
  let manifestSha256: string | undefined;
  if (existsSync(manifest)) {
    const text = await readFile(manifest);
    manifestSha256 = sha256(text);
    entries = readManifest(text.toString('utf8'), manifest);
  } else {
    entries = await walkClassFolders(root);
  }
  const splitOf = (raw: string, where: string): string => {
    const mapped = options.splitNames?.[raw] ?? SPLIT_ALIASES[raw.toLowerCase()];
    if (mapped === undefined) throw new Error(`${where}: unknown split '${raw}' (expected train/val/test, Training/Testing or empty)`);
    return mapped;
  };

  const found = [...new Set(entries.map((e) => e.label))].sort(compareIds);
  const labels = options.labels ?? found;
  const index = new Map(labels.map((name, i) => [name, i]));
  for (const name of found) {
    if (!index.has(name)) throw new Error(`${root}: label '${name}' is not one of the dataset's classes (${labels.join(', ')})`);
  }
  for (const name of labels) {
    if (!found.includes(name)) throw new Error(`${root}: class '${name}' has no images (empty class)`);
  }
  if (labels.length < 2) throw new Error(`${root}: found ${labels.length} class(es); a classification dataset needs at least 2`);

  const files = new Map<string, string>();
  const samples: Sample[] = new Array(entries.length);
  await forEachLimit(entries, 8, async (e, i) => {
    const path = join(root, ...e.id.split('/'));
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      throw new Error(`${root}: image '${e.id}' (label '${e.label}') is listed but the file ${path} is missing or unreadable`);
    }
    if (bytes.length === 0) throw new Error(`image file ${path} is empty`);
    samples[i] = { id: e.id, hash: sha256(bytes), label: index.get(e.label)!, split: splitOf(e.split, path) };
    files.set(e.id, path);
  });
  const ids = new Set<string>();
  for (const s of samples) {
    if (ids.has(s.id)) throw new Error(`${root}: image '${s.id}' is listed twice`);
    ids.add(s.id);
  }
  samples.sort((a, b) => compareIds(a.id, b.id));
  return { labels, samples, files, manifest: manifestSha256 ? manifest : undefined, manifestSha256 };
}

function readManifest(text: string, where: string): Entry[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw new Error(`${where}: cannot parse CSV: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw new Error(`${where}: no rows`);
  for (const column of ['path', 'label']) {
    if (!(column in rows[0])) throw new Error(`${where}: missing column '${column}' (expected path,split,label)`);
  }
  return rows.map((row, i) => {
    const id = row.path.replaceAll('\\', '/').replace(/^\.\//, '');
    if (!id || id.startsWith('/') || id.split('/').includes('..')) {
      throw new Error(`${where}: row ${i + 2} has an invalid path '${row.path}'`);
    }
    if (!row.label) throw new Error(`${where}: row ${i + 2} ('${row.path}') has no label`);
    return { id, label: row.label, split: row.split ?? '' };
  });
}

async function walkClassFolders(root: string): Promise<Entry[]> {
  const top = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.'));
  if (top.length === 0) throw new Error(`${root}: no ${MANIFEST_NAME} and no class folders`);
  const bySplit = top.every((d) => d.name.toLowerCase() in SPLIT_ALIASES);
  const entries: Entry[] = [];
  const collect = async (dir: string, label: string, split: string): Promise<void> => {
    const names = (await readdir(dir, { withFileTypes: true }))
      .filter((f) => f.isFile() && !f.name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(f.name).toLowerCase()))
      .map((f) => f.name);
    if (names.length === 0) throw new Error(`class folder ${dir} has no JPEG or PNG images (empty class)`);
    for (const name of names) entries.push({ id: relative(root, join(dir, name)).split(sep).join('/'), label, split });
  };
  for (const d of top) {
    if (!bySplit) {
      await collect(join(root, d.name), d.name, '');
      continue;
    }
    const classes = (await readdir(join(root, d.name), { withFileTypes: true })).filter((c) => c.isDirectory() && !c.name.startsWith('.'));
    for (const c of classes) await collect(join(root, d.name, c.name), c.name, d.name);
  }
  return entries;
}
