import { sha256, type ResizeMode } from '@udtl/datasets';

/** Everything a backbone feature map depends on besides the image's content. */
export interface FeatureCacheKey {
  datasetId: string;
  datasetHash: string;
  backboneId: string;
  weightsHash: string;
  inputSize: number;
  resizeMode: ResizeMode;
  tap: string;
  /** tfjs backend name: float rounding differs between backends. */
  backend: string;
}

export function canonicalKey(key: FeatureCacheKey): string {
  const fields: (keyof FeatureCacheKey)[] = ['datasetId', 'datasetHash', 'backboneId', 'weightsHash', 'inputSize', 'resizeMode', 'tap', 'backend'];
  for (const f of fields) {
    if (key[f] === undefined || key[f] === '') throw new Error(`feature cache key: field '${f}' is missing`);
  }
  return JSON.stringify(fields.map((f) => [f, key[f]]));
}

/** Content address of a key: the directory name under `<cacheDir>/features/`. */
export function featureKeyHash(key: FeatureCacheKey): string {
  return sha256(canonicalKey(key)).slice(0, 24);
}
