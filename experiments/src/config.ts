import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BUDGET_RULE, isBudget, PRIMARY_METRICS, type Budget } from '@udtl/results';
import { z } from 'zod';

/** A dataset by registered id, or declared inline by path for a user's own data. */
const DatasetRef = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1),
    /** Image folder (class per folder or labels.csv) or MedMNIST-style .npz, relative to the config file. */
    path: z.string().min(1).optional(),
  }),
]);

const MethodRef = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1),
    /** Label shown in results when the same method runs twice with different parameters. */
    name: z.string().min(1).optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Workspace or npm package that registers this method when imported (e.g. '@udtl/baseline-knn'). */
    package: z.string().min(1).optional(),
  }),
]);

/** A label budget (@udtl/results' `Budget`); a bad one is named with what is allowed. */
const LabelBudgetSchema = z.custom<Budget>(isBudget, { error: (issue) => `${JSON.stringify(issue.input)} is not a label budget: give ${BUDGET_RULE}` });

export const ExperimentConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only (it names the results folder)'),
  description: z.string().default(''),
  datasets: z.array(DatasetRef).min(1),
  methods: z.array(MethodRef).min(1),
  /** Stratified k-fold cross-validation, repeated. */
  folds: z.number().int().min(2).default(5),
  repeats: z.number().int().min(1).default(1),
  /** Also evaluate on the official train/test split where a dataset has one (fold = 'official'). */
  officialSplit: z.boolean().default(false),
  /** Labelled images per class a job may use; 'all' uses every training label. */
  budgets: z.array(LabelBudgetSchema).min(1).default(['all']),
  seeds: z.array(z.number().int().nonnegative()).min(1).default([0]),
  /**
   * Independent labelled draws per fold at each budget smaller than 'all' (draw 0 is the draw a
   * run without draws makes). Draws are paired across methods: draw d of a fold labels the same
   * images for every method.
   */
  draws: z.number().int().min(1).max(1000).default(1),
  /** The metric every method selects hyper-parameters on and the verdict tests; the others are reported beside it. */
  primaryMetric: z.enum(PRIMARY_METRICS).default('balanced_accuracy'),
  /** Smallest gain of interest δ for "better than transfer-learned", in points of the primary metric. */
  smallestGain: z.number().positive().max(100).default(1),
  /** Non-inferiority margin for "close to fine-tuned", in points of the primary metric. */
  nonInferiorityMargin: z.number().positive().max(100).default(2),
  /** Defaults handed to every method that has a parameter of this name (a method's own params win). */
  backbone: z.string().default('mobilenet-v2-1.0'),
  inputSize: z.number().int().min(16).max(1024).default(224),
  resizeMode: z.enum(['resize', 'pad']).default('resize'),
  classifier: z.enum(['linear-svm', 'logistic']).default('linear-svm'),
  /** Extra packages to import before resolving method ids (they register methods). */
  packages: z.array(z.string().min(1)).default([]),
  /** Drop exact duplicate images (by content hash) before making folds. */
  dropDuplicates: z.boolean().default(true),
  /**
   * Keep perceptual near-duplicates (pHash within the datasets package's threshold) in one fold
   * (`group`), or make folds as if they were unrelated (`ignore`). Declared source groups (e.g.
   * COVID-CT's papers) are kept together either way. Changes the folds, hence the run folder.
   */
  nearDuplicates: z.enum(['group', 'ignore']).default('group'),
  /** Where jobs run (`udtl run --executor` wins); not part of the run folder's hash: it does not change results. */
  executor: z.enum(['local', 'slurm']).optional(),
  /**
   * Memory all local workers may use together ('16G', '512M', or a number of GiB; default 80% of
   * the machine's; `udtl run --memory-budget` wins). The runner starts no more workers than fit it,
   * and a job estimated above a worker's share fails before allocating. Not part of the run's hash.
   */
  memoryBudget: z.union([z.number().positive(), z.string().min(1)]).optional(),
  /** sbatch settings for the slurm executor (each `udtl run --<flag>` wins over its field). */
  slurm: z.strictObject({
    partition: z.string().min(1).optional(),
    time: z.string().min(1).optional(),
    mem: z.string().min(1).optional(),
    cpusPerTask: z.number().int().min(1).optional(),
    gres: z.string().min(1).optional(),
    /** At most this many array tasks at once (the array's `%K`). */
    maxConcurrent: z.number().int().min(1).optional(),
    /** Further sbatch arguments, one per element (e.g. ["--account=lab", "--qos=short"]). */
    sbatchArgs: z.array(z.string().min(1)).default([]),
  }).optional(),
});

export type ExperimentConfig = z.output<typeof ExperimentConfigSchema>;
export type MethodEntry = { id: string; name: string; params: Record<string, unknown>; package?: string };
export type DatasetEntry = { id: string; path?: string };

/** Parameters every method may receive from the config, when it declares them. */
export const SHARED_PARAMS = ['backbone', 'inputSize', 'resizeMode', 'classifier'] as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Deep merge for config layering: objects merge key by key; arrays and scalars are replaced. */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? mergeConfig(out[k], v) : v;
    return out;
  }
  return over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate a raw config object; errors name the path of each bad field. */
export function parseConfig(raw: unknown, source = 'config'): ExperimentConfig {
  const result = ExperimentConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid experiment config ${source}:\n${lines.join('\n')}`);
  }
  const config = result.data;
  const names = methodEntries(config).map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`invalid experiment config ${source}:\n  methods: '${dup}' appears twice; give one a distinct "name"`);
  return config;
}

/** Read one or more JSON files, later ones overriding earlier ones; inline dataset paths resolve against their file. */
export async function loadConfig(files: string[]): Promise<ExperimentConfig> {
  if (files.length === 0) throw new ConfigError('no config file given (use --config <file>)');
  let merged: unknown = {};
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    merged = mergeConfig(merged, resolveDatasetPaths(raw, dirname(resolve(file))));
  }
  return parseConfig(merged, files.join(' + '));
}

function resolveDatasetPaths(raw: unknown, base: string): unknown {
  if (!isPlainObject(raw) || !Array.isArray(raw.datasets)) return raw;
  const datasets = raw.datasets.map((d) =>
    isPlainObject(d) && typeof d.path === 'string' && !isAbsolute(d.path) ? { ...d, path: resolve(base, d.path) } : d,
  );
  return { ...raw, datasets };
}

export function methodEntries(config: ExperimentConfig): MethodEntry[] {
  return config.methods.map((m) =>
    typeof m === 'string' ? { id: m, name: m, params: {} } : { id: m.id, name: m.name ?? m.id, params: m.params, package: m.package },
  );
}

export function datasetEntries(config: ExperimentConfig): DatasetEntry[] {
  return config.datasets.map((d) => (typeof d === 'string' ? { id: d } : d));
}

/** Stable JSON (sorted keys) so that the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What identifies a run's results: a changed config never reuses stale results. */
export function configHash(config: ExperimentConfig, resolvedParams?: Record<string, unknown>): string {
  const { description: _ignored, executor: _where, slurm: _how, memoryBudget: _memory, ...rest } = config;
  // With the methods' resolved parameters (defaults included), a change of a method's defaults
  // gives a new run folder instead of resuming results computed under the old ones.
  const keyed = resolvedParams ? { config: rest, resolvedParams } : rest;
  return createHash('sha256').update(canonicalJson(keyed)).digest('hex').slice(0, 12);
}
