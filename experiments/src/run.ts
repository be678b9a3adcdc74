import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { cpus, totalmem, platform } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import * as core from '@udtl/core';
import { atomicWriteFile, cacheDir as defaultCacheDir, projectRoot } from '@udtl/datasets';
import { configHash, type ExperimentConfig } from './config.js';
import type { GroupTask, PrepareTask, WorkerEnv } from './execute.js';
import type { GridExecutor } from './executors/executor.js';
import { LocalExecutor } from './executors/local.js';
import { liveSlurmTasks, SlurmExecutor, type SlurmOptions } from './executors/slurm.js';
import { jobKey, type JobResult, type ManifestDataset, type RunManifest } from '@udtl/results';
import { jobCells, type JobGroup } from './jobs.js';
import { lockRunFolder } from './lock.js';
import { estimateWorkerMemory, largestFoldSize, memoryBudget } from './memory.js';
import { methodParams, resolveMethods } from './methods.js';
import { preflight, PreflightError, type PlannedDataset } from './preflight.js';
import { RunStore, currentDataFilter, pointLatest, writeTables } from './store.js';

export interface RunOptions {
  /** Folder that holds run folders (default `<project>/results`). */
  outRoot?: string;
  workers?: number;
  dataDir?: string;
  cacheDir?: string;
  quiet?: boolean;
  /** Where jobs run (default: the config's `executor`, else local). */
  executor?: 'local' | 'slurm';
  /** sbatch settings; each one given wins over the config's `slurm` field. */
  slurm?: SlurmOptions;
  /** Memory budget of all local workers ('16G', '512M', GiB); wins over the config's `memoryBudget`. */
  memoryBudget?: string | number;
}

export interface RunSummary {
  runDir: string;
  total: number;
  ran: number;
  skipped: number;
  failed: number;
  results: JobResult[];
  /** Ctrl-C during a slurm run: its tasks were left running or cancelled. */
  interrupted?: 'detached' | 'cancelled';
}

/**
 * Run an experiment: every (dataset × method × fold × budget × seed) job not finished yet, in a
 * pool of workers; then write results.csv, predictions.csv, jobs.jsonl and manifest.json.
 * Throws a PreflightError, before creating the run folder, when the config cannot run.
 */
export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<RunSummary> {
  const startedAt = new Date();
  const say = (m: string) => options.quiet || process.stderr.write(`${m}\n`);
  const methods = await resolveMethods(config);
  const resolvedParams = Object.fromEntries(methods.map((m) => [m.name, core.createMethod(m.id, methodParams(config, m)).params]));
  const hash = configHash(config, resolvedParams);
  const outRoot = resolve(options.outRoot ?? join(projectRoot(), 'results'));
  const runDir = join(outRoot, `${config.name}-${hash}`);
  const cacheDir = resolve(options.cacheDir ?? defaultCacheDir());
  const executor = chooseExecutor(config, options, say);
  await executor.check();
  const checked = await preflight(config, methods, resolvedParams, { outRoot, dataDir: options.dataDir, cacheDir, log: (m) => say(`  ${m}`) });
  const slowest = Object.entries(checked.steps).sort((a, b) => b[1] - a[1]).slice(0, 2).map(([step, s]) => `${step} ${s.toFixed(1)} s`).join(', ');
  say(`preflight: ok in ${checked.seconds.toFixed(1)} s (${slowest}): ${checked.datasets.length} dataset(s) load and decode, backbones, budgets, weights, taps`);
  const planned = checked.datasets;

  await mkdir(runDir, { recursive: true });
  const unlock = await lockRunFolder(runDir);
  try {
    if (executor.name === 'local') {
      const live = await liveSlurmTasks(runDir);
      if (live.length) throw new Error(`${live.length} slurm task(s) of this run folder are still queued or running (${live.slice(0, 3).join(', ')}${live.length > 3 ? ', …' : ''}): run with --executor slurm to reattach to them, or scancel them first`);
    }
    return await runLocked(config, options, executor, { startedAt, say, methods, resolvedParams, hash, outRoot, runDir, cacheDir, planned, preflight: checked });
  } finally {
    await unlock();
  }
}

interface Prepared {
  startedAt: Date;
  say: (m: string) => void;
  methods: Awaited<ReturnType<typeof resolveMethods>>;
  resolvedParams: Record<string, unknown>;
  hash: string;
  outRoot: string;
  runDir: string;
  cacheDir: string;
  planned: PlannedDataset[];
  preflight: { seconds: number; steps: Record<string, number> };
}

/** The executor the options (then the config) ask for. */
function chooseExecutor(config: ExperimentConfig, options: RunOptions, say: (m: string) => void): GridExecutor {
  const name = options.executor ?? config.executor ?? 'local';
  if (name === 'local') return new LocalExecutor(options.workers, say);
  const given = Object.fromEntries(Object.entries(options.slurm ?? {}).filter(([, v]) => v !== undefined));
  const merged: SlurmOptions = { ...config.slurm, ...given };
  merged.sbatchArgs = [...(config.slurm?.sbatchArgs ?? []), ...(options.slurm?.sbatchArgs ?? [])];
  return new SlurmExecutor(merged);
}

async function runLocked(config: ExperimentConfig, options: RunOptions, executor: GridExecutor, prep: Prepared): Promise<RunSummary> {
  const { startedAt, say, methods, resolvedParams, hash, outRoot, runDir, planned } = prep;
  // A result is reused only if computed on the data as it is now (older job files, without a hash:
  // if the dataset's content hash is the one the previous manifest recorded).
  const now = new Map(planned.map((p) => [p.id, { dataHash: p.dataHash, contentHash: p.dataset.contentHash }]));
  const store = new RunStore(runDir, currentDataFilter(now, await previousContentHashes(runDir)));
  await store.init();
  await atomicWriteFile(join(runDir, 'config.json'), JSON.stringify(config, null, 2));
  for (const [dataset, n] of await store.staleCounts()) say(`dataset '${dataset}' changed since its ${n} result(s) in this folder were computed: they are recomputed`);

  const env: WorkerEnv = { config, methods, runDir, cacheDir: prep.cacheDir, dataDir: options.dataDir };
  const finished = await store.finishedKeys();

  // The grid. Folds were made by the preflight, once, and are handed to workers as id lists.
  const groups: GroupTask[] = [];
  const datasetInfo: ManifestDataset[] = [];
  let total = 0;
  for (const { id, dataset: ds, dataHash: dh, folds } of planned) {
    datasetInfo.push({
      id,
      contentHash: ds.contentHash,
      dataHash: dh,
      nSamples: ds.samples.length,
      classes: ds.info.labels,
      dropped: ds.dropped.length,
      dataFiles: ds.dataFiles,
    });
    for (const { seed, label, fold } of folds) {
      for (const m of methods) {
        const group: JobGroup = { dataset: id, method: m.name, fold: label, repeat: fold.repeat, seed, cells: [] };
        const cells = jobCells(config.budgets, config.draws);
        total += cells.length;
        group.cells = cells.filter((cell) => finished.get(jobKey({ ...group, ...cell })) !== 'ok');
        if (group.cells.length) groups.push({ kind: 'group', group, fold, dataHash: dh });
      }
    }
  }
  // Fold-major order: an interrupted run has results for every dataset and method, not just the first dataset.
  const foldRank = (f: number | 'official') => (f === 'official' ? Number.MAX_SAFE_INTEGER : f);
  groups.sort((a, b) => a.group.seed - b.group.seed || foldRank(a.group.fold) - foldRank(b.group.fold));
  const pending = groups.reduce((n, g) => n + g.group.cells.length, 0);
  // Workers from memory as well as cores, and each worker's share for the per-job check.
  const given = options.memoryBudget ?? config.memoryBudget;
  const budgetBytes = memoryBudget(given);
  const perWorker = estimateWorkerMemory(
    planned.flatMap((d) => methods.map((m) => ({ methodId: m.id, params: methodParams(config, m), size: largestFoldSize(d.folds.map((f) => f.fold)) }))),
  );
  if (executor instanceof LocalExecutor) {
    executor.fitMemory(budgetBytes, perWorker, say);
    env.memoryBudgetBytes = Math.floor(budgetBytes / executor.workers);
  } else if (given !== undefined) env.memoryBudgetBytes = budgetBytes;
  say(`run ${basename(runDir)}: ${total} jobs, ${total - pending} already done, ${pending} to run`);

  // Written before any job runs, so an interrupted run's folder says what it was and that it is incomplete.
  const manifest: RunManifest = {
    runId: basename(runDir),
    configHash: hash,
    config,
    methodParams: resolvedParams,
    gitCommit: gitCommit(),
    versions: versions(),
    datasets: datasetInfo,
    machine: { cores: cpus().length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), platform: `${platform()} ${process.arch}`, cpuModel: cpus()[0]?.model ?? '', ...(executor instanceof LocalExecutor ? { workers: executor.workers } : {}) },
    executor: executor.describe(),
    startedAt: startedAt.toISOString(),
    preflight: { seconds: +prep.preflight.seconds.toFixed(2), steps: prep.preflight.steps },
    endedAt: null,
    jobs: { total, done: finishedCount(finished), failed: 0 },
    complete: false,
  };
  await writeManifest(runDir, manifest, true);
  const needPrepare = [...new Set(groups.map((g) => g.group.dataset))];
  const prepare: PrepareTask[] = needPrepare.map((dataset) => ({ kind: 'prepare', dataset, methods: methods.map((m) => m.name) }));
  const outcome = await executor.execute({ env, store, prepare, groups, pending, say, quiet: Boolean(options.quiet) });
  let backend = outcome.backend;
  if (outcome.startFailure) {
    await writeManifest(runDir, { ...manifest, executor: executor.describe(), endedAt: new Date().toISOString(), startFailure: outcome.startFailure }, false);
    throw new PreflightError([`backend/engine: ${outcome.startFailure}`], (Date.now() - startedAt.getTime()) / 1000);
  }

  const results = await store.readResults((file, err) => say(`warning: skipping unreadable job file ${file}: ${err.message}`));
  await writeTables(store, results);
  const failed = results.filter((r) => r.status === 'failed');
  const done = results.filter((r) => r.status === 'ok').length;
  backend ??= results.find((r) => r.status === 'ok')?.backend;
  await writeManifest(runDir, {
    ...manifest,
    executor: executor.describe(),
    backend: backend ?? null,
    weights: weightsFrom(results),
    endedAt: new Date().toISOString(),
    wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
    jobs: { total, done, failed: failed.length },
    failures: failed.map((r) => ({ job: r.key, error: r.error })),
    complete: done === total,
  }, false);
  await mkdir(outRoot, { recursive: true });
  await pointLatest(outRoot, basename(runDir));
  return { runDir, total, ran: pending, skipped: total - pending, failed: failed.length, results, interrupted: outcome.interrupted };
}

/** Content hashes per dataset that the run folder's manifest recorded, before this session overwrites it. */
async function previousContentHashes(runDir: string): Promise<Map<string, string>> {
  try {
    const old = JSON.parse(await readFile(join(runDir, 'manifest.json'), 'utf8')) as { datasets?: { id: string; contentHash: string }[] };
    return new Map((old.datasets ?? []).map((d) => [d.id, d.contentHash]));
  } catch {
    return new Map();
  }
}

const finishedCount = (finished: Map<string, string>) => [...finished.values()].filter((s) => s === 'ok').length;

/**
 * The manifest of a resumed run keeps when it first started and counts its sessions (starts).
 * `starting` is true for the write at the start of a session.
 */
async function writeManifest(runDir: string, manifest: RunManifest, starting: boolean): Promise<void> {
  const path = join(runDir, 'manifest.json');
  if (existsSync(path)) {
    try {
      const old = JSON.parse(await readFile(path, 'utf8'));
      manifest.firstStartedAt = old.firstStartedAt ?? old.startedAt;
      manifest.sessions = starting ? (old.sessions ?? 1) + 1 : (old.sessions ?? 1);
    } catch {
      /* a corrupt manifest is simply rewritten */
    }
  }
  manifest.sessions ??= 1;
  manifest.firstStartedAt ??= manifest.startedAt;
  await atomicWriteFile(path, JSON.stringify(manifest, null, 2));
}

function weightsFrom(results: JobResult[]): { backbone: string; hash: string }[] {
  const seen = new Map<string, string>();
  for (const r of results) {
    const b = r.chosen?.backbone, h = r.chosen?.weightsHash;
    if (typeof b === 'string' && typeof h === 'string') seen.set(b, h);
  }
  return [...seen].map(([backbone, hash]) => ({ backbone, hash }));
}

function gitCommit(): string | null {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return null;
  }
}

function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  const root = projectRoot();
  for (const dir of ['packages/core', 'packages/datasets', 'packages/baselines', 'packages/report', 'experiments']) {
    const file = join(root, dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      out[pkg.name] = pkg.version;
    }
  }
  try {
    const tfPkg = join(dirname(resolve(root, 'packages/core/node_modules/@tensorflow/tfjs-core/package.json')), 'package.json');
    out['@tensorflow/tfjs-core'] = JSON.parse(readFileSync(tfPkg, 'utf8')).version;
  } catch {
    /* not installed where expected */
  }
  return out;
}
