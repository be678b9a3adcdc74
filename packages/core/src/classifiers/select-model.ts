/**
 * Model selection over feature configurations × C: the one procedure every linear-probe method
 * (zero-bias-cae and the baselines) uses, so each gets the same protocol and a comparable budget
 * of candidate configurations (`candidates` = configurations × C values, recorded per fit).
 */
import type { Matrix } from './matrix.js';
import { createClassifier, type ClassifierOptions } from './registry.js';
import { better, selectC } from './select-c.js';
import { DEFAULT_SELECTION_METRIC, checkSelectionMetric, selectionScore, type SelectionMetric } from './selection-metric.js';

export interface FeatureCandidate {
  /** What distinguishes this configuration (recorded), e.g. `{ tap: 'out_relu' }`; `{}` = the base parameters. */
  config: Record<string, unknown>;
  /** Features of the labelled images (rows in label order). */
  X: Matrix;
  /** Features of the validation images, when selecting on a validation set. */
  Xval?: Matrix;
  /** C values for this configuration (e.g. scaled to its feature dimension); default: the options' list. */
  cCandidates?: number[];
}

export interface SelectModelOptions {
  cCandidates: number[];
  /** Inner CV folds (ignored when a validation set is given). */
  folds: number;
  seed: number;
  classifier: Omit<ClassifierOptions, 'C'>;
  /** Labels of the validation images: select on them instead of inner CV (official splits). */
  validationLabels?: ArrayLike<number>;
  /** As selectC: the inner CV runs on a stratified subsample of at most this many rows. */
  maxSamples?: number;
  /** What candidates are scored on (the experiment's primary metric). Default balanced accuracy. */
  metric?: SelectionMetric;
}

export type SelectionProtocol = 'inner-cv' | 'validation' | 'fallback';

export interface ModelSelection {
  /** Index of the chosen configuration in the candidates. */
  index: number;
  config: Record<string, unknown>;
  C: number;
  protocol: SelectionProtocol;
  /** Candidate configurations tried: configurations × C values. */
  candidates: number;
  /** The selection metric of every (configuration, C) on the inner CV or the validation set. */
  scores: { config: Record<string, unknown>; C: number; score: number }[];
  metric: SelectionMetric;
  /** The C values the chosen configuration was offered (ascending), to count choices at an edge of the grid. */
  cGrid: number[];
  /** Where the chosen C lies in its grid: 'low' / 'high' edge, 'inside', or 'none' (a one-value grid or the fallback). */
  cEdge: 'low' | 'high' | 'inside' | 'none';
  /**
   * The chosen C is at an edge and strictly beats its neighbour in the grid: the optimum may lie
   * outside the grid. (An edge reached by a tie, e.g. every C scoring the same on a few labels, is not.)
   */
  cEdgeStrict: boolean;
  /** Inner folds used (0 with a validation set or the fallback). */
  folds: number;
}

/**
 * Chooses the configuration and C with the best selection metric (default balanced accuracy), either by stratified inner CV on
 * the labelled rows (identical folds for every configuration: they depend on labels and seed only)
 * or on a given validation set (fit on all labelled rows). Ties go to the earlier configuration,
 * then to the smaller C. With too few labels for an inner CV the first configuration and selectC's
 * fallback C are taken.
 */
export function selectModel(candidates: FeatureCandidate[], labels: ArrayLike<number>, o: SelectModelOptions): ModelSelection {
  if (!candidates.length) throw new Error('selectModel: no candidate configurations');
  const metric = checkSelectionMetric(o.metric ?? DEFAULT_SELECTION_METRIC);
  const grids = candidates.map((c) => c.cCandidates ?? o.cCandidates);
  if (!grids[0].length) throw new Error('selectModel: cCandidates must list at least one C');
  if (grids.some((g) => g.length !== grids[0].length)) {
    throw new Error(`selectModel: every configuration needs the same number of C values (got ${grids.map((g) => g.length).join(', ')})`);
  }
  const perConfig = grids[0].length;
  const total = candidates.length * perConfig;
  const scores: ModelSelection['scores'] = [];
  let protocol: SelectionProtocol;
  let folds = 0;
  if (o.validationLabels) {
    protocol = 'validation';
    for (const [k, { config, X, Xval }] of candidates.entries()) {
      if (!Xval) throw new Error(`selectModel: configuration ${JSON.stringify(config)} has no validation features`);
      if (Xval.rows !== o.validationLabels.length) throw new Error(`selectModel: ${Xval.rows} validation rows for ${o.validationLabels.length} labels`);
      for (const C of grids[k]) {
        const model = createClassifier({ ...o.classifier, C }).fit(X, labels);
        scores.push({ config, C, score: selectionScore(metric, o.validationLabels, model.predictProba(Xval), model.classes!) });
      }
    }
  } else {
    protocol = 'inner-cv';
    for (const [k, { config, X }] of candidates.entries()) {
      const s = selectC(X, labels, { candidates: grids[k], folds: o.folds, seed: o.seed, classifier: o.classifier, maxSamples: o.maxSamples, metric });
      if (s.folds === 0) {
        return { index: 0, config: candidates[0].config, C: s.C, protocol: 'fallback', candidates: total, scores: [], metric, cGrid: ascending(grids[0]), cEdge: 'none', cEdgeStrict: false, folds: 0 };
      }
      folds = s.folds;
      for (const { C, score } of s.scores) scores.push({ config, C, score });
    }
  }
  let best = 0;
  for (let i = 1; i < scores.length; i++) {
    const [a, b] = [scores[i], scores[best]];
    // Strictly better wins; on a tie the earlier configuration stays, and within it the smaller C.
    if (better(a.score, b.score) || (a.score === b.score && a.config === b.config && a.C < b.C)) best = i;
  }
  const index = Math.floor(best / perConfig);
  const cGrid = ascending(grids[index]);
  const cEdge = edgeOf(scores[best].C, cGrid);
  const scoreAt = (C: number) => scores.find((x) => x.config === candidates[index].config && x.C === C)!.score;
  const neighbour = cEdge === 'low' ? cGrid[1] : cEdge === 'high' ? cGrid[cGrid.length - 2] : undefined;
  const cEdgeStrict = neighbour !== undefined && better(scores[best].score, scoreAt(neighbour));
  return { index, config: candidates[index].config, C: scores[best].C, protocol, candidates: total, scores, metric, cGrid, cEdge, cEdgeStrict, folds };
}

const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);

function edgeOf(C: number, grid: number[]): ModelSelection['cEdge'] {
  if (grid.length < 2) return 'none';
  return C === grid[0] ? 'low' : C === grid.at(-1) ? 'high' : 'inside';
}

/** What a fitted model records of its selection in `chosen()` (JSON-safe). */
export function selectionRecord(s: ModelSelection): Record<string, unknown> {
  const round = (v: number) => (Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : null);
  return {
    C: s.C,
    config: s.config,
    selection: s.protocol,
    selectionMetric: s.metric,
    candidates: s.candidates,
    innerFolds: s.folds,
    cGrid: s.cGrid,
    cEdge: s.cEdge,
    cEdgeStrict: s.cEdgeStrict,
    scores: s.scores.map((x) => ({ ...x, score: round(x.score) })),
  };
}
