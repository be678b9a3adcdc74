/** Operations on the dense row-major float64 Matrix that pooled features come in (type from @udtl/backbones). */
import type { Matrix } from '@udtl/backbones';

export type { Matrix };

export function zerosMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Builds a Matrix from equal-length rows (arrays, typed arrays). */
export function matrixFromRows(rows: ArrayLike<number>[]): Matrix {
  const cols = rows.length > 0 ? rows[0].length : 0;
  const m = zerosMatrix(rows.length, cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new Error(`matrixFromRows: row ${i} has ${row.length} values, row 0 has ${cols}`);
    for (let j = 0; j < cols; j++) m.data[i * cols + j] = row[j];
  });
  return m;
}

/** The rows with these indices, in this order (copy). */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = zerosMatrix(indices.length, m.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < 0 || i >= m.rows) throw new Error(`selectRows: row index ${i} out of range [0, ${m.rows})`);
    out.data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), r * m.cols);
  }
  return out;
}

/** Throws a clear Error for a malformed matrix or a NaN/±Infinity entry (naming row and column). */
export function assertMatrix(m: Matrix, what = 'X'): void {
  if (!m || !(m.data instanceof Float64Array)) throw new Error(`${what} must be a {rows, cols, data: Float64Array} matrix`);
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 0 || m.cols < 0)
    throw new Error(`${what} has invalid shape ${m.rows}x${m.cols}`);
  if (m.data.length !== m.rows * m.cols)
    throw new Error(`${what} data has ${m.data.length} values, expected rows × cols = ${m.rows} × ${m.cols}`);
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) {
      const i = Math.floor(k / m.cols);
      throw new Error(`${what} has a non-finite value (${m.data[k]}) at row ${i}, column ${k - i * m.cols}`);
    }
  }
}

export function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[aOff + j] * b[bOff + j];
  return s;
}
