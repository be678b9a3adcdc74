import type { ImageSet } from '@udtl/datasets';

export interface HistogramParams {
  /** Bins of the grey-level histogram over [0, 255]. */
  bins: number;
  /** The image is split into cells × cells; each contributes its mean grey level. */
  cells: number;
}

/**
 * Hand-crafted features of one image: a normalised grey-level histogram plus the mean grey level of
 * each cell of a coarse grid (modalities differ in intensity distribution and layout).
 */
export function imageFeatures(pixels: Uint8Array, height: number, width: number, { bins, cells: grid }: HistogramParams): Float64Array {
  const out = new Float64Array(bins + grid * grid);
  const cellSum = new Float64Array(grid * grid);
  const cellCount = new Float64Array(grid * grid);
  const n = height * width;
  for (let y = 0; y < height; y++) {
    const cy = Math.min(grid - 1, Math.floor((y * grid) / height));
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const grey = (pixels[p] + pixels[p + 1] + pixels[p + 2]) / 3;
      out[Math.min(bins - 1, Math.floor((grey * bins) / 256))] += 1 / n;
      const cell = cy * grid + Math.min(grid - 1, Math.floor((x * grid) / width));
      cellSum[cell] += grey;
      cellCount[cell]++;
    }
  }
  for (let c = 0; c < grid * grid; c++) out[bins + c] = cellCount[c] ? cellSum[c] / cellCount[c] / 255 : 0;
  return out;
}

/** Feature rows of every image of the set, in `images.ids` order. */
export async function featuresOf(images: ImageSet, params: HistogramParams): Promise<Float64Array[]> {
  const rows: Float64Array[] = [];
  for await (const batch of images.batches(64)) {
    const size = batch.height * batch.width * 3;
    for (let i = 0; i < batch.n; i++) rows.push(imageFeatures(batch.data.subarray(i * size, (i + 1) * size), batch.height, batch.width, params));
  }
  return rows;
}
