import { assertPositiveC, LinearClassifier, sigmoid } from './classifier.js';
import { encodeLabels } from './labels.js';
import { minimizeLbfgs } from './lbfgs.js';
import { assertMatrix, zerosMatrix, type Matrix } from './matrix.js';

export interface LogisticRegressionOptions {
  /** Inverse regularisation strength (sklearn's C). Default 1. */
  C?: number;
  /** Stop when the largest gradient entry of the per-sample-mean objective is ≤ tol. Default 1e-6. */
  tol?: number;
  /** Maximum L-BFGS iterations. Default 1000. */
  maxIter?: number;
  /** Default true; the intercept is not penalised (as in sklearn's lbfgs solver). */
  fitIntercept?: boolean;
}

/**
 * L2-penalised logistic regression with sklearn's LogisticRegression(solver='lbfgs') semantics:
 * two classes → one weight vector and the sigmoid; more → multinomial (softmax) with one row per
 * class. Minimises C Σ logloss + ½||W||² (intercepts unpenalised), solved by L-BFGS on the
 * equivalent per-sample mean (1/n)Σ logloss + ||W||²/(2Cn), starting from zero, so the
 * multinomial intercepts keep summing to zero as in sklearn.
 */
export class LogisticRegression extends LinearClassifier {
  readonly kind = 'logistic';
  readonly C: number;
  readonly tol: number;
  readonly maxIter: number;
  readonly fitIntercept: boolean;

  constructor(options: LogisticRegressionOptions = {}) {
    super();
    this.C = options.C ?? 1;
    this.tol = options.tol ?? 1e-6;
    this.maxIter = options.maxIter ?? 1000;
    this.fitIntercept = options.fitIntercept ?? true;
    assertPositiveC(this.C, this.kind);
  }

  params(): Record<string, unknown> {
    return { C: this.C, tol: this.tol, maxIter: this.maxIter, fitIntercept: this.fitIntercept };
  }

  fit(X: Matrix, y: ArrayLike<number>): this {
    assertMatrix(X);
    const { classes, encoded } = encodeLabels(y, X.rows);
    const { rows: n, cols: d, data } = X;
    const binary = classes.length === 2;
    const k = binary ? 1 : classes.length;
    const stride = d + 1; // per row: d weights then the intercept
    const penalty = 1 / (this.C * n);
    const fitIntercept = this.fitIntercept;
    const z = new Float64Array(k);

    const objective = (w: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const off = i * d;
        for (let c = 0; c < k; c++) {
          let s = w[c * stride + d];
          for (let j = 0; j < d; j++) s += w[c * stride + j] * data[off + j];
          z[c] = s;
        }
        if (binary) {
          // log(1 + e^{−t z}) with t = ±1, computed stably; its derivative is −t σ(−t z).
          const t = encoded[i] === 1 ? 1 : -1;
          const m = -t * z[0];
          loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
          z[0] = -t * sigmoid(m);
        } else {
          let max = -Infinity;
          for (let c = 0; c < k; c++) max = Math.max(max, z[c]);
          let sum = 0;
          for (let c = 0; c < k; c++) sum += Math.exp(z[c] - max);
          loss += max + Math.log(sum) - z[encoded[i]];
          for (let c = 0; c < k; c++) z[c] = Math.exp(z[c] - max) / sum - (c === encoded[i] ? 1 : 0);
        }
        for (let c = 0; c < k; c++) {
          const r = z[c];
          if (r === 0) continue;
          for (let j = 0; j < d; j++) grad[c * stride + j] += r * data[off + j];
          grad[c * stride + d] += r;
        }
      }
      let reg = 0;
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) {
          const wj = w[c * stride + j];
          reg += wj * wj;
          grad[c * stride + j] = grad[c * stride + j] / n + penalty * wj;
        }
        grad[c * stride + d] = fitIntercept ? grad[c * stride + d] / n : 0;
      }
      return loss / n + 0.5 * penalty * reg;
    };

    const result = minimizeLbfgs(objective, new Float64Array(k * stride), { tol: this.tol, maxIter: this.maxIter });
    this.coef = new Float64Array(k * d);
    this.intercept = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      this.coef.set(result.x.subarray(c * stride, c * stride + d), c * d);
      this.intercept[c] = result.x[c * stride + d];
    }
    this.classes = classes;
    this.nFeatures = d;
    this.nIter = result.iterations;
    this.converged = result.converged;
    return this;
  }

  predictProba(X: Matrix): Matrix {
    const scores = this.decisionFunction(X);
    const k = this.classes!.length;
    const out = zerosMatrix(X.rows, k);
    for (let i = 0; i < X.rows; i++) {
      if (scores.cols === 1) {
        const p = sigmoid(scores.data[i]);
        out.data[i * 2] = 1 - p;
        out.data[i * 2 + 1] = p;
        continue;
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, scores.data[i * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += out.data[i * k + c] = Math.exp(scores.data[i * k + c] - max);
      for (let c = 0; c < k; c++) out.data[i * k + c] /= sum;
    }
    return out;
  }
}
