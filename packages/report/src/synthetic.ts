import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '@udtl/datasets';
import { accuracy, balancedAccuracy, jobKey, jobsJsonl, macroF1, predictionsCsv, resultsCsv, type Budget, type JobResult, type RunManifest } from '@udtl/results';
import { mulberry32 } from './stats/index.js';

/**
 * A seeded fake results directory (all four files the runner writes, through the same writers) for
 * tests and the benchmark. Predictions are drawn per sample from each method's skill; results.csv's
 * accuracy, balanced accuracy and macro-F1 are computed from those predictions, so both files agree.
 */
export interface SyntheticOptions {
  seed?: number;
  datasets?: { id: string; classes: string[]; nSamples: number }[];
  /**
   * `skill`: accuracy with all labels; chance level is 1/classes. `foldSkills` (one per CV fold)
   * overrides it per fold, to make fold-to-fold noise or a controlled effect.
   */
  methods?: { id: string; skill: number; foldSkills?: number[] }[];
  /**
   * Methods share one uniform draw per test image (easy and hard images), so their per-fold
   * accuracy difference follows their skill difference closely instead of adding binomial noise.
   */
  correlated?: boolean;
  folds?: number;
  repeats?: number;
  seeds?: number[];
  /** Independent labelled draws per fold (config `draws`). */
  draws?: number;
  /** Written to the manifest's config as the run's primary metric (absent: the report's default). */
  primaryMetric?: string;
  budgets?: Budget[];
  /** Also write one 'official' split evaluation per dataset × method × budget (all datasets, or those listed). */
  official?: boolean | string[];
  /** Keep only this fraction of the jobs (in grid order) and mark the run incomplete. */
  keepFraction?: number;
}

export const SYNTHETIC_DEFAULTS: Required<Omit<SyntheticOptions, 'keepFraction' | 'correlated' | 'draws' | 'primaryMetric'>> = {
  seed: 1,
  datasets: [
    { id: 'brain-tumor-mri', classes: ['glioma_tumor', 'meningioma_tumor', 'no_tumor', 'pituitary_tumor'], nSamples: 240 },
    { id: 'mednist-3000', classes: ['AbdomenCT', 'BreastMRI', 'CXR', 'ChestCT', 'Hand', 'HeadCT'], nSamples: 240 },
    { id: 'breastmnist', classes: ['malignant', 'normal_benign'], nSamples: 200 },
  ],
  methods: [
    { id: 'zero-bias-cae', skill: 0.88 },
    { id: 'transfer-learned', skill: 0.86 },
    { id: 'fine-tuned', skill: 0.9 },
    { id: 'random-backbone', skill: 0.55 },
  ],
  folds: 5,
  repeats: 1,
  seeds: [0],
  budgets: [5, 20, 'all'],
  official: false,
};

const SYNTHETIC_BACKEND = { name: 'wasm', gpu: false };
const FINISHED_AT = '2025-01-01T01:00:00.000Z';

export async function writeSyntheticRun(dir: string, options: SyntheticOptions = {}): Promise<void> {
  const o = { ...SYNTHETIC_DEFAULTS, ...options };
  const rand = mulberry32(o.seed);
  const nDraws = o.draws ?? 1;
  const jobs: JobResult[] = [];
  const grid: { dataset: (typeof o.datasets)[number]; method: (typeof o.methods)[number]; fold: number | 'official'; repeat: number; budget: Budget; seed: number; draw: number }[] = [];
  const hasOfficial = (id: string) => (Array.isArray(o.official) ? o.official.includes(id) : o.official);
  for (const method of o.methods) {
    if (method.foldSkills && method.foldSkills.length < o.folds) throw new Error(`writeSyntheticRun: method ${method.id} has ${method.foldSkills.length} foldSkills for ${o.folds} folds`);
  }
  for (const dataset of o.datasets)
    for (const method of o.methods)
      for (const repeat of [...Array(o.repeats).keys()])
        // The official split is evaluated once, with repeat 0.
        for (const fold of [...Array(o.folds).keys(), ...(repeat === 0 && hasOfficial(dataset.id) ? ['official' as const] : [])])
          for (const budget of o.budgets) for (const seed of o.seeds) for (let draw = 0; draw < nDraws; draw++) grid.push({ dataset, method, fold, repeat, budget, seed, draw });
  // Shared per-image draws for `correlated`, from their own stream so the default output is unchanged.
  const sharedRand = mulberry32(o.seed + 0x5eed);
  const shared = new Map<string, Float64Array>();
  const sharedDraws = (key: string, n: number) => shared.get(key) ?? shared.set(key, Float64Array.from({ length: n }, () => sharedRand())).get(key)!;
  const kept = grid.slice(0, Math.round(grid.length * (o.keepFraction ?? 1)));

  for (const job of kept) {
    const { dataset, method, fold, repeat, budget, seed, draw } = job;
    const k = dataset.classes.length;
    const chance = 1 / k;
    // One test sample in `step` (k-fold: every k-th; 1 fold or official only: every 5th).
    const step = o.folds >= 2 ? o.folds : 5;
    const perClass = Math.round((dataset.nSamples / k) * (1 - 1 / step));
    const labels = budget === 'all' ? perClass : Math.min(budget, perClass);
    const skill = fold !== 'official' && method.foldSkills ? method.foldSkills[fold] : method.skill;
    const target = chance + (skill - chance) * (1 - Math.exp(-labels / 8));
    // The official split uses fold 0's test samples.
    const f = fold === 'official' ? 0 : fold;
    const draws = options.correlated ? sharedDraws(`${dataset.id}|${fold}|${repeat}|${seed}${draw ? `|${draw}` : ''}`, dataset.nSamples) : undefined;
    const truth: number[] = [], pred: number[] = [], ids: string[] = [], proba: number[][] = [];
    for (let i = f; i < dataset.nSamples; i += step) {
      const t = i % k;
      const p = (draws ? draws[i] : rand()) < target ? t : (t + 1 + Math.floor(rand() * (k - 1))) % k;
      truth.push(t); pred.push(p); ids.push(`img_${i}`);
      proba.push(dataset.classes.map((_, c) => (c === p ? 0.5 + 0.5 / k : 0.5 / k)));
    }
    const fitSeconds = 2 + 3 * rand() + (method.id === 'fine-tuned' ? 20 : 0);
    const predictSeconds = 0.5 + rand();
    const acc = accuracy(truth, pred);
    const metrics = {
      accuracy: acc, balanced_accuracy: balancedAccuracy(truth, pred), macro_f1: macroF1(truth, pred),
      auc: Math.min(1, acc + 0.05 + 0.02 * rand()),
      fit_seconds: fitSeconds, predict_seconds: predictSeconds, n_labelled: labels * k, n_test: truth.length,
    };
    const coords = { dataset: dataset.id, method: method.id, fold, repeat, budget, seed, draw };
    jobs.push({
      ...coords, key: jobKey(coords), status: 'ok', methodId: method.id, params: {}, chosen: syntheticChosen(method.id, f, labels),
      backend: SYNTHETIC_BACKEND, fitSeconds, predictSeconds, finishedAt: FINISHED_AT, metrics, classNames: dataset.classes, predictions: { ids, truth, proba },
    });
  }

  const complete = kept.length === grid.length;
  const manifest: RunManifest = {
    runId: `synthetic-${o.seed}`,
    configHash: 'synthetic',
    config: { synthetic: true, folds: o.folds, repeats: o.repeats, budgets: o.budgets, seeds: o.seeds, ...(o.draws ? { draws: o.draws } : {}), ...(o.primaryMetric ? { primaryMetric: o.primaryMetric } : {}), methods: o.methods.map((m) => m.id) },
    methodParams: {},
    gitCommit: 'synthetic',
    executor: 'synthetic',
    backend: SYNTHETIC_BACKEND,
    versions: { node: process.version, tfjs: '4.22.0' },
    datasets: o.datasets.map((d) => ({ id: d.id, contentHash: `hash-${d.id}`, nSamples: d.nSamples, classes: d.classes, dropped: 0 })),
    weights: [{ backbone: 'mobilenet_v2_1.0_224', hash: 'hash-weights' }],
    machine: { cores: 2, memoryGiB: 24, platform: 'linux', cpuModel: 'synthetic' },
    startedAt: '2025-01-01T00:00:00.000Z',
    endedAt: FINISHED_AT,
    wallSeconds: 3600,
    jobs: { total: grid.length, done: kept.length, failed: 0 },
    failures: [],
    complete,
  };
  await mkdir(dir, { recursive: true });
  await atomicWriteFile(join(dir, 'results.csv'), resultsCsv(jobs));
  await atomicWriteFile(join(dir, 'predictions.csv'), predictionsCsv(jobs));
  await atomicWriteFile(join(dir, 'jobs.jsonl'), jobsJsonl(jobs));
  await atomicWriteFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

/** Plausible values a method records from its inner validation (deterministic: no draw from the shared stream). */
function syntheticChosen(method: string, fold: number, labels: number): Record<string, unknown> {
  const candidates = [0.01, 0.1, 1, 10];
  const C = candidates[(fold + Math.round(Math.log2(labels))) % candidates.length];
  if (method === 'random-backbone') return {};
  if (method === 'fine-tuned') return { epochs: 4 + (fold % 3), converged: fold !== 1, stepCapHit: fold === 1 };
  if (method !== 'zero-bias-cae') return { C, innerFolds: Math.min(5, labels), scores: candidates.map((c) => ({ config: {}, C: c, balancedAccuracy: c === C ? 0.8 : 0.7 })) };
  return { C, theta: fold % 2 ? 0.5 : 1, caeLossHistory: Array.from({ length: 10 }, (_, e) => Number((0.5 * 0.8 ** e + 0.05).toFixed(4))) };
}
