import { describe, expect, it } from 'vitest';
import { balancedAccuracy, createClassifier, matrixFromRows, selectC, selectModel, selectionRecord } from '../src/classifiers/index.js';
import { gridConfigs } from '../src/method/grid.js';

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
    expect(s.scores.map((x) => x.balancedAccuracy)).toEqual(c.scores.map((x) => x.balancedAccuracy));
    expect([s.protocol, s.candidates, s.folds, s.index]).toEqual(['inner-cv', 2, 5, 0]);
  });

  it('finds the informative configuration wherever it is listed, scoring every (configuration, C)', () => {
    const s = selectModel([{ config: { tap: 'noise' }, X: noise }, { config: { tap: 'signal' }, X: signal }], y, opts);
    expect(s.index).toBe(1);
    expect(s.config).toEqual({ tap: 'signal' });
    expect(s.C).toBe(1);
    expect(s.candidates).toBe(4);
    expect(s.scores).toHaveLength(4);
    expect(s.scores[3]).toEqual({ config: { tap: 'signal' }, C: 1, balancedAccuracy: 1 });
    // the noise columns cannot beat chance by much on pooled out-of-fold predictions
    expect(Math.max(s.scores[0].balancedAccuracy, s.scores[1].balancedAccuracy)).toBeLessThan(0.75);
  });

  it('breaks ties towards the earlier configuration, then the smaller C', () => {
    const s = selectModel([{ config: { k: 'a' }, X: signal }, { config: { k: 'b' }, X: signal }], y, { ...opts, cCandidates: [1, 10] });
    expect(s.scores.every((x) => x.balancedAccuracy === 1)).toBe(true);
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
    expect(s.scores[1].balancedAccuracy).toBe(balancedAccuracy(valY, predicted));
    expect(s.scores[0].balancedAccuracy).toBe(0);
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

describe('gridConfigs', () => {
  const params = { theta: 1, layers: 1, classifier: 'linear-svm' };
  it('overrides the base parameters per entry', () => {
    expect(gridConfigs('m', params, [{}, { theta: 0.5 }], ['theta', 'layers'])).toEqual([params, { ...params, theta: 0.5 }]);
  });
  it('names an untunable key, a bad entry and an empty grid', () => {
    expect(() => gridConfigs('m', params, [{ classifier: 'logistic' }], ['theta'])).toThrow(/m: grid entry 0 sets 'classifier', which is not tunable; tunable parameters: theta/);
    expect(() => gridConfigs('m', params, [{}, 3], ['theta'])).toThrow(/grid entry 1 must be an object/);
    expect(() => gridConfigs('m', params, [], ['theta'])).toThrow(/non-empty list/);
  });
});
