/** Shared vocabulary. One word for one thing across all packages (see ../../../README.md). */

/** One image of a dataset. `id` is stable across machines (its path or `<split>/<index>`). */
export interface Sample {
  id: string;
  /** sha256 of the image's content (file bytes, or the raw pixel array for .npz datasets). */
  hash: string;
  /** Class index into `DatasetInfo.labels`. */
  label: number;
  /** Official split when the dataset has one (`train`/`val`/`test`), else ''. */
  split: string;
}

/** A batch of images, uint8 NHWC, always 3 channels (greyscale is repeated). */
export interface ImageBatch {
  ids: string[];
  data: Uint8Array;
  n: number;
  height: number;
  width: number;
  channels: 3;
}

/** How a stored image is brought to the requested size. */
export type ResizeMode = 'resize' | 'pad';

/**
 * A lazily decoded set of images of one dataset: what a Method receives. A method never reads
 * files; it asks for batches. `datasetHash` + `hashes` address feature caches by content.
 */
export interface ImageSet {
  datasetId: string;
  datasetHash: string;
  ids: string[];
  hashes: string[];
  height: number;
  width: number;
  resizeMode: ResizeMode;
  batches(batchSize: number): AsyncIterable<ImageBatch>;
  /** The subset with these ids, in this order. */
  subset(ids: string[]): ImageSet;
}

/** Labelled training data handed to `Method.fit`. */
export interface LabelledSet {
  images: ImageSet;
  /** Class index per image, aligned with `images.ids`. */
  labels: Int32Array;
  classNames: string[];
}

/** The ids of one cross-validation fold (or of an official split). */
export interface Fold {
  /** 0-based fold index; for official splits, 0. */
  index: number;
  /** 0-based repeat index of a repeated k-fold. */
  repeat: number;
  /** All training ids of the fold (labelled ⊂ train; unlabelled = train \ labelled). */
  train: string[];
  /** Validation ids (official `val` split), empty for k-fold. */
  val: string[];
  test: string[];
}

/** How many labels per class a job may use: an absolute count, a fraction, or all of them. */
export type LabelBudget = { perClass: number } | { fraction: number } | 'all';

/** A fold with a label budget applied. `unlabelled` never contains a test or val id. */
export interface BudgetedFold extends Fold {
  budget: LabelBudget;
  labelled: string[];
  unlabelled: string[];
}
