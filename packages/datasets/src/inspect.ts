import sharp from 'sharp';
import { countBy, type Dataset } from './dataset.js';
import { foldGroups, type FoldGroupOptions } from './groups.js';
import { forEachLimit } from './imageset.js';
import type { Sample } from './types.js';

/** What `udtl datasets inspect <id>` prints: counts, shapes, duplicates and checksums. */
export interface DatasetDescription {
  id: string;
  task: string;
  location: string;
  licence: string;
  images: { found: number; afterDuplicatePolicy: number };
  /** Images per official split ('' = no split) before and after dropping duplicates. */
  splits: { found: Record<string, number>; kept: Record<string, number> };
  /** Per class: counts per split ('' = no split) before and after dropping duplicates. */
  classes: { index: number; name: string; found: Record<string, number>; kept: Record<string, number> }[];
  /** `HxWxC` → number of images (read from file headers for image folders). */
  imageShapes: Record<string, number>;
  duplicates: {
    groups: number;
    groupsAcrossSplits: number;
    groupsWithConflictingLabels: number;
    conflicts: { ids: string[]; labels: string[] }[];
    copiesDropped: number;
    dropped: { id: string; split: string; keptId: string; keptSplit: string; reason: string }[];
  };
  /** Groups that grouped k-fold keeps in one fold (absent when not asked for). */
  foldGroups?: {
    nearDuplicates: { policy: string; off?: string; threshold: number; sets: number; images: number; withConflictingLabels: number; acrossSplits: number; hashSeconds: number; hashedNow: number; examples: string[][]; conflicting: string[][] };
    sourceGroups?: { what: string; sets: number; images: number; acrossSplits: number; largest: number };
    /** All groups of ≥ 2 images after joining both kinds. */
    groups: number;
    imagesInGroups: number;
    largestGroup: number;
  };
  contentHash: string;
  dataFiles: Dataset['dataFiles'];
}

/** `groups`: also hash the images and report near-duplicate and source groups (slow the first time: every image is decoded). */
export async function describeDataset(dataset: Dataset, options: { groups?: FoldGroupOptions | false } = {}): Promise<DatasetDescription> {
  const perClass = (samples: Sample[], label: number) => countBy(samples.filter((s) => s.label === label), (s) => s.split);
  return {
    id: dataset.info.id,
    task: dataset.info.task,
    location: dataset.location,
    licence: dataset.info.licence,
    images: { found: dataset.foundSamples.length, afterDuplicatePolicy: dataset.samples.length },
    splits: { found: countBy(dataset.foundSamples, (s) => s.split), kept: countBy(dataset.samples, (s) => s.split) },
    classes: dataset.info.labels.map((name, index) => ({
      index,
      name,
      found: perClass(dataset.foundSamples, index),
      kept: perClass(dataset.samples, index),
    })),
    imageShapes: await imageShapes(dataset),
    duplicates: {
      groups: dataset.duplicates.groups,
      groupsAcrossSplits: dataset.duplicates.groupsAcrossSplits,
      groupsWithConflictingLabels: dataset.duplicates.groupsWithConflictingLabels,
      conflicts: dataset.duplicates.conflicts.map((c) => ({ ids: c.ids, labels: c.labels.map((l) => dataset.info.labels[l]) })),
      copiesDropped: dataset.dropped.length,
      dropped: dataset.dropped.map(({ id, split, keptId, keptSplit, reason }) => ({ id, split, keptId, keptSplit, reason })),
    },
    ...(options.groups ? { foldGroups: await describeGroups(dataset, options.groups) } : {}),
    contentHash: dataset.contentHash,
    dataFiles: dataset.dataFiles,
  };
}

async function describeGroups(dataset: Dataset, options: FoldGroupOptions): Promise<NonNullable<DatasetDescription['foldGroups']>> {
  const g = await foldGroups(dataset, options);
  const splitOf = new Map(dataset.samples.map((s) => [s.id, s.split]));
  const across = (sets: string[][]) => sets.filter((set) => new Set(set.map((id) => splitOf.get(id))).size > 1).length;
  const images = (sets: string[][]) => sets.reduce((n, set) => n + set.length, 0);
  const source = dataset.info.sourceGroups;
  return {
    nearDuplicates: {
      policy: g.policy,
      ...(g.offReason ? { off: g.offReason } : {}),
      threshold: g.threshold,
      sets: g.nearDuplicateSets.length,
      images: images(g.nearDuplicateSets),
      withConflictingLabels: g.conflicting.length,
      acrossSplits: across(g.nearDuplicateSets),
      hashSeconds: Math.round(g.hashing.seconds * 100) / 100,
      hashedNow: g.hashing.computed,
      examples: [...g.nearDuplicateSets].sort((a, b) => b.length - a.length).slice(0, 10),
      // Near-duplicates filed under different labels: kept (they may be distinct lesions), listed for a look.
      conflicting: g.conflicting.slice(0, 20),
    },
    ...(source ? { sourceGroups: { what: source.what, sets: g.sourceSets.length, images: images(g.sourceSets), acrossSplits: across(g.sourceSets), largest: Math.max(0, ...g.sourceSets.map((s) => s.length)) } } : {}),
    groups: g.groups.length,
    imagesInGroups: images(g.groups),
    largestGroup: Math.max(0, ...g.groups.map((s) => s.length)),
  };
}

/** Stored shapes of all found images: from the array for npz, from each file's header for folders. */
async function imageShapes(dataset: Dataset): Promise<Record<string, number>> {
  if (dataset.info.format.kind === 'npz' && dataset.storedShape) {
    return { [dataset.storedShape.join('x')]: dataset.foundSamples.length };
  }
  const shapes: string[] = [];
  const root = dataset.location;
  await forEachLimit(dataset.foundSamples, 8, async (s, i) => {
    const path = `${root}/${s.id}`;
    try {
      const m = await sharp(path).metadata();
      shapes[i] = `${m.height}x${m.width}x${m.channels}`;
    } catch (err) {
      throw new Error(`cannot read image header of ${path}: ${(err as Error).message}`);
    }
  });
  const counts = countBy(shapes, (s) => s);
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}
