import { describe, expect, it } from 'vitest';
import { accuracy, aucOvr, balancedAccuracy, binaryAuc, classificationMetrics, macroF1 } from '../src/metrics.js';

// Reference values from scikit-learn 1.2 (Debian python3-sklearn), generated with:
//   rng = np.random.RandomState(7); P = np.round(rng.dirichlet([1,1,1], size=12), 3)
//   P[:,2] = np.round(1 - P[:,0] - P[:,1], 3); pred = P.argmax(1)
//   accuracy_score, balanced_accuracy_score, f1_score(average='macro'),
//   roc_auc_score(y, P, multi_class='ovr', average='macro')
const y = [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 0, 1];
const P = [[0.037, 0.698, 0.265], [0.219, 0.65, 0.131], [0.642, 0.069, 0.289], [0.2, 0.329, 0.471], [0.54, 0.077, 0.383], [0.741, 0.074, 0.185], [0.74, 0.007, 0.253], [0.739, 0.065, 0.196], [0.731, 0.044, 0.225], [0.444, 0.354, 0.202], [0.167, 0.493, 0.34], [0.222, 0.156, 0.622]];

describe('classification metrics agree with scikit-learn', () => {
  it('multi-class: accuracy, balanced accuracy, macro-F1, one-vs-rest macro AUC', () => {
    const m = classificationMetrics(y, P);
    expect(m.accuracy).toBeCloseTo(0.08333333333333333, 12);
    expect(m.balanced_accuracy).toBeCloseTo(0.08333333333333333, 12);
    expect(m.macro_f1).toBeCloseTo(0.06060606060606061, 12);
    expect(m.auc).toBeCloseTo(0.24044312169312168, 12);
  });

  it('binary AUC with tied scores (roc_auc_score = 0.86)', () => {
    const yb = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
    const s = [0.1, 0.8, 0.8, 0.8, 0.35, 0.2, 0.35, 0.9, 0.5, 0.05];
    expect(binaryAuc(yb.map((v) => v === 1), s)).toBeCloseTo(0.86, 12);
    expect(aucOvr(yb, s.map((p) => [1 - p, p]))).toBeCloseTo(0.86, 12);
  });

  it('macro-F1 counts a class that is never predicted as 0 (sklearn: 0.7416…), balanced accuracy 0.75', () => {
    const t = [0, 1, 2, 3, 0, 1, 2, 3];
    const p = [0, 1, 1, 3, 0, 0, 2, 3];
    expect(macroF1(t, p)).toBeCloseTo(0.7416666666666667, 12);
    expect(balancedAccuracy(t, p)).toBeCloseTo(0.75, 12);
    expect(accuracy(t, p)).toBeCloseTo(0.75, 12);
  });

  it('AUC is NaN when the test set has one class; mismatched lengths are errors', () => {
    expect(aucOvr([1, 1], [[0.2, 0.8], [0.6, 0.4]])).toBeNaN();
    expect(() => accuracy([0, 1], [0])).toThrow(/1 rows but there are 2 true labels/);
  });
});
