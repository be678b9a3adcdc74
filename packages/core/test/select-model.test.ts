import { describe, expect, it } from 'vitest';
import { balancedAccuracy, createClassifier, matrixFromRows, selectC, selectModel, selectionRecord, selectionScore, type SelectionMetric } from '../src/classifiers/index.js';
import { binaryAuc } from '@udtl/results';
import { C_REFERENCE_DIM, scaledCandidates } from '../src/method/probe.js';

// Two feature sets of the same 40 images (30 vs 10): `signal` separates the classes, `noise`
// is unrelated to them (a fixed pseudo-random pattern).
const y: number[] = [];
const signalRows: number[][] = [];
const noiseRows: number[][] = [];
for (let i = 0; i < 40; i++) {
  const label = i < 30 ? 0 : 1;
  y.push(label);
  signalRows.push([label * 4 + ((i * 7) % 5) / 5, ((i * 3) % 7) / 7]);
  noiseRows.push([((i * 13) % 11) / 11, ((i * 5) % 9) / 9]);
}
const signal = matrixFromRows(signalRows);
const noise = matrixFromRows(noiseRows);
const classifier = { kind: 'logistic', standardize: true } as const;
const opts = { cCandidates: [1e-6, 1], folds: 5, seed: 1, classifier };

describe('selectModel', () => {
  it('with one configuration is selectC: same C, same scores', () => {
    const s = selectModel([{ config: {}, X: signal }], y, opts);
    const c = selectC(signal, y, { candidates: opts.cCandidates, folds: 5, seed: 1, classifier });
    expect(s.C).toBe(c.C);
    expect(s.scores.map((x) => x.score)).toEqual(c.scores.map((x) => x.score));
    expect([s.protocol, s.candidates, s.folds, s.index]).toEqual(['inner-cv', 2, 5, 0]);
  });

  it('finds the informative configuration wherever it is listed, scoring every (configuration, C)', () => {
    const s = selectModel([{ config: { tap: 'noise' }, X: noise }, { config: { tap: 'signal' }, X: signal }], y, opts);
    expect(s.index).toBe(1);
    expect(s.config).toEqual({ tap: 'signal' });
    expect(s.C).toBe(1);
    expect(s.candidates).toBe(4);
    expect(s.scores).toHaveLength(4);
    expect(s.scores[3]).toEqual({ config: { tap: 'signal' }, C: 1, score: 1 });
    // the noise columns cannot beat chance by much on pooled out-of-fold predictions
    expect(Math.max(s.scores[0].score, s.scores[1].score)).toBeLessThan(0.75);
  });

  it('breaks ties towards the earlier configuration, then the smaller C', () => {
    const s = selectModel([{ config: { k: 'a' }, X: signal }, { config: { k: 'b' }, X: signal }], y, { ...opts, cCandidates: [1, 10] });
    expect(s.scores.every((x) => x.score === 1)).toBe(true);
    expect([s.index, s.C]).toEqual([0, 1]);
  });

  it('selects on a validation set when given one: fit on all labelled rows, score the validation rows', () => {
    // Training rows are informative in both sets; on the validation rows only `b` keeps the pattern
    // (in `a` the validation rows have their feature flipped), so validation must pick b while
    // the inner CV on training rows cannot tell them apart.
    const valY = [0, 0, 0, 1, 1, 1];
    const good = matrixFromRows(valY.map((l, i) => [l * 4 + i / 10, 0.5]));
    const flipped = matrixFromRows(valY.map((l, i) => [(1 - l) * 4 + i / 10, 0.5]));
    const cands = [{ config: { k: 'a' }, X: signal, Xval: flipped }, { config: { k: 'b' }, X: signal, Xval: good }];
    const s = selectModel(cands, y, { ...opts, cCandidates: [1], validationLabels: valY });
    expect([s.protocol, s.index, s.folds]).toEqual(['validation', 1, 0]);
    // the recorded score is the balanced accuracy of the fitted classifier on the validation rows
    const predicted = createClassifier({ ...classifier, C: 1 }).fit(signal, y).predict(good);
    expect(s.scores[1].score).toBe(balancedAccuracy(valY, predicted));
    expect(s.scores[0].score).toBe(0);
    expect(() => selectModel([{ config: {}, X: signal }], y, { ...opts, validationLabels: valY })).toThrow(/no validation features/);
  });

  it('falls back to the first configuration when a class has one label', () => {
    const tiny = matrixFromRows([[0], [1], [2]]);
    const s = selectModel([{ config: { k: 'a' }, X: tiny }, { config: { k: 'b' }, X: tiny }], [0, 0, 1], { ...opts, cCandidates: [0.01, 1, 100] });
    expect([s.protocol, s.index, s.C, s.candidates]).toEqual(['fallback', 0, 1, 6]);
  });

  it('records a JSON-safe summary', () => {
    const rec = selectionRecord(selectModel([{ config: { theta: 0.5 }, X: signal }], y, opts));
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
    expect(rec).toMatchObject({ C: 1, config: { theta: 0.5 }, selection: 'inner-cv', candidates: 2, innerFolds: 5 });
  });

  it('rejects an empty candidate list', () => {
    expect(() => selectModel([], y, opts)).toThrow(/no candidate/);
    expect(() => selectModel([{ config: {}, X: signal }], y, { ...opts, cCandidates: [] })).toThrow(/at least one C/);
  });
});

describe('selection metrics', () => {
  // Reference values from an independent implementation (numpy: per-class recall, per-label F1,
  // and the AUC as the share of (positive, negative) pairs ordered correctly, ties counting ½).
  const truth = [0, 0, 0, 0, 1, 1, 2, 2, 2, 1];
  const P = matrixFromRows([
    [0.7, 0.2, 0.1], [0.3, 0.4, 0.3], [0.2, 0.6, 0.2], [0.5, 0.3, 0.2], [0.1, 0.1, 0.8],
    [0.2, 0.5, 0.3], [0.2, 0.3, 0.5], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4], [0.3, 0.3, 0.4],
  ]);
  it('match scikit-learn definitions', () => {
    expect(selectionScore('accuracy', truth, P, [0, 1, 2])).toBeCloseTo(0.5, 12);
    expect(selectionScore('balanced_accuracy', truth, P, [0, 1, 2])).toBeCloseTo(0.5, 12);
    expect(selectionScore('macro_f1', truth, P, [0, 1, 2])).toBeCloseTo(0.49206349206349204, 12);
    expect(selectionScore('auc', truth, P, [0, 1, 2])).toBeCloseTo(0.5992063492063492, 12);
    expect(binaryAuc([false, true, true, false, true], [0.2, 0.8, 0.4, 0.4, 0.9])).toBeCloseTo(0.9166666666666666, 12);
  });
  it('name a bad metric or shape', () => {
    expect(() => selectionScore('f2' as SelectionMetric, truth, P, [0, 1, 2])).toThrow(/unknown/);
    expect(() => selectionScore('accuracy', truth.slice(1), P, [0, 1, 2])).toThrow(/9 labels vs 10/);
  });
});

describe('selection on the primary metric', () => {
  // On the validation rows (8 of class 0, 2 of class 1) configuration `a` predicts class 0 for
  // everything (accuracy 0.8, balanced accuracy 0.5); `b` finds both minority images but misses 3
  // majority ones (accuracy 0.7, balanced accuracy 0.8125, macro-F1 0.670 vs 0.444).
  const valY = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
  const at = (l: number, i: number) => [l * 4 + (i % 3) / 10, 0.5];
  const allZero = matrixFromRows(valY.map((_, i) => at(0, i)));
  const recall = matrixFromRows(valY.map((l, i) => at(i >= 5 ? 1 : l, i)));
  const cands = [{ config: { k: 'a' }, X: signal, Xval: allZero }, { config: { k: 'b' }, X: signal, Xval: recall }];
  it.each([
    ['accuracy', 0], ['balanced_accuracy', 1], ['macro_f1', 1], ['auc', 1],
  ] as [SelectionMetric, number][])('%s chooses configuration %i', (metric, index) => {
    const s = selectModel(cands, y, { ...opts, cCandidates: [1], validationLabels: valY, metric });
    expect(s.index).toBe(index);
    expect(s.metric).toBe(metric);
    expect(selectionRecord(s).selectionMetric).toBe(metric);
  });
  it('inner CV scores the pooled out-of-fold predictions with the metric', () => {
    const acc = selectC(signal, y, { candidates: [1e-6, 1], folds: 5, seed: 1, classifier, metric: 'accuracy' });
    const ba = selectC(signal, y, { candidates: [1e-6, 1], folds: 5, seed: 1, classifier });
    // at C = 1e-6 logistic predicts the majority class (30 of 40): accuracy 0.75, balanced accuracy 0.5
    expect(acc.scores[0].score).toBeCloseTo(0.75, 12);
    expect(ba.scores[0].score).toBeCloseTo(0.5, 12);
    expect(() => selectC(signal, y, { candidates: [1], metric: 'kappa' as SelectionMetric })).toThrow(/unknown selection metric "kappa"/);
  });
});

describe('C grids', () => {
  it('scale with the feature dimension so that C·d is the same for every width', () => {
    const base = [1e-5, 1e-4, 1e-3, 1e-2];
    expect(scaledCandidates(base, C_REFERENCE_DIM)).toEqual(base);
    const narrow = scaledCandidates(base, 320);
    const wide = scaledCandidates(base, 2048);
    narrow.forEach((c, i) => expect(c * 320).toBeCloseTo(wide[i] * 2048, 6));
    expect(narrow[0]).toBeCloseTo(3.2e-5, 12);
    expect(scaledCandidates(base, 320, 'none')).toEqual(base);
    expect(() => scaledCandidates(base, 320, 'log' as never)).toThrow(/cScaling must be one of/);
  });
  it('each configuration may get its own C values; the chosen one and its edge are recorded', () => {
    const s = selectModel([{ config: { tap: 'noise' }, X: noise, cCandidates: [1e-3, 1e-2] }, { config: { tap: 'signal' }, X: signal, cCandidates: [1e-6, 1] }], y, opts);
    expect(s.config).toEqual({ tap: 'signal' });
    expect([s.C, s.cGrid, s.cEdge]).toEqual([1, [1e-6, 1], 'high']);
    // C = 1 scores 1, its neighbour 1e-6 predicts the majority class: a strict edge hit
    expect(s.cEdgeStrict).toBe(true);
    expect(s.scores.map((x) => x.C)).toEqual([1e-3, 1e-2, 1e-6, 1]);
    const inside = selectModel([{ config: {}, X: signal, cCandidates: [1e-7, 1, 1e3] }], y, opts);
    expect(inside.C).toBe(1);
    expect(inside.cEdge).toBe('inside');
    expect(inside.cEdgeStrict).toBe(false);
    // every C scores the same: the tie goes to the smallest C, an edge, but not a strict one
    const tie = selectModel([{ config: {}, X: signal, cCandidates: [1, 10, 100] }], y, opts);
    expect([tie.C, tie.cEdge, tie.cEdgeStrict]).toEqual([1, 'low', false]);
    expect(() => selectModel([{ config: {}, X: signal, cCandidates: [1] }, { config: {}, X: noise }], y, opts)).toThrow(/same number of C values/);
  });
});
