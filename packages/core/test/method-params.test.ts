import { describe, expect, it } from 'vitest';
import { defaultsOf, docsOf, expandGrid, param, parseMethodParams, withDefaults, withDocs, z } from '../src/method/params.js';

const shape = {
  theta: param.nonNegative().default(1).describe('threshold'),
  layers: param.wholeNumber(1).default(1).describe('layers'),
  classifier: param.oneOf(['linear-svm', 'logistic']).default('linear-svm').describe('classifier'),
  grid: param.grid().default([{}]).describe('configurations'),
};
const schema = z.object(shape).superRefine((p, ctx) => {
  if (p.layers > 3) ctx.addIssue({ code: 'custom', path: ['layers'], message: 'must be ≤ 3 here' });
});
const parse = (params: Record<string, unknown>) => parseMethodParams('m', schema, params, ['theta', 'layers']);

describe('method parameters declared once', () => {
  it('defaults and docs are read from the schema; withDefaults/withDocs keep the rest', () => {
    expect(defaultsOf(schema)).toEqual({ theta: 1, layers: 1, classifier: 'linear-svm', grid: [{}] });
    expect(docsOf(schema)).toEqual({ theta: 'threshold', layers: 'layers', classifier: 'classifier', grid: 'configurations' });
    const changed = z.object(withDocs(withDefaults(shape, { theta: 0.5 }), { layers: 'stacked layers' }));
    expect(defaultsOf(changed)).toMatchObject({ theta: 0.5, layers: 1 });
    expect(docsOf(changed)).toMatchObject({ theta: 'threshold', layers: 'stacked layers' });
    expect(() => changed.parse({ theta: -1 })).toThrow(/must be ≥ 0/);
    expect(() => withDefaults(shape, { nope: 1 } as never)).toThrow(/'nope' is not a parameter with a default/);
  });

  it('merges over the defaults and names the method, the parameter, the rule and the value', () => {
    expect(parse({ theta: 0.5 })).toEqual({ theta: 0.5, layers: 1, classifier: 'linear-svm', grid: [{}] });
    expect(() => parse({ thetaa: 1 })).toThrow(/Unknown parameter 'thetaa' for method 'm'. Known parameters: theta, layers, classifier, grid/);
    expect(() => parse({ layers: 1.5 })).toThrow(/^m: layers must be a whole number ≥ 1, got 1.5$/);
    expect(() => parse({ classifier: 'svm' })).toThrow(/^m: classifier must be one of linear-svm, logistic, got "svm"$/);
    expect(() => parse({ layers: 4 })).toThrow(/^m: layers must be ≤ 3 here, got 4$/);
  });

  it('checks every grid configuration: tunable keys, entries, and the values they make', () => {
    expect(() => parse({ grid: [{ classifier: 'logistic' }] })).toThrow(/m: grid entry 0 sets 'classifier', which is not tunable; tunable parameters: theta, layers/);
    expect(() => parse({ grid: [{}, { theta: -1 }] })).toThrow(/^m: grid entry 1: theta must be ≥ 0, got -1$/);
    expect(() => parse({ grid: [{}, { layers: 9 }] })).toThrow(/^m: grid entry 1: layers must be ≤ 3 here, got 9$/);
    expect(() => parse({ grid: [] })).toThrow(/grid must be a non-empty list of parameter overrides/);
    expect(() => parse({ grid: [{}, 3] })).toThrow(/grid entries must be objects of parameter overrides/);
    const p = parse({ grid: [{}, { theta: 0.5 }] });
    expect(expandGrid(p, p.grid as Record<string, unknown>[])).toEqual([p, { ...p, theta: 0.5 }]);
  });
});
