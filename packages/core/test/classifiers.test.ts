import { readFileSync } from 'node:fs';
import { dealIntoFolds, indicesByClass, mulberry32, shuffleClasses } from '@udtl/datasets';
import { describe, expect, it } from 'vitest';
import {
  balancedAccuracy, classProbabilities, createClassifier, LinearSVM, listClassifiers, LogisticRegression, matrixFromRows,
  registerClassifier, selectC, StandardScaler, stratifiedSubsample,
  type Matrix,
} from '../src/classifiers/index.js';

// Produced by `/usr/bin/python3 packages/core/test/fixtures/make_sklearn_reference.py`
// (Debian scikit-learn 1.2.1, numpy 1.24.2; see that script). SVM references are also checked
// there against a scipy L-BFGS-B minimisation of the primal objective.
interface ModelRef {
  C: number; coef: number[][]; intercept: number[]; proba: number[][]; predict: number[]; decision?: number[][];
  /** Logistic only: the objective's optimum from a tight scipy minimisation (sklearn stops at ftol = 64·eps). */
  optimum_coef?: number[][]; optimum_intercept?: number[];
}
interface CaseRef { name: string; X: number[][]; y: number[]; svm: ModelRef[]; logistic: ModelRef[] }
const ref = JSON.parse(readFileSync(new URL('./fixtures/sklearn-reference.json', import.meta.url), 'utf8')) as {
  scaler: { X: number[][]; mean: number[]; scale: number[]; transformed_first3: number[][] };
  cases: CaseRef[];
};

/** max |a − b| / max |b|: relative agreement of a whole coefficient array. */
function relErr(actual: ArrayLike<number>, expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

function expectMatrixClose(m: Matrix, expected: number[][], tol: number): void {
  expect([m.rows, m.cols]).toEqual([expected.length, expected[0].length]);
  expect(relErr(m.data, expected.flat())).toBeLessThan(tol);
}

describe('StandardScaler vs sklearn', () => {
  it('matches mean_, scale_ (constant feature → 1) and transform', () => {
    const X = matrixFromRows(ref.scaler.X);
    const s = new StandardScaler().fit(X);
    expect(relErr(s.mean!, ref.scaler.mean)).toBeLessThan(1e-12);
    expect(relErr(s.scale!, ref.scaler.scale)).toBeLessThan(1e-12);
    expect(s.scale![3]).toBe(1);
    const t = s.transform(X);
    expect(relErr(t.data.subarray(0, 12), ref.scaler.transformed_first3.flat())).toBeLessThan(1e-12);
  });

  it('rejects use before fit and mismatched widths', () => {
    expect(() => new StandardScaler().transform(matrixFromRows([[1]]))).toThrow(/before fit/);
    const s = new StandardScaler().fit(matrixFromRows([[1, 2], [3, 4]]));
    expect(() => s.transform(matrixFromRows([[1, 2, 3]]))).toThrow(/2 features but X has 3/);
  });
});

for (const c of ref.cases) {
  describe(`${c.name} (${c.X.length}×${c.X[0].length}, ${new Set(c.y).size} classes) vs sklearn`, () => {
    const X = matrixFromRows(c.X);

    for (const r of c.svm) {
      it(`LinearSVM C=${r.C}: coef, intercept, decision, proba, predict`, () => {
        const m = new LinearSVM({ C: r.C, tol: 1e-8, maxIter: 100_000 }).fit(X, c.y);
        expect(m.converged).toBe(true);
        expect(relErr(m.coef!, r.coef.flat())).toBeLessThan(1e-4);
        expect(relErr(m.intercept!, r.intercept)).toBeLessThan(1e-4);
        expectMatrixClose(m.decisionFunction(X), r.decision!, 1e-4);
        expectMatrixClose(m.predictProba(X), r.proba, 1e-4);
        expect(Array.from(m.predict(X))).toEqual(r.predict);
      });
    }

    for (const r of c.svm) {
      it(`LinearSVM (primal L-BFGS) C=${r.C}: the same optimum as sklearn's dual solver`, () => {
        const m = new LinearSVM({ C: r.C, solver: 'primal', tol: 1e-10, maxIter: 100_000 }).fit(X, c.y);
        expect(m.converged).toBe(true);
        expect(relErr(m.coef!, r.coef.flat())).toBeLessThan(1e-4);
        expect(relErr(m.intercept!, r.intercept)).toBeLessThan(1e-4);
        expectMatrixClose(m.predictProba(X), r.proba, 1e-4);
        expect(Array.from(m.predict(X))).toEqual(r.predict);
      });
    }

    for (const r of c.logistic) {
      it(`LogisticRegression C=${r.C}: coef, intercept, proba, predict`, () => {
        const m = new LogisticRegression({ C: r.C, tol: 1e-10, maxIter: 10_000 }).fit(X, c.y);
        expect(m.converged).toBe(true);
        expect(relErr(m.coef!, r.coef.flat())).toBeLessThan(1e-4);
        // sklearn's intercept is further off (1e-3 relative for wide-binary): compare with the optimum.
        expect(relErr(m.coef!, r.optimum_coef!.flat())).toBeLessThan(1e-6);
        expect(relErr(m.intercept!, r.optimum_intercept!)).toBeLessThan(1e-6);
        expectMatrixClose(m.predictProba(X), r.proba, 1e-4);
        expect(Array.from(m.predict(X))).toEqual(r.predict);
      });
    }

    it('default tolerances already give sklearn\'s predictions', () => {
      expect(Array.from(new LinearSVM({ C: 1 }).fit(X, c.y).predict(X))).toEqual(c.svm[1].predict);
      expect(Array.from(new LogisticRegression({ C: 1 }).fit(X, c.y).predict(X))).toEqual(c.logistic[1].predict);
    });
  });
}

describe('determinism and label handling', () => {
  const iris = ref.cases[0];
  const X = matrixFromRows(iris.X);

  it('LinearSVM: same seed → bit-identical; other seed → same optimum', () => {
    const a = new LinearSVM({ C: 1, seed: 3 }).fit(X, iris.y).coef!;
    const b = new LinearSVM({ C: 1, seed: 3 }).fit(X, iris.y).coef!;
    const other = new LinearSVM({ C: 1, seed: 4, tol: 1e-8 }).fit(X, iris.y).coef!;
    const tight = new LinearSVM({ C: 1, seed: 3, tol: 1e-8 }).fit(X, iris.y).coef!;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(relErr(other, Array.from(tight))).toBeLessThan(1e-6);
  });

  it('classProbabilities spreads columns over all dataset classes (absent ones → 0)', () => {
    const y = iris.y.map((v) => [3, 0, 1][v]); // dataset classes 0..4; 2 and 4 never labelled
    const m = new LogisticRegression({ C: 1 }).fit(X, y);
    const p = m.predictProba(X);
    const rows = classProbabilities(m, X, 5);
    expect(rows[0]).toEqual([p.data[0], p.data[1], 0, p.data[2], 0]);
    expect(() => classProbabilities(m, X, 3)).toThrow(/knows class 3 but nClasses is 3/);
  });

  it('labels need not be 0..K-1: classes_ are the sorted labels and columns follow them', () => {
    const y = iris.y.map((v) => [7, 2, 5][v]);
    const m = new LogisticRegression({ C: 1 }).fit(X, y);
    expect(Array.from(m.classes!)).toEqual([2, 5, 7]);
    const base = new LogisticRegression({ C: 1 }).fit(X, iris.y).predictProba(X);
    // class 2 ← old 1, 5 ← old 2, 7 ← old 0
    const p = m.predictProba(X);
    expect(p.data[0 * 3 + 2]).toBeCloseTo(base.data[0 * 3 + 0], 6);
    expect(Array.from(m.predict(X)).slice(0, 3)).toEqual([7, 7, 7]);
  });
});

describe('bad input', () => {
  const X = matrixFromRows([[0, 1], [1, 0], [1, 1], [0, 0]]);
  for (const make of [() => new LinearSVM(), () => new LogisticRegression()]) {
    const kind = make().kind;
    it(`${kind}: single class, NaN, dims, lengths, C, predict before fit`, () => {
      expect(() => make().fit(X, [1, 1, 1, 1])).toThrow(/only class 1; at least 2 classes/);
      const bad = matrixFromRows([[0, 1], [1, NaN], [1, 1], [0, 0]]);
      expect(() => make().fit(bad, [0, 1, 0, 1])).toThrow(/non-finite value \(NaN\) at row 1, column 1/);
      expect(() => make().fit(X, [0, 1, 0])).toThrow(/3 labels but X has 4 rows/);
      expect(() => make().fit(X, [0, 1, 0.5, 1])).toThrow(/y\[2\] = 0.5/);
      expect(() => make().predict(X)).toThrow(/before fit/);
      const m = make().fit(X, [0, 1, 0, 1]);
      expect(() => m.predictProba(matrixFromRows([[1, 2, 3]]))).toThrow(/fit on 2 features but X has 3/);
      expect(() => m.decisionFunction(matrixFromRows([[Infinity, 0]]))).toThrow(/non-finite value \(Infinity\) at row 0, column 0/);
    });
  }
  it('C must be positive', () => {
    expect(() => new LinearSVM({ C: 0 })).toThrow(/C must be a positive/);
    expect(() => new LogisticRegression({ C: -1 })).toThrow(/C must be a positive/);
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow(/row 1 has 1 values/);
  });
});

describe('classifier registry', () => {
  it('creates the built-in kinds, lists them, rejects unknown and duplicate kinds', () => {
    expect(listClassifiers()).toEqual(expect.arrayContaining(['linear-svm', 'logistic']));
    expect(createClassifier({ kind: 'linear-svm', C: 0.5 }).params()).toMatchObject({ C: 0.5 });
    expect(() => createClassifier({ kind: 'svm' })).toThrow(/Unknown classifier 'svm'. Known classifiers: .*linear-svm, logistic/);
    expect(() => registerClassifier('logistic', () => new LogisticRegression())).toThrow(/already registered/);
  });

  it('standardize wraps a scaler fit on the training rows only', () => {
    const iris = ref.cases[0];
    // Un-standardise the reference features (×10 + 3): the scaled pipeline must undo it exactly.
    const X = matrixFromRows(iris.X.map((r) => r.map((v) => v * 10 + 3)));
    const m = createClassifier({ kind: 'logistic', C: 1, standardize: true }).fit(X, iris.y);
    const direct = new LogisticRegression({ C: 1 }).fit(matrixFromRows(iris.X), iris.y).predictProba(matrixFromRows(iris.X));
    expect(relErr(m.predictProba(X).data, Array.from(direct.data))).toBeLessThan(1e-9);
    expect(m.params()).toMatchObject({ C: 1, standardize: true });
  });
});

describe('selectC', () => {
  // Separable but imbalanced (30 vs 10): with C → 0 logistic regression predicts the majority class
  // only (balanced accuracy exactly 0.5); with C = 1 it separates the classes.
  const rows: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 40; i++) {
    const label = i < 30 ? 0 : 1;
    rows.push([label * 4 + ((i * 7) % 5) / 5, ((i * 3) % 7) / 7]);
    y.push(label);
  }
  const X = matrixFromRows(rows);

  it('chooses the C that beats majority voting, with a score per candidate', () => {
    const r = selectC(X, y, { candidates: [1e-6, 1], folds: 5, seed: 1 });
    expect(r.folds).toBe(5);
    expect(r.scores.map((s) => s.C)).toEqual([1e-6, 1]);
    expect(r.scores[0].score).toBe(0.5);
    expect(r.scores[1].score).toBe(1);
    expect(r.C).toBe(1);
  });

  it('is deterministic, breaks ties towards smaller C, and falls back without CV', () => {
    const a = selectC(X, y, { candidates: [0.1, 1, 10], seed: 9, classifier: { kind: 'linear-svm', standardize: true } });
    const b = selectC(X, y, { candidates: [0.1, 1, 10], seed: 9, classifier: { kind: 'linear-svm', standardize: true } });
    expect(a).toEqual(b);
    expect(a.scores.every((s) => s.score === 1)).toBe(true);
    expect(a.C).toBe(0.1);
    const one = selectC(matrixFromRows([[0], [1], [2]]), [0, 0, 1], { candidates: [0.01, 1, 100] });
    expect(one).toEqual({ C: 1, scores: [], folds: 0, samples: 3 });
    expect(() => selectC(X, y, { candidates: [] })).toThrow(/at least one C/);
  });

  it('caps the inner CV at maxSamples with a stratified, seeded subsample', () => {
    const capped = selectC(X, y, { candidates: [1e-6, 1], folds: 2, seed: 1, maxSamples: 20 });
    expect(capped.samples).toBe(20);
    expect(capped.C).toBe(1);
    const sub = stratifiedSubsample(Int32Array.from(y), 20, mulberry32(1));
    expect(sub).toEqual(stratifiedSubsample(Int32Array.from(y), 20, mulberry32(1)));
    expect(sub.filter((i) => y[i] === 0)).toHaveLength(15); // 30 of 40 are class 0: the share is kept
    expect(sub.filter((i) => y[i] === 1)).toHaveLength(5);
    expect(new Set(sub).size).toBe(20);
    expect(selectC(X, y, { candidates: [1e-6, 1], folds: 5, seed: 1 }).samples).toBe(40);
  });

  it('stratified folds: every class spread evenly over folds', () => {
    const random = mulberry32(4);
    const foldOf = dealIntoFolds(shuffleClasses(indicesByClass(Int32Array.from(y)), () => random), 5);
    const fold = y.map((_, i) => foldOf.get(i));
    for (let f = 0; f < 5; f++) {
      expect(y.filter((l, i) => l === 0 && fold[i] === f).length).toBe(6);
      expect(y.filter((l, i) => l === 1 && fold[i] === f).length).toBe(2);
    }
  });

  it('balanced accuracy: mean recall over true classes (hand-computed)', () => {
    // recalls: class 0 → 2/3, class 1 → 2/2, class 2 → 0/1
    expect(balancedAccuracy([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 1, 0])).toBeCloseTo((2 / 3 + 1 + 0) / 3, 12);
  });
});

describe('minimizeLbfgs', () => {
  it('finds the Rosenbrock minimum (1, 1) (known analytically) deterministically', async () => {
    const { minimizeLbfgs } = await import('../src/classifiers/lbfgs.js');
    const rosen = (x: Float64Array, g: Float64Array): number => {
      g[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]);
      g[1] = 200 * (x[1] - x[0] ** 2);
      return 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
    };
    const r = minimizeLbfgs(rosen, Float64Array.from([-1.2, 1]), { tol: 1e-9, maxIter: 1000 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 7);
    expect(r.x[1]).toBeCloseTo(1, 7);
    expect(Array.from(minimizeLbfgs(rosen, Float64Array.from([-1.2, 1]), { tol: 1e-9, maxIter: 1000 }).x)).toEqual(Array.from(r.x));
  });
});
