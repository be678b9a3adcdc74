/** Where each default resource comes from, as data (kept in the dataset and resource registries). */

/** Which images of a listing to keep. `firstPerClass`: the first N file names per (split, class) in code-unit order. */
export type Selection = { firstPerClass: number } | { files: string[] };

/** How an image-folder dataset is obtained from its public source. */
export type DatasetFetch =
  | {
      kind: 'archive';
      url: string;
      format: 'tar.gz' | 'zip';
      /** Checksums of the archive itself, when its bytes are stable. */
      md5?: string;
      sha256?: string;
      size?: number;
      /** Leading path components dropped from member names (like `tar --strip-components`). */
      stripComponents: number;
      /** Layout after stripping: `<class>/<file>` or `<split>/<class>/<file>`. */
      layout: 'class' | 'split/class';
      /** Per-image sha256 manifest in src/manifests/ (`<sha256>\t<path>` lines, gzipped), for archives whose bytes are not stable. */
      manifest?: string;
    }
  | {
      /** A subset of another registered dataset, extracted from that dataset's source. */
      kind: 'subset';
      of: string;
      select: Selection;
      /** Drop the split folder (`Training/x/y.jpg` → `x/y.jpg`, split ''). */
      dropSplit?: boolean;
    };

/** One file of a downloadable resource. */
export interface ResourceFile {
  name: string;
  url: string;
  sha256?: string;
  md5?: string;
  size?: number;
}

/** Pretrained weights (or any set of files) that live in one folder under the models root. */
export interface FileResource {
  id: string;
  /** Folder name under the models root, and under `<cache>/models` when downloaded. */
  dir: string;
  files: ResourceFile[];
  /** The JSON file among `files` is a tfjs `model.json`: its weightsManifest lists shard files beside it (sizes checked when loaded). */
  tfjsManifest?: string;
  homepage: string;
  licence: string;
  /** Approximate download size in bytes (for listings). */
  approxBytes?: number;
}
