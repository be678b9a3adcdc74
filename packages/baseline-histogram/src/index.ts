/**
 * A worked example of adding a baseline as its own workspace package (see the root README, "Adding
 * a baseline"): importing this module registers the method `intensity-histogram`. It uses core's
 * `fitProbe`, so it gets the project's model selection: a grid of 2 configurations × 4 C values
 * chosen inside the training fold (or on an official val split), like every built-in method.
 */
import { fitProbe, gridConfigs, matrixFromRows, registerMethod, type FittedModel, type Method, type MethodSpec, type ProbeParams } from '@udtl/core';
import { featuresOf } from './features.js';

export { imageFeatures, featuresOf, type HistogramParams } from './features.js';

export type IntensityHistogramParams = ProbeParams & {
  bins: number;
  cells: number;
  /** Configurations chosen among with C (overrides of bins and cells). */
  grid: Record<string, unknown>[];
};

export const intensityHistogram: MethodSpec<IntensityHistogramParams> = {
  id: 'intensity-histogram',
  description: 'Grey-level histogram + coarse mean-intensity grid + logistic regression (no deep features): a floor any learned feature should beat',
  defaults: { bins: 32, cells: 4, classifier: 'logistic', cCandidates: [0.01, 0.1, 1, 10], innerFolds: 3, grid: [{}, { bins: 16, cells: 2 }] },
  paramDocs: {
    bins: 'histogram bins over 0..255',
    cells: 'cells × cells regions of mean intensity',
    classifier: "classifier after a StandardScaler ('logistic' or 'linear-svm')",
    cCandidates: 'C values tried with every grid configuration',
    innerFolds: 'inner CV folds',
    grid: 'configurations (overrides of bins, cells) chosen among with C inside the training fold',
  },
  create(params = {}) {
    const p = { ...intensityHistogram.defaults, ...params };
    const configs = gridConfigs(intensityHistogram.id, p, p.grid, ['bins', 'cells']);
    for (const c of configs) {
      if (!(Number.isInteger(c.bins) && c.bins >= 2)) throw new Error(`intensity-histogram: bins must be an integer ≥ 2, got ${c.bins}`);
      if (!(Number.isInteger(c.cells) && c.cells >= 1)) throw new Error(`intensity-histogram: cells must be an integer ≥ 1, got ${c.cells}`);
    }
    const method: Method = {
      id: intensityHistogram.id,
      params: p,
      async fit({ labelled, validation }, ctx): Promise<FittedModel> {
        const classes = new Set(labelled.labels);
        if (classes.size < 2) throw new Error(`intensity-histogram: the labelled set has ${classes.size} class(es); need at least 2`);
        const candidates = configs.map((c, k) => ({
          config: p.grid[k],
          features: async (images: Parameters<typeof featuresOf>[0]) => matrixFromRows(await featuresOf(images, c)),
        }));
        return fitProbe({ methodId: intensityHistogram.id, candidates, labelled, validation, params: p, seed: ctx.seed });
      },
    };
    return method;
  },
};

registerMethod(intensityHistogram);
