import { assertMatrix, zerosMatrix, type Matrix } from './matrix.js';

/** sklearn-like estimator on feature vectors. Labels are integer class indices. */
export interface Classifier {
  readonly kind: string;
  /** Sorted distinct labels seen in fit (columns of predictProba follow this order). */
  readonly classes: Int32Array | undefined;
  fit(X: Matrix, y: ArrayLike<number>): this;
  /** n × 1 for two classes (score of classes[1], sklearn's convention), else n × classes. */
  decisionFunction(X: Matrix): Matrix;
  /** n × classes; each row sums to 1. */
  predictProba(X: Matrix): Matrix;
  predict(X: Matrix): Int32Array;
  /** Hyper-parameters (plain JSON). */
  params(): Record<string, unknown>;
}

/**
 * Shared part of linear models: `coef` holds one weight row per decision function (one for two
 * classes, one per class otherwise), `intercept` one value per row.
 */
export abstract class LinearClassifier implements Classifier {
  abstract readonly kind: string;
  classes: Int32Array | undefined;
  /** rows × nFeatures, row-major. */
  coef: Float64Array | undefined;
  intercept: Float64Array | undefined;
  nFeatures = 0;
  /** Solver iterations (max over sub-problems) and whether every sub-problem met its tolerance. */
  nIter = 0;
  converged = false;

  abstract fit(X: Matrix, y: ArrayLike<number>): this;
  abstract predictProba(X: Matrix): Matrix;
  abstract params(): Record<string, unknown>;

  protected checkPredictInput(X: Matrix): void {
    if (!this.coef || !this.classes) throw new Error(`${this.kind}: predict called before fit`);
    assertMatrix(X);
    if (X.cols !== this.nFeatures)
      throw new Error(`${this.kind} was fit on ${this.nFeatures} features but X has ${X.cols}`);
  }

  decisionFunction(X: Matrix): Matrix {
    this.checkPredictInput(X);
    const coef = this.coef!;
    const intercept = this.intercept!;
    const k = intercept.length;
    const d = this.nFeatures;
    const out = zerosMatrix(X.rows, k);
    for (let i = 0; i < X.rows; i++)
      for (let c = 0; c < k; c++) {
        let s = intercept[c];
        for (let j = 0; j < d; j++) s += coef[c * d + j] * X.data[i * d + j];
        out.data[i * k + c] = s;
      }
    return out;
  }

  predict(X: Matrix): Int32Array {
    const scores = this.decisionFunction(X);
    const classes = this.classes!;
    const out = new Int32Array(X.rows);
    for (let i = 0; i < X.rows; i++) {
      if (scores.cols === 1) {
        out[i] = classes[scores.data[i] > 0 ? 1 : 0];
        continue;
      }
      let best = 0;
      for (let c = 1; c < scores.cols; c++) if (scores.data[i * scores.cols + c] > scores.data[i * scores.cols + best]) best = c;
      out[i] = classes[best];
    }
    return out;
  }
}

export function assertPositiveC(C: number, kind: string): void {
  if (!(typeof C === 'number' && Number.isFinite(C) && C > 0)) throw new Error(`${kind}: C must be a positive finite number, got ${C}`);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * predictProba as rows over ALL `nClasses` classes of a dataset (the Method contract's
 * Probabilities): columns of classes absent from the training labels get probability 0.
 */
export function classProbabilities(classifier: Classifier, X: Matrix, nClasses: number): number[][] {
  const classes = classifier.classes;
  if (!classes) throw new Error(`${classifier.kind}: predict called before fit`);
  const bad = Array.from(classes).find((c) => c >= nClasses);
  if (bad !== undefined) throw new Error(`classProbabilities: the classifier knows class ${bad} but nClasses is ${nClasses}`);
  const p = classifier.predictProba(X);
  const rows: number[][] = [];
  for (let i = 0; i < p.rows; i++) {
    const row = new Array<number>(nClasses).fill(0);
    classes.forEach((c, k) => (row[c] = p.data[i * p.cols + k]));
    rows.push(row);
  }
  return rows;
}
