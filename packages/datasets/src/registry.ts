/** Dataset descriptions as data (like MedMNIST's `INFO`), in a timm-like registry. */
import type { DatasetFetch } from './sources.js';

export type DatasetTask = 'multi-class' | 'binary-class' | 'ordinal-regression' | 'multi-label, binary-class';

/** One downloadable file of a dataset, e.g. a MedMNIST resolution. */
export interface DatasetFileSource {
  /** Image side in pixels for MedMNIST files (28, 64, 128, 224). */
  resolution?: number;
  url: string;
  md5: string;
}

export interface DatasetSource {
  /** Where the data comes from (human-readable page or repository). */
  homepage: string;
  /** Official files with checksums, where they exist. */
  files?: DatasetFileSource[];
  /** How an image-folder dataset is downloaded and extracted (see fetch/). */
  fetch?: DatasetFetch;
  /** Why there is no `fetch` (no stable public download) and what to do instead; shown when the data is missing. */
  unavailable?: string;
}

/** How the data is stored, relative to the data root (or absolute). */
export type DatasetFormat =
  | { kind: 'npz'; path: string; resolution?: number }
  | {
      kind: 'image-folder';
      path: string;
      /** Official split names in the files → our names (`train`/`val`/`test`). */
      splitNames?: Record<string, string>;
    };

export interface DatasetInfo {
  id: string;
  description: string;
  task: DatasetTask;
  /** Class names; a sample's `label` indexes this list. */
  labels: string[];
  format: DatasetFormat;
  /** Number of image channels as stored (greyscale is expanded to 3 when decoded). */
  channels: 1 | 3;
  /** Stored image size when all images share it ([height, width]); undefined when it varies. */
  imageSize?: [number, number];
  source: DatasetSource;
  licence: string;
  citation: string;
  /** Image counts per official split before de-duplication (`''` when there is no split). */
  expectedSplits: Record<string, number>;
  /** Tiny subset used by fast tests and `--quick` runs. */
  fixture?: boolean;
  /**
   * Images from one source (patient, paper, figure) that grouped k-fold keeps in one fold: regular
   * expressions over sample ids, capture 1 naming the group (ids no pattern matches stand alone).
   */
  sourceGroups?: { what: string; patterns: string[] };
  /** Why perceptual near-duplicate grouping is off for this dataset (e.g. 28 px images all hash alike). */
  perceptualHashOff?: string;
  /** Near-duplicate Hamming threshold in bits when the default (PHASH_THRESHOLD) over-joins, with why. */
  nearDuplicateThreshold?: { bits: number; why: string };
}

const registry = new Map<string, DatasetInfo>();

/** Register a dataset description. Re-registering an id is an error unless `overwrite`. */
export function registerDataset(info: DatasetInfo, options: { overwrite?: boolean } = {}): DatasetInfo {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(info.id)) {
    throw new Error(`registerDataset: id '${info.id}' must be lower-case letters, digits, '.', '_' or '-'`);
  }
  if (registry.has(info.id) && !options.overwrite) {
    throw new Error(`registerDataset: '${info.id}' is already registered`);
  }
  if (info.labels.length < 2) throw new Error(`registerDataset: '${info.id}' needs at least 2 labels`);
  if (new Set(info.labels).size !== info.labels.length) {
    throw new Error(`registerDataset: '${info.id}' has repeated label names`);
  }
  for (const p of info.sourceGroups?.patterns ?? []) {
    try {
      new RegExp(p);
    } catch (err) {
      throw new Error(`registerDataset: '${info.id}' source-group pattern /${p}/ is invalid: ${(err as Error).message}`);
    }
  }
  registry.set(info.id, Object.freeze({ ...info }));
  return registry.get(info.id)!;
}

/** Registered datasets sorted by id; `fixtures: false` hides the tiny test subsets. */
export function listDatasets(options: { fixtures?: boolean } = {}): DatasetInfo[] {
  return [...registry.values()]
    .filter((d) => options.fixtures !== false || !d.fixture)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function getDataset(id: string): DatasetInfo {
  const info = registry.get(id);
  if (!info) {
    const known = [...registry.keys()].sort().join(', ');
    throw new Error(`unknown dataset '${id}'; known datasets: ${known}`);
  }
  return info;
}

/** Remove a registration (tests and user plugins). Returns whether it existed. */
export function unregisterDataset(id: string): boolean {
  return registry.delete(id);
}
