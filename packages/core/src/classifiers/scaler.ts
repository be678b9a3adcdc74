import { assertMatrix, zerosMatrix, type Matrix } from './matrix.js';

/**
 * sklearn's StandardScaler: x' = (x − mean) / std with the population std (ddof 0). Fit it on the
 * training fold only. Features with (numerically) zero variance get scale 1, as in sklearn.
 */
export class StandardScaler {
  mean?: Float64Array;
  scale?: Float64Array;

  fit(X: Matrix): this {
    assertMatrix(X);
    if (X.rows === 0) throw new Error('StandardScaler.fit: X has no rows');
    const { rows, cols, data } = X;
    const mean = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j];
    for (let j = 0; j < cols; j++) mean[j] /= rows;
    // Two-pass variance: exact zero for constant columns, no cancellation.
    const variance = new Float64Array(cols);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) {
        const d = data[i * cols + j] - mean[j];
        variance[j] += d * d;
      }
    const scale = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      const std = Math.sqrt(variance[j] / rows);
      scale[j] = std < 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j])) ? 1 : std;
    }
    this.mean = mean;
    this.scale = scale;
    return this;
  }

  transform(X: Matrix): Matrix {
    const { mean, scale } = this;
    if (!mean || !scale) throw new Error('StandardScaler.transform called before fit');
    assertMatrix(X);
    if (X.cols !== mean.length) throw new Error(`StandardScaler was fit on ${mean.length} features but X has ${X.cols}`);
    const out = zerosMatrix(X.rows, X.cols);
    for (let i = 0; i < X.rows; i++)
      for (let j = 0; j < X.cols; j++) out.data[i * X.cols + j] = (X.data[i * X.cols + j] - mean[j]) / scale[j];
    return out;
  }

  fitTransform(X: Matrix): Matrix {
    return this.fit(X).transform(X);
  }
}
