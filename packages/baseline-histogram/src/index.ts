/**
 * A worked example of adding a baseline as its own workspace package (see the README, "Adding a
 * baseline"): importing this module registers the method `intensity-histogram`.
 */
import { classProbabilities, createClassifier, matrixFromRows, registerMethod, selectC, type FittedModel, type Method, type MethodSpec } from '@udtl/core';
import { featuresOf } from './features.js';

export { imageFeatures, featuresOf, type HistogramParams } from './features.js';

export interface IntensityHistogramParams extends Record<string, unknown> {
  bins: number;
  grid: number;
  /** Candidate values of the logistic regression's C, chosen by inner CV on the labelled images. */
  Cs: number[];
}

export const intensityHistogram: MethodSpec<IntensityHistogramParams> = {
  id: 'intensity-histogram',
  description: 'Grey-level histogram + coarse mean-intensity grid + logistic regression (no deep features): a floor any learned feature should beat',
  defaults: { bins: 32, grid: 4, Cs: [0.01, 0.1, 1, 10, 100] },
  paramDocs: { bins: 'histogram bins over 0..255', grid: 'grid × grid cells of mean intensity', Cs: 'C candidates for inner-CV selection' },
  create(params = {}) {
    const p = { ...intensityHistogram.defaults, ...params };
    if (!(Number.isInteger(p.bins) && p.bins >= 2)) throw new Error(`intensity-histogram: bins must be an integer ≥ 2, got ${p.bins}`);
    if (!(Number.isInteger(p.grid) && p.grid >= 1)) throw new Error(`intensity-histogram: grid must be an integer ≥ 1, got ${p.grid}`);
    const method: Method = {
      id: intensityHistogram.id,
      params: p,
      async fit({ labelled }, ctx): Promise<FittedModel> {
        const classes = new Set(labelled.labels);
        if (classes.size < 2) throw new Error(`intensity-histogram: the labelled set has ${classes.size} class(es); need at least 2`);
        const X = matrixFromRows(await featuresOf(labelled.images, p));
        const { C } = selectC(X, labelled.labels, { candidates: p.Cs, seed: ctx.seed, classifier: { kind: 'logistic', standardize: true } });
        const classifier = createClassifier({ kind: 'logistic', C, standardize: true, seed: ctx.seed }).fit(X, labelled.labels);
        const nClasses = labelled.classNames.length;
        return {
          async predictProba(images) {
            return classProbabilities(classifier, matrixFromRows(await featuresOf(images, p)), nClasses);
          },
          chosen: () => ({ C }),
          dispose() {},
        };
      },
    };
    return method;
  },
};

registerMethod(intensityHistogram);
