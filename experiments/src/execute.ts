import { performance } from 'node:perf_hooks';
import * as core from '@udtl/core';
import * as datasets from '@udtl/datasets';
import type { ExperimentConfig, MethodEntry } from './config.js';
import { classificationMetrics, jobKey, type Job, type JobBackend, type JobResult } from '@udtl/results';
import { toLabelBudget, type JobGroup } from './jobs.js';
import { checkJobFits, estimateJobMemory } from './memory.js';
import { methodParams } from './methods.js';
import type { RunStore } from './store.js';

/** What a worker needs to run a group: the config plus the fold's ids (computed once, in the main thread). */
export interface GroupTask {
  kind: 'group';
  group: JobGroup;
  fold: datasets.Fold;
  /** The hash of the data the fold was made from, stored with each result (see RunStore). */
  dataHash: string;
}

export interface PrepareTask {
  kind: 'prepare';
  dataset: string;
  methods: string[];
}

export type Task = GroupTask | PrepareTask;

export interface WorkerEnv {
  config: ExperimentConfig;
  methods: MethodEntry[];
  runDir: string;
  cacheDir: string;
  dataDir?: string;
  /** One worker's share of the memory budget: a job estimated above it fails before allocating (see memory.ts). */
  memoryBudgetBytes?: number;
}

/** Messages a worker sends to the pool. */
export type WorkerMessage =
  | { type: 'ready'; backend: JobBackend }
  | { type: 'job'; key: string; status: 'ok' | 'failed'; error?: string; accuracy?: number }
  | { type: 'log'; message: string }
  | { type: 'taskDone' }
  | { type: 'taskFailed'; error: string };

/** Testing aid: a pause before each job, so a test can kill a run half-way (UDTL_JOB_DELAY_MS). */
const JOB_DELAY_MS = Number(process.env.UDTL_JOB_DELAY_MS ?? 0);

type LoadedDataset = Awaited<ReturnType<typeof datasets.loadDataset>>;

/** Per-worker state: datasets loaded once, the unsupervised-stage memo, the backend. */
export class Executor {
  private loaded = new Map<string, Promise<LoadedDataset>>();
  private stages = new core.MemoryStageStore();
  private stageScope = '';
  private backend: JobBackend | undefined;

  constructor(private env: WorkerEnv, private store: RunStore) {}

  /** The tfjs backend (training, and inference when no native engine loads) and the frozen-backbone engine. */
  async backendInfo(): Promise<JobBackend> {
    if (!this.backend) {
      const info = await core.initBackend();
      const requested = process.env.UDTL_ENGINE?.trim();
      const engine =
        requested === 'tfjs'
          ? 'tfjs'
          : await core.loadOnnxRuntime().then(
              (ort) => `onnxruntime ${core.onnxRuntimeVersion(ort)}`,
              (err: Error) => {
                // Asked for by name, onnxruntime must start: failing here stops the run instead of every job.
                if (requested === 'onnxruntime') throw new Error(`UDTL_ENGINE=onnxruntime: onnxruntime-node failed to load: ${err.message}`);
                return 'tfjs';
              },
            );
      this.backend = { name: info.name, gpu: info.gpu, engine };
      if (info.native) Object.assign(this.backend, { native: info.native, nativeKernels: info.nativeKernels, nativeThreads: info.nativeThreads });
      if (info.adapter) Object.assign(this.backend, { adapter: info.adapter });
    }
    return this.backend;
  }

  dataset(id: string): Promise<LoadedDataset> {
    let p = this.loaded.get(id);
    if (!p) {
      p = loadExperimentDataset(this.env, id);
      this.loaded.set(id, p);
    }
    return p;
  }

  private entry(name: string): MethodEntry {
    const m = this.env.methods.find((e) => e.name === name);
    if (!m) throw new Error(`unknown method '${name}' in this experiment`);
    return m;
  }

  private imagesOf(ds: LoadedDataset, ids: string[]): datasets.ImageSet {
    return ds.images(ids, { size: this.env.config.inputSize, mode: this.env.config.resizeMode });
  }

  private ctx(seed: number, log?: (m: string) => void): core.FitContext {
    return { seed, cacheDir: this.env.cacheDir, stages: this.stages, log, primaryMetric: this.env.config.primaryMetric };
  }

  /** Precompute per-dataset work (frozen features) for every method that has a `prepare` step. */
  async prepare(task: PrepareTask, log?: (m: string) => void): Promise<void> {
    await this.backendInfo();
    const ds = await this.dataset(task.dataset);
    const all = this.imagesOf(ds, ds.samples.map((s) => s.id));
    for (const name of task.methods) {
      const method = core.createMethod(this.entry(name).id, methodParams(this.env.config, this.entry(name)));
      if (method.prepare) await method.prepare(all, this.ctx(this.env.config.seeds[0], log));
    }
  }

  /** Run every budget and draw of a group in order; each job's result is written as soon as it ends. */
  async runGroup(task: GroupTask, onJob: (r: JobResult) => void, log?: (m: string) => void): Promise<void> {
    const { group, fold, dataHash } = task;
    // The unsupervised stage is shared across the budgets of one group only: free it between groups.
    const scope = `${group.dataset}|${group.method}|${group.fold}|${group.repeat}|${group.seed}`;
    if (scope !== this.stageScope) {
      this.stages.clear();
      this.stageScope = scope;
    }
    const backend = await this.backendInfo();
    const ds = await this.dataset(group.dataset);
    const entry = this.entry(group.method);
    const params = methodParams(this.env.config, entry);
    const classNames = ds.info.labels;
    const labelOf = new Map(ds.samples.map((s) => [s.id, s.label]));

    for (const { budget, draw } of group.cells) {
      if (JOB_DELAY_MS > 0) await new Promise((r) => setTimeout(r, JOB_DELAY_MS));
      const job: Job = { dataset: group.dataset, method: group.method, fold: group.fold, repeat: group.repeat, budget, seed: group.seed, draw };
      const base = { ...job, key: jobKey(job), dataHash, methodId: entry.id, params, backend, classNames, chosen: {} as Record<string, unknown> };
      let result: JobResult;
      let model: core.FittedModel | undefined;
      try {
        const split = datasets.applyBudget(fold, ds.samples, toLabelBudget(budget), group.seed, draw);
        const labelled: datasets.LabelledSet = {
          images: this.imagesOf(ds, split.labelled),
          labels: Int32Array.from(split.labelled, (id) => labelOf.get(id)!),
          classNames,
        };
        // An official validation split is labelled: it serves model selection only with every label
        // (the published protocol: select on val, test on test); smaller budgets select by inner CV.
        const validation: datasets.LabelledSet | undefined =
          budget === 'all' && split.val.length
            ? { images: this.imagesOf(ds, split.val), labels: Int32Array.from(split.val, (id) => labelOf.get(id)!), classNames }
            : undefined;
        if (this.env.memoryBudgetBytes) {
          const size = { nTrain: split.labelled.length + split.unlabelled.length, nTest: split.test.length };
          checkJobFits(`${entry.name} on ${group.dataset} fold ${group.fold}`, estimateJobMemory(entry.id, params, size), this.env.memoryBudgetBytes);
        }
        const method = core.createMethod(entry.id, params);
        const t0 = performance.now();
        model = await method.fit({ labelled, unlabelled: this.imagesOf(ds, split.unlabelled), validation }, this.ctx(group.seed, log));
        const t1 = performance.now();
        const proba = await model.predictProba(this.imagesOf(ds, split.test));
        const t2 = performance.now();
        const truth = split.test.map((id) => labelOf.get(id)!);
        const metrics = {
          ...classificationMetrics(truth, proba),
          fit_seconds: (t1 - t0) / 1000,
          predict_seconds: (t2 - t1) / 1000,
          n_labelled: split.labelled.length,
          n_unlabelled: split.unlabelled.length,
          n_validation: validation?.labels.length ?? 0,
          n_test: split.test.length,
        };
        result = {
          ...base,
          status: 'ok',
          chosen: model.chosen(),
          metrics,
          fitSeconds: metrics.fit_seconds,
          predictSeconds: metrics.predict_seconds,
          predictions: { ids: split.test, truth, proba },
          finishedAt: new Date().toISOString(),
        };
      } catch (err) {
        result = {
          ...base,
          status: 'failed',
          error: err instanceof Error ? err.message : String(err),
          metrics: {},
          fitSeconds: 0,
          predictSeconds: 0,
          finishedAt: new Date().toISOString(),
        };
      } finally {
        model?.dispose();
      }
      await this.store.writeResult(result);
      onJob(result);
    }
  }

  dispose(): void {
    this.stages.clear();
  }
}

/** A registered dataset by id, or one declared inline in the config by path. */
export async function loadExperimentDataset(env: Pick<WorkerEnv, 'config' | 'dataDir'>, id: string): Promise<LoadedDataset> {
  const entry = env.config.datasets.map((d) => (typeof d === 'string' ? { id: d } : d)).find((d) => d.id === id);
  const options = { dataDir: env.dataDir, duplicates: env.config.dropDuplicates ? ('drop' as const) : ('keep' as const) };
  if (entry && 'path' in entry && entry.path) return datasets.loadDatasetFromPath(entry.path, { ...options, id });
  return datasets.loadDataset(id, options);
}
