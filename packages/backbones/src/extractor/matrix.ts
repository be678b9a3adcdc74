/**
 * Dense row-major matrix of float64: pooled features as the extractor returns them, and the one
 * input format of every classifier in @udtl/core (which adds the operations on it).
 */
export interface Matrix {
  rows: number;
  cols: number;
  /** Row-major, length rows × cols. */
  data: Float64Array;
}
