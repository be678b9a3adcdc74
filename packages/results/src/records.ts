import type { Job } from './job.js';

/** What computed a job: recorded with every result and in the manifest. */
export interface JobBackend {
  name: string;
  gpu: boolean;
  engine?: string;
  /** 'onednn' when @udtl/native's kernels ran on the wasm backend. */
  native?: string;
  nativeKernels?: string[];
  nativeThreads?: number;
  /** webgpu: the adapter (device name, vendor, Dawn backend type, whether it is a software renderer). */
  adapter?: { name: string; vendor: string; architecture: string; description: string; backendType: string; featureLevel: string; software: boolean };
}

export type JobStatus = 'ok' | 'failed';

/**
 * One line of `jobs.jsonl`: a job's parameters, the values chosen during fit, status and timings.
 * Fields marked "older runs" are absent in files written before they existed.
 */
export interface JobRecord extends Job {
  /** `jobKey(job)`. */
  key: string;
  status: JobStatus;
  error?: string;
  params: Record<string, unknown>;
  chosen: Record<string, unknown>;
  fitSeconds: number;
  predictSeconds: number;
  /** The registered method id (`method` is its name in the experiment); older runs lack it. */
  methodId?: string;
  /** Older runs lack it. */
  backend?: JobBackend;
  /** ISO time; older runs lack it. */
  finishedAt?: string;
  /** Hash of the data the job ran on; older runs lack it. */
  dataHash?: string;
}

/** Everything a finished job leaves behind (the runner's `jobs/<id>.json`); `jobs.jsonl` is this without metrics, class names and predictions. */
export interface JobResult extends JobRecord {
  methodId: string;
  backend: JobBackend;
  finishedAt: string;
  /** Metric name → value; NaN where undefined (AUC with one class in the test fold). */
  metrics: Record<string, number>;
  /** The dataset's classes; `truth` and the probability columns index them. */
  classNames: string[];
  predictions?: { ids: string[]; truth: number[]; proba: number[][] };
}

/** A dataset as the manifest records it. */
export interface ManifestDataset {
  id: string;
  contentHash: string;
  dataHash?: string;
  nSamples: number;
  classes: string[];
  /** How many exact duplicates were dropped. */
  dropped: number;
  dataFiles?: unknown;
}

/**
 * `manifest.json`, written when a run starts (complete: false) and again when it ends. Readers
 * take it as `Partial<RunManifest>`: older or interrupted runs lack fields.
 */
export interface RunManifest {
  runId: string;
  configHash: string;
  /** The parsed experiment config. */
  config: Record<string, unknown>;
  /** Each method's parameters after defaults. */
  methodParams: Record<string, unknown>;
  /** HEAD, '+dirty' with uncommitted changes; null outside git. */
  gitCommit: string | null;
  versions: Record<string, string>;
  datasets: ManifestDataset[];
  machine: { cores: number; memoryGiB: number; platform: string; cpuModel: string; workers?: number };
  executor: unknown;
  startedAt: string;
  /** The first start of a resumed run. */
  firstStartedAt?: string;
  /** How many times the run was started. */
  sessions?: number;
  preflight?: { seconds: number; steps: Record<string, number> };
  endedAt: string | null;
  wallSeconds?: number;
  backend?: JobBackend | null;
  weights?: { backbone: string; hash: string }[];
  jobs: { total: number; done: number; failed: number };
  failures?: { job: string; error?: string }[];
  /** Why the workers could not start (the run stopped before any job). */
  startFailure?: string;
  complete: boolean;
}
