import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { ImageSet } from '@udtl/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogisticRegression, type Matrix } from '../src/classifiers/index.js';
import {
  checkBeatsChance, checkChosenSerialisable, checkMethod, checkProbabilities, createMethod, defineMethod, getMethodSpec, param, z,
  inMemoryImageSet, listMethods, METHOD_CHECKS, MethodCheckError, registerMethod, syntheticImageProblem,
  unregisterMethod, type FitData, type FittedModel, type Method, type MethodSpec,
} from '../src/method/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Flaw = 'none' | 'leak' | 'rows' | 'nondeterministic' | 'batch' | 'chosen' | 'single-class' | 'chance';
interface ToyParams extends Record<string, unknown> { C: number; flaw: Flaw }
let fitCounter = 0;

/** Per-image mean of each colour channel, computed with tfjs in batches (tensors freed). */
async function meanColour(images: ImageSet, flaw: Flaw): Promise<Matrix> {
  const data = new Float64Array(images.ids.length * 3);
  let row = 0;
  for await (const batch of images.batches(4)) {
    const t = tf.tidy(() => {
      const pixels = tf.tensor4d(batch.data, [batch.n, batch.height, batch.width, 3], 'int32');
      let f = tf.div(tf.mean(tf.cast(pixels, 'float32'), [1, 2]), 255);
      if (flaw === 'batch') f = tf.sub(f, tf.mean(f, 0)); // depends on which images share the batch
      return f;
    });
    data.set(await t.data(), row * 3);
    if (flaw !== 'leak') t.dispose();
    row += batch.n;
  }
  return { rows: images.ids.length, cols: 3, data };
}

/** Mean colour + logistic regression: a correct Method unless a flaw is switched on. */
class ToyMethod implements Method {
  readonly id = 'toy-mean-colour';
  constructor(readonly params: ToyParams) {}
  async fit(data: FitData): Promise<FittedModel> {
    const { C, flaw } = this.params;
    const X = await meanColour(data.labelled.images, flaw);
    if (flaw === 'nondeterministic') X.data[0] += ++fitCounter;
    let clf: LogisticRegression;
    try {
      clf = new LogisticRegression({ C }).fit(X, data.labelled.labels);
    } catch (err) {
      if (flaw !== 'single-class') throw err;
      clf = new LogisticRegression({ C }).fit({ rows: 2, cols: 3, data: new Float64Array(6) }, [0, 1]);
    }
    const held = tf.scalar(1); // model state living in a tensor, freed by dispose()
    const nClasses = data.labelled.classNames.length;
    return {
      predictProba: async (images) => {
        if (flaw === 'chance') return images.ids.map(() => Array(nClasses).fill(1 / nClasses));
        const p = clf.predictProba(await meanColour(images, flaw));
        const rows: number[][] = [];
        for (let i = 0; i < p.rows; i++) rows.push(Array.from(p.data.subarray(i * p.cols, (i + 1) * p.cols), (v) => (flaw === 'rows' ? v * 0.9 : v)));
        return rows;
      },
      chosen: () => (flaw === 'chosen' ? { C, weights: Float64Array.from(clf.coef!) } : { C, iterations: clf.nIter }),
      dispose: () => held.dispose(),
    };
  }
}

const toySpec: MethodSpec<ToyParams> = defineMethod<ToyParams>({
  id: 'toy-mean-colour',
  description: 'Mean colour per channel + logistic regression (test fixture)',
  params: z.object({
    C: param.positive().default(1).describe('inverse regularisation'),
    flaw: param.oneOf(['none', 'leak', 'rows', 'nondeterministic', 'batch', 'chosen', 'single-class', 'chance']).default('none').describe('deliberate bug to inject'),
  }),
  build: (params) => new ToyMethod(params),
});

describe('method registry', () => {
  it('registers, lists, creates with defaults merged, and rejects unknown ids and params', () => {
    registerMethod(toySpec);
    expect(listMethods()).toContain('toy-mean-colour');
    expect(getMethodSpec('toy-mean-colour').description).toMatch(/Mean colour/);
    expect(createMethod('toy-mean-colour', { C: 0.5 }).params).toEqual({ C: 0.5, flaw: 'none' });
    expect(createMethod('toy-mean-colour').params).toEqual({ C: 1, flaw: 'none' });
    expect(() => getMethodSpec('nope')).toThrow(/Unknown method 'nope'. Known methods: .*toy-mean-colour/);
    expect(() => createMethod('toy-mean-colour', { c: 2 })).toThrow(/Unknown parameter 'c' for method 'toy-mean-colour'. Known parameters: C, flaw/);
    expect(() => createMethod('toy-mean-colour', { C: 0 })).toThrow(/toy-mean-colour: C must be > 0, got 0/);
    expect(() => createMethod('toy-mean-colour', { flaw: 'typo' })).toThrow(/toy-mean-colour: flaw must be one of none, leak, .*chance, got "typo"/);
    expect(getMethodSpec('toy-mean-colour').paramDocs).toEqual({ C: 'inverse regularisation', flaw: 'deliberate bug to inject' });
    expect(() => registerMethod({ ...toySpec, id: 'toy-2', params: { C: 1 } } as never)).toThrow(/spec.params must be a zod object/);
    expect(() => registerMethod(toySpec)).toThrow(/already registered/);
    registerMethod({ ...toySpec, description: 'replaced' }, { replace: true });
    expect(getMethodSpec('toy-mean-colour').description).toBe('replaced');
    expect(() => registerMethod({ ...toySpec, id: 'Bad Id' })).toThrow(/lower-case name/);
    unregisterMethod('toy-mean-colour');
    expect(listMethods()).not.toContain('toy-mean-colour');
  });
});

describe('inMemoryImageSet and syntheticImageProblem', () => {
  const px = Uint8Array.from({ length: 3 * 2 * 2 * 3 }, (_, i) => i);
  const set = inMemoryImageSet({ datasetId: 'mem', ids: ['a', 'b', 'c'], data: px, height: 2, width: 2 });

  it('hashes each image\'s pixels with sha256 and batches / subsets in the asked order', async () => {
    const expected = createHash('sha256').update(px.subarray(12, 24)).digest('hex');
    expect(set.hashes[1]).toBe(expected);
    const batches = [];
    for await (const b of set.subset(['c', 'a']).batches(1)) batches.push(b);
    expect(batches.map((b) => b.ids)).toEqual([['c'], ['a']]);
    expect(Array.from(batches[0].data)).toEqual(Array.from(px.subarray(24, 36)));
    expect(set.subset(['c', 'a']).datasetHash).toBe(set.datasetHash);
  });

  it('rejects bad sizes, duplicate and unknown ids, bad batch sizes', async () => {
    expect(() => inMemoryImageSet({ datasetId: 'm', ids: ['a'], data: px, height: 2, width: 2 })).toThrow(/36 bytes, expected 1 images/);
    expect(() => inMemoryImageSet({ datasetId: 'm', ids: ['a', 'a', 'b'], data: px, height: 2, width: 2 })).toThrow(/duplicate id 'a'/);
    expect(() => set.subset(['zz'])).toThrow(/unknown image id 'zz'/);
    await expect(set.batches(0)[Symbol.asyncIterator]().next()).rejects.toThrow(/positive integer/);
  });

  it('synthetic problem: seeded, balanced, seed-dependent', () => {
    const a = syntheticImageProblem({ classes: 4, perClass: 5, height: 8, width: 8, seed: 2 });
    const b = syntheticImageProblem({ classes: 4, perClass: 5, height: 8, width: 8, seed: 2 });
    const c = syntheticImageProblem({ classes: 4, perClass: 5, height: 8, width: 8, seed: 3 });
    expect(a.images.hashes).toEqual(b.images.hashes);
    expect(a.images.datasetHash).not.toBe(c.images.datasetHash);
    expect([0, 1, 2, 3].map((k) => a.labels.filter((l) => l === k).length)).toEqual([5, 5, 5, 5]);
    expect(a.classNames).toHaveLength(4);
  });
});

describe('individual checks', () => {
  it('checkProbabilities catches shape, NaN and row sums', () => {
    expect(() => checkProbabilities([[0.5, 0.5]], 1, 2)).not.toThrow();
    expect(() => checkProbabilities([[0.5, 0.5]], 2, 2)).toThrow(/expected 2 rows, got 1/);
    expect(() => checkProbabilities([[1]], 1, 2)).toThrow(/row 0 has 1 values, expected 2/);
    expect(() => checkProbabilities([[NaN, 1]], 1, 2)).toThrow(/NaN is not a probability/);
    expect(() => checkProbabilities([[0.5, 0.49]], 1, 2)).toThrow(/sums to 0.99/);
  });
  it('checkChosenSerialisable and checkBeatsChance', () => {
    expect(() => checkChosenSerialisable({ C: 1, layers: [1, 2], tap: 'x' })).not.toThrow();
    expect(() => checkChosenSerialisable({ C: NaN })).toThrow(/does not survive JSON/);
    expect(() => checkChosenSerialisable(new Map())).toThrow(/plain object/);
    expect(checkBeatsChance([[0.9, 0.1], [0.2, 0.8]], [0, 1], 2)).toEqual({ accuracy: 1, balancedAccuracy: 1 });
    expect(() => checkBeatsChance([[0.9, 0.1], [0.8, 0.2]], [0, 1], 2)).toThrow(/balanced accuracy 0.500/);
  });
});

describe('checkMethod', () => {
  it('passes a correct method (spec + params) and reports every check', async () => {
    const before = tf.memory().numTensors;
    const report = await checkMethod(toySpec, { params: { C: 10 } });
    expect(report.passed).toEqual([...METHOD_CHECKS]);
    expect(report.methodId).toBe('toy-mean-colour');
    expect(report.balancedAccuracy).toBeGreaterThan(0.9);
    expect(report.chosen).toMatchObject({ C: 10 });
    expect([report.nLabelled, report.nUnlabelled, report.nTest]).toEqual([15, 15, 18]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts a caller-provided fixture (4 classes, 48 px)', async () => {
    const fixture = syntheticImageProblem({ classes: 4, perClass: 6, height: 48, width: 48, seed: 5 });
    const report = await checkMethod(() => new ToyMethod({ C: 10, flaw: 'none' }), { fixture });
    expect(report.nClasses).toBe(4);
    expect(report.nTest).toBe(8);
  });

  it('calls prepare() once on every fixture image before fitting', async () => {
    const seen: string[][] = [];
    const report = await checkMethod(() => {
      const m = new ToyMethod({ C: 10, flaw: 'none' }) as Method;
      return Object.assign(m, { prepare: async (images: ImageSet) => void seen.push(images.ids) });
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(report.nLabelled + report.nUnlabelled + report.nTest);
  });

  const broken: [Flaw, string, RegExp][] = [
    ['leak', 'dispose-frees-tensors', /numTensors went from \d+ to \d+ \(leaked/],
    ['rows', 'probabilities', /sums to 0.9/],
    ['nondeterministic', 'deterministic', /two fits with seed 0/],
    ['batch', 'batch-independence', /reverse order|pieces/],
    ['chosen', 'chosen-serialisable', /does not survive JSON/],
    ['single-class', 'rejects-single-class', /accepted a labelled set with a single class/],
    ['chance', 'beats-chance', /not above chance/],
  ];
  for (const [flaw, check, message] of broken) {
    it(`catches a method with flaw '${flaw}' in check '${check}'`, async () => {
      const before = tf.memory().numTensors;
      const err = await checkMethod(() => new ToyMethod({ C: 10, flaw })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MethodCheckError);
      expect((err as MethodCheckError).check).toBe(check);
      expect((err as Error).message).toMatch(message);
      if (flaw !== 'leak') expect(tf.memory().numTensors).toBe(before);
    });
  }
});
