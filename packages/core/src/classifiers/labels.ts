/** Labels are integer class indices; a classifier learns the sorted set of those it saw. */
export interface EncodedLabels {
  /** Sorted distinct labels seen in fit (sklearn's `classes_`). */
  classes: Int32Array;
  /** Per sample: index into `classes`. */
  encoded: Int32Array;
}

export function encodeLabels(y: ArrayLike<number>, nRows: number, what = 'y'): EncodedLabels {
  if (y.length !== nRows) throw new Error(`${what} has ${y.length} labels but X has ${nRows} rows`);
  const seen = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0) throw new Error(`${what}[${i}] = ${v} is not a non-negative integer class index`);
    seen.add(v);
  }
  if (seen.size < 2) {
    const only = seen.size === 1 ? `only class ${[...seen][0]}` : 'no samples';
    throw new Error(`Cannot fit a classifier: the labelled set has ${only}; at least 2 classes are needed`);
  }
  const classes = Int32Array.from([...seen].sort((a, b) => a - b));
  const position = new Map<number, number>();
  classes.forEach((c, k) => position.set(c, k));
  const encoded = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) encoded[i] = position.get(y[i])!;
  return { classes, encoded };
}
