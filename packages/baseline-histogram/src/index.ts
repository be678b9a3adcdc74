/**
 * A worked example of adding a baseline as its own workspace package (see the root README, "Adding
 * a baseline"): importing this module registers the method `intensity-histogram`. It uses core's
 * `fitProbe`, so it gets the project's model selection: a grid of 2 configurations × 6 C values
 * chosen inside the training fold (or on an official val split), like every built-in method. Its
 * parameters are declared once, as a zod object (core passes `z` on), and checked by createMethod.
 */
import { defineMethod, expandGrid, fitProbe, matrixFromRows, param, probeParams, registerMethod, z, type FittedModel, type Method, type MethodSpec, type ProbeParams } from '@udtl/core';
import { featuresOf } from './features.js';

export { imageFeatures, featuresOf, type HistogramParams } from './features.js';

export type IntensityHistogramParams = ProbeParams & {
  bins: number;
  cells: number;
  /** Configurations chosen among with C (overrides of bins and cells). */
  grid: Record<string, unknown>[];
};

const { classifier, cCandidates, innerFolds } = probeParams({ classifier: 'logistic', cCandidates: [0.001, 0.01, 0.1, 1, 10, 100], innerFolds: 3 });

export const intensityHistogram: MethodSpec<IntensityHistogramParams> = defineMethod<IntensityHistogramParams>({
  id: 'intensity-histogram',
  description: 'Grey-level histogram + coarse mean-intensity grid + logistic regression (no deep features): a floor any learned feature should beat',
  params: z.object({
    bins: param.wholeNumber(2).default(32).describe('histogram bins over 0..255'),
    cells: param.wholeNumber(1).default(4).describe('cells × cells regions of mean intensity'),
    classifier,
    cCandidates: cCandidates.describe('C values tried with every grid configuration'),
    innerFolds,
    grid: param.grid().default([{}, { bins: 16, cells: 2 }]).describe('configurations (overrides of bins, cells) chosen among with C inside the training fold'),
  }),
  tunable: ['bins', 'cells'],
  // `p` has passed the schema above, every grid configuration included (createMethod checks it).
  build(p) {
    const configs = expandGrid(p, p.grid);
    const method: Method = {
      id: 'intensity-histogram',
      params: p,
      async fit({ labelled, validation }, ctx): Promise<FittedModel> {
        const classes = new Set(labelled.labels);
        if (classes.size < 2) throw new Error(`intensity-histogram: the labelled set has ${classes.size} class(es); need at least 2`);
        const candidates = configs.map((c, k) => ({
          config: p.grid[k],
          features: async (images: Parameters<typeof featuresOf>[0]) => matrixFromRows(await featuresOf(images, c)),
        }));
        return fitProbe({ methodId: 'intensity-histogram', candidates, labelled, validation, params: p, seed: ctx.seed });
      },
    };
    return method;
  },
});

registerMethod(intensityHistogram);
