import type { Classifier } from './classifier.js';
import type { Matrix } from './matrix.js';
import { StandardScaler } from './scaler.js';

/** StandardScaler fit on the training data, then the classifier: one estimator, no leakage. */
export class ScaledClassifier implements Classifier {
  readonly scaler = new StandardScaler();
  constructor(readonly inner: Classifier) {}

  get kind(): string {
    return this.inner.kind;
  }
  get classes(): Int32Array | undefined {
    return this.inner.classes;
  }
  params(): Record<string, unknown> {
    return { ...this.inner.params(), standardize: true };
  }
  fit(X: Matrix, y: ArrayLike<number>): this {
    this.inner.fit(this.scaler.fitTransform(X), y);
    return this;
  }
  decisionFunction(X: Matrix): Matrix {
    return this.inner.decisionFunction(this.scaler.transform(X));
  }
  predictProba(X: Matrix): Matrix {
    return this.inner.predictProba(this.scaler.transform(X));
  }
  predict(X: Matrix): Int32Array {
    return this.inner.predict(this.scaler.transform(X));
  }
}
