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
      /** One archive per class (e.g. COVID-CT's CT_COVID.zip / CT_NonCOVID.zip), images checked against a per-image manifest that also gives the split. */
      kind: 'archives';
      /** Each member's file name (folders inside the archive ignored) goes to `<into>/<name>`. */
      parts: Array<{ url: string; format: 'tar.gz' | 'zip'; into: string; label: string }>;
      /** src/manifests/ file of `<sha256>\t<into>/<file>\t<split>` lines, gzipped. */
      manifest: string;
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
