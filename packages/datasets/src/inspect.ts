import sharp from 'sharp';
import { countBy, type Dataset } from './dataset.js';
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
    copiesDropped: number;
    dropped: { id: string; split: string; keptId: string; keptSplit: string }[];
  };
  contentHash: string;
  dataFiles: Dataset['dataFiles'];
}

export async function describeDataset(dataset: Dataset): Promise<DatasetDescription> {
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
      copiesDropped: dataset.dropped.length,
      dropped: dataset.dropped.map(({ id, split, keptId, keptSplit }) => ({ id, split, keptId, keptSplit })),
    },
    contentHash: dataset.contentHash,
    dataFiles: dataset.dataFiles,
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
